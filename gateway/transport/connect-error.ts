/**
 * Why a first connection to RabbitMQ failed, in words a person can act on: amqplib's own
 * messages (`connect ECONNREFUSED`, `Expected ConnectionOpenOk; got <ConnectionClose …>`)
 * name neither the broker nor the fix.
 */
import { nodeUrls } from './cluster-nodes.ts';
import { TransportError } from './transport.ts';

function where(url: string): { shown: string; vhost: string; user: string } {
  try {
    // A cluster's URLs (comma-separated) share a user and a virtual host: each node is shown.
    const nodes = nodeUrls(url).map((one) => new URL(one));
    const u = nodes[0]!;
    const vhost = u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : '/';
    const user = decodeURIComponent(u.username || 'guest');
    const shown = nodes.map((n) => `${n.protocol}//${n.hostname}:${n.port || (n.protocol === 'amqps:' ? 5671 : 5672)}`).join(', ');
    return { shown, vhost, user };
  } catch {
    return { shown: 'the AMQP URL', vhost: '/', user: 'guest' };
  }
}

const FIX = 'check --amqp-url (or AMQP_URL), or leave both unset to use the embedded transport';

/** The TransportError ('unreachable') to throw for a failed first connection to `url`. */
export function connectError(url: string, err: Error): TransportError {
  const { shown, vhost, user } = where(url);
  const code = (err as NodeJS.ErrnoException).code;
  let message: string;
  if (code === 'ECONNREFUSED') message = `cannot reach RabbitMQ at ${shown}: connection refused — is it running there? (start it with rabbitmq-server -detached); ${FIX}`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') message = `cannot reach RabbitMQ at ${shown}: no such host; ${FIX}`;
  else if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') message = `cannot reach RabbitMQ at ${shown}: ${code}; ${FIX}`;
  else if (/ETIMEDOUT/.test(err.message)) {
    message = `${shown} took the connection but did not answer as RabbitMQ does: is it RabbitMQ's AMQP port (5672, or 5671 with TLS), and the broker not overloaded? ${FIX}`;
  } else if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(String(code)) || /certificate/i.test(err.message)) {
    message = `RabbitMQ at ${shown} showed a certificate this machine does not trust (${code ?? err.message}): pass its authority with --amqp-ca <file> (lgsp keys tls makes one in the state directory: tls/ca.pem)`;
  } else if (/ACCESS.REFUSED/.test(err.message)) message = `RabbitMQ at ${shown} refused the login of user "${user}": check the user and password in --amqp-url`;
  else if (/ConnectionOpenOk/.test(err.message)) message = `RabbitMQ at ${shown} refused virtual host "${vhost}" for user "${user}": it does not exist or the user has no access to it (rabbitmqctl add_vhost / set_permissions)`;
  else message = `cannot connect to RabbitMQ at ${shown}: ${err.message}; ${FIX}`;
  return new TransportError('TRANSPORT_UNREACHABLE', message, { cause: err });
}
