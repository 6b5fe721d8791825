/**
 * Whether a ledger can be written now (docs/protocol.md §6, "When the ledger fails"): one owner of
 * that fact for each ledger, read by the gateway (it stops taking messages while the ledger is
 * down), `/readyz` and the metrics. A ledger whose write fails for a reason that time can mend
 * (a full disk, a lock, a lost database connection) keeps what it was given and tries again after
 * a pause that doubles up to `MAX_PAUSE_MS`; the first write that goes through brings it back.
 */
import { LgspError } from '../protocol/errors.ts';

export interface LedgerHealth {
  readonly ok: boolean;
  /** Why it cannot be written, while it cannot (the first failure's message). */
  readonly reason?: string;
  /** Since when (epoch ms), while it cannot. */
  readonly since?: number;
  /** Failed writes since the ledger opened. */
  readonly failures: number;
}

export const FIRST_PAUSE_MS = 100;
export const MAX_PAUSE_MS = 2000;

/** The pause before try `attempt` (1-based) after a failure: 100 ms doubling, at most two seconds. */
export function retryPause(attempt: number): number {
  return Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** Math.max(0, attempt - 1));
}

export class LedgerOutage {
  private state: LedgerHealth = { ok: true, failures: 0 };
  private readonly listeners = new Set<(health: LedgerHealth) => void>();
  private waiters: Array<() => void> = [];

  constructor(private readonly now: () => number = Date.now) {}

  get health(): LedgerHealth {
    return this.state;
  }

  /** A write failed with `err`: the ledger is down (said once per outage) and counts the failure. */
  down(err: unknown): void {
    const failures = this.state.failures + 1;
    if (!this.state.ok) {
      this.state = { ...this.state, failures };
      return;
    }
    this.state = { ok: false, reason: reasonOf(err), since: this.now(), failures };
    this.emit();
  }

  /** A write went through: the ledger is back. */
  up(): void {
    if (this.state.ok) return;
    this.state = { ok: true, failures: this.state.failures };
    this.emit();
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Calls `listener` on each change between up and down. */
  onChange(listener: (health: LedgerHealth) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the ledger is up (at once when it is). */
  whenUp(): Promise<void> {
    if (this.state.ok) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Wakes whoever waits for the ledger, when it is closing: they find it closed and give up. */
  release(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private emit(): void {
    for (const listener of this.listeners) {
      try {
        listener(this.state);
      } catch {
        /* a listener's failure is its own */
      }
    }
  }
}

function reasonOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

/** Thrown to those still waiting on a ledger that was closed during an outage. */
export class LedgerClosedError extends LgspError {
  constructor(reason: string | undefined, options?: { cause?: unknown }) {
    super('LEDGER_CLOSED', `the ledger was closed while it could not be written${reason ? ` (${reason})` : ''}`, options);
  }
}
