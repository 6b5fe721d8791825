/**
 * Publishing again after a lost connection, bounded and paced: at most `attempts` tries, with a
 * pause that doubles up to a second between them, each after the transport says it is ready.
 * Anything but a lost connection (`closed`) is thrown at once: no retry could change it.
 */
import { TransportError, type Transport } from './transport.ts';

export interface RetryOptions {
  /** Tries in all; default 30 (about 25 s of pauses, plus any wait for a reconnect). */
  readonly attempts?: number;
  /** The first pause; default 50 ms. */
  readonly firstPauseMs?: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `publish` until it succeeds, retrying only lost connections, within the bound. */
export async function publishWithRetry(transport: Transport, publish: () => Promise<void>, options: RetryOptions = {}): Promise<void> {
  const attempts = options.attempts ?? 30;
  let wait = options.firstPauseMs ?? 50;
  for (let attempt = 1; ; attempt++) {
    try {
      return await publish();
    } catch (err) {
      if (!(err instanceof TransportError) || err.code !== 'TRANSPORT_CLOSED' || attempt >= attempts) throw err;
      await pause(wait);
      wait = Math.min(wait * 2, 1000);
      await transport.ready();
    }
  }
}
