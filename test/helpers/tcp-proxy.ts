/**
 * A loopback TCP proxy in front of the broker or the database, so a fault test can cut its own
 * connections (as a network failure would), or refuse new ones for a while, without touching
 * anyone else's on the same server.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** The URL to connect through: the target's, with this proxy's host and port. */
  readonly url: string;
  /** Cuts every connection made through the proxy so far; new ones are let through. */
  dropAll(): number;
  /** While true, every connection is reset as it comes (those open are cut too). */
  refuse(on: boolean): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1, port 0, in front of the host and port of `targetUrl`. */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const pairs = new Set<[Socket, Socket]>();
  let refusing = false;
  const server: Server = createServer((inbound) => {
    if (refusing) {
      inbound.on('error', () => undefined);
      inbound.resetAndDestroy();
      return;
    }
    const outbound = connect(Number(target.port || 5672), target.hostname);
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const via = new URL(targetUrl);
  via.hostname = '127.0.0.1';
  via.port = String(typeof address === 'object' && address ? address.port : 0);
  const dropAll = () => {
    const n = pairs.size;
    for (const [a, b] of [...pairs]) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
    return n;
  };
  return {
    url: via.toString(),
    dropAll,
    refuse(on) {
      refusing = on;
      if (on) for (const [a, b] of [...pairs]) {
        a.resetAndDestroy();
        b.destroy();
      }
    },
    async close() {
      dropAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
