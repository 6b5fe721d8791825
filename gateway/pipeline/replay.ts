/**
 * Replay detection by message id (docs/protocol.md §4). A second message with an id already seen from
 * the same client is a replay; the very same bytes again are a duplicate delivery (at least
 * once, end to end), which is dropped once the first copy was handled, never answered twice.
 *
 * The ledger owns "seen": this guard holds only the messages in flight (claimed, not yet
 * recorded) and asks the ledger's `history` about everything else — whatever the time since, and
 * across restarts, for as long as the ledger keeps records.
 */
import type { PriorUse } from '../ledger/ledger.ts';

type Outcome = Promise<boolean>;

interface Seen {
  readonly hash: string;
  readonly expiresAt: number;
  /** Resolves true once the first copy was forwarded or answered; false if it must be tried again. */
  outcome: Outcome;
}

export type Claim =
  | { status: 'new'; settle(handled: boolean): void }
  /** The same bytes again; `tx` is the transaction that recorded the first copy, once there is one. */
  | { status: 'duplicate'; handled: Outcome; tx?: string }
  /** Another message under a used id: `tx` is the first one's recorded transaction, `firstHash` the hash of the one in flight. */
  | { status: 'replay'; tx?: string; firstHash?: string };

/** The ledger's answer about an id no message in flight holds. */
export type History = (client: string, id: string) => Promise<PriorUse | undefined>;

export class ReplayGuard {
  private readonly seen = new Map<string, Seen>();
  private sweptAt = 0;

  constructor(private readonly now: () => number, private readonly history: History = async () => undefined) {}

  /** Claims `(client, id)` for a message whose JWS hashes to `hash`; remembered until `expiresAt`. */
  async claim(client: string, id: string, hash: string, expiresAt: number): Promise<Claim> {
    this.sweep();
    const key = `${client} ${id}`;
    const prior = this.seen.get(key);
    if (prior && prior.expiresAt > this.now()) {
      if (prior.hash !== hash) return { status: 'replay', firstHash: prior.hash };
      return { status: 'duplicate', handled: prior.outcome };
    }
    // Claimed before the ledger is asked (which may take a round trip): a copy arriving meanwhile
    // finds this claim and waits for it, as for any message in flight.
    let resolve!: (handled: boolean) => void;
    const entry: Seen = { hash, expiresAt, outcome: new Promise((r) => (resolve = r)) };
    this.seen.set(key, entry);
    const release = (handled: boolean) => {
      resolve(handled);
      // A copy that failed for want of a broker is not "seen": its redelivery is handled anew.
      if (!handled && this.seen.get(key) === entry) this.seen.delete(key);
    };
    let recorded: PriorUse | undefined;
    try {
      recorded = await this.history(client, id);
    } catch (err) {
      release(false);
      throw err;
    }
    if (recorded) {
      // The ledger had it: the copies that came meanwhile are duplicates of that record; later ones ask the ledger again.
      resolve(true);
      if (this.seen.get(key) === entry) this.seen.delete(key);
      if (recorded.requestHash !== hash) return { status: 'replay', tx: recorded.tx };
      return { status: 'duplicate', handled: Promise.resolve(true), tx: recorded.tx };
    }
    return { status: 'new', settle: release };
  }

  get size(): number {
    return this.seen.size;
  }

  /** Drops expired ids, at most once a second; entries arrive roughly in time order. */
  private sweep(): void {
    const now = this.now();
    if (now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [key, entry] of this.seen) {
      if (entry.expiresAt <= now) this.seen.delete(key);
    }
  }
}
