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
  /**
   * While true, a client's AMQP connection that sends its `connection.close` never hears back:
   * what the broker sends from then on is dropped, and the connection is cut a moment later (a
   * network lost just as the client hung up).
   */
  loseCloseOk(on: boolean): void;
  /** Connections whose `connection.close-ok` was lost so far. */
  readonly closeOksLost: number;
  close(): Promise<void>;
}

/** Whether `chunk` holds an AMQP `connection.close`: a method frame (type 1) on channel 0, class 10, method 50. */
function sendsConnectionClose(chunk: Buffer): boolean {
  const method = Buffer.from([0x00, 0x0a, 0x00, 0x32]);
  for (let at = chunk.indexOf(method); at !== -1; at = chunk.indexOf(method, at + 1)) {
    if (at >= 7 && chunk[at - 7] === 0x01 && chunk[at - 6] === 0x00 && chunk[at - 5] === 0x00) return true;
  }
  return false;
}

/** Starts a proxy on 127.0.0.1, port 0, in front of the host and port of `targetUrl`. */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const pairs = new Set<[Socket, Socket]>();
  let refusing = false;
  let losingCloseOk = false;
  let closeOksLost = 0;
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
    let mute = false;
    inbound.on('data', (chunk: Buffer) => {
      outbound.write(chunk);
      if (losingCloseOk && !mute && sendsConnectionClose(chunk)) {
        mute = true;
        closeOksLost += 1;
        setTimeout(end, 200);
      }
    });
    outbound.on('data', (chunk: Buffer) => void (mute || inbound.write(chunk)));
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
    loseCloseOk(on) {
      losingCloseOk = on;
    },
    get closeOksLost() {
      return closeOksLost;
    },
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
