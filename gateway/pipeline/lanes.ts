/**
 * Large messages wait their turn (docs/protocol.md §4, "no system can hurt another"): reading and
 * checking a message of several hundred kilobytes costs tens of milliseconds of the gateway's one
 * thread, so the large messages of one publisher are handled one at a time, each step yielding,
 * while everyone's small messages go on between them. A publisher that floods large messages
 * waits behind its own; nobody else does.
 */

/** Messages larger than this are large: handled in their publisher's lane, and told only their first contract violation (checks.ts). */
export const LARGE_MESSAGE_BYTES = 64 * 1024;

export class Lanes {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `work` once every earlier work of `key` has ended. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const tail = before.then(() => new Promise<void>((r) => (release = r)));
    this.tails.set(key, tail);
    await before;
    // A turn of the event loop first: what came in meanwhile (small messages) goes first.
    await new Promise((r) => setImmediate(r));
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
