/**
 * A RabbitMQ cluster's nodes for the RabbitMQ transport: `--amqp-url` may name several, separated by
 * commas, and each reconnect tries the next (docs/scale-out.md §5).
 */
import type amqp from 'amqplib';

/** The URLs of a cluster's nodes in an `--amqp-url` (one, or several separated by commas). */
export function nodeUrls(urls: string): string[] {
  return urls.split(',').map((url) => url.trim());
}

/**
 * The nodes of `urls` (one URL, or several separated by commas) as the connection object amqplib
 * reads on every (re)connect, pointing at one node until `next()` moves it on.
 */
export function clusterNodes(urls: string): { readonly count: number; readonly endpoint: amqp.Options.Connect; next(): void } {
  const nodes = nodeUrls(urls).map((url) => new URL(url));
  let at = 0;
  const node = () => nodes[at]!;
  const endpoint: amqp.Options.Connect = {
    get protocol() { return node().protocol.replace(/:$/, ''); },
    get hostname() { return node().hostname.replace(/^\[(.*)\]$/, '$1'); },
    get port() { return node().port ? Number(node().port) : undefined; },
    get username() { return decodeURIComponent(node().username) || 'guest'; },
    get password() { return decodeURIComponent(node().password) || 'guest'; },
    get vhost() { return node().pathname.length > 1 ? decodeURIComponent(node().pathname.slice(1)) : '/'; },
    get heartbeat() { return node().searchParams.has('heartbeat') ? Number(node().searchParams.get('heartbeat')) : undefined; },
    get frameMax() { return node().searchParams.has('frameMax') ? Number(node().searchParams.get('frameMax')) : undefined; },
  };
  return { count: nodes.length, endpoint, next: () => (at = (at + 1) % nodes.length) };
}
