/**
 * What the system under test sent and was sent, as the gateway saw it through any door (the bus,
 * the REST ingress, the real APIs' facades): each transaction's ledger record, joined with its
 * message body and, for a refusal, the violations — both from the transaction's journal.
 */
import { requestBodyOf, type JournalEntry } from '../gateway/ledger/journal.ts';
import type { TransactionRecord } from '../gateway/ledger/ledger.ts';
import type { Violation } from '../gateway/protocol/errors.ts';

export interface Seen {
  readonly record: TransactionRecord;
  /** The message's body, when the journal holds the signed message. */
  readonly body?: Record<string, unknown>;
  /** Why the gateway refused it, when it did. */
  readonly refusal?: { readonly type: string; readonly message: string; readonly violations: readonly Violation[] };
  /** Why a reply was set aside (not signed by the provider), when one was. */
  readonly setAside?: string;
}

interface Notes {
  body?: Record<string, unknown>;
  refusal?: Seen['refusal'];
  setAside?: string;
}

/** Bounded: a check watches one system for minutes, not a province's year. */
const MAX_RECORDS = 100_000;

export class Traffic {
  private readonly records: TransactionRecord[] = [];
  private readonly notes = new Map<string, Notes>();
  private readonly waiters = new Set<() => void>();

  constructor(readonly system: string) {}

  /** Takes a recorded transaction (the gateway's onRecord). */
  record(record: TransactionRecord): void {
    if (record.client !== this.system && record.provider !== this.system) return;
    if (this.records.length < MAX_RECORDS) this.records.push(record);
    this.changed();
  }

  /** Takes a transaction's journal entries (the gateway's journal, as they are written). */
  journal(tx: string, entries: readonly JournalEntry[]): void {
    const notes = this.notes.get(tx) ?? {};
    for (const e of entries) {
      const d = e.detail as Record<string, unknown> | null;
      if (e.what === 'received on the ingress') notes.body = requestBodyOf([e]);
      if (e.what === 'refused' && d) notes.refusal = { type: String(d.type), message: String(d.message), violations: (d.violations as Violation[] | undefined) ?? [] };
      if (e.what === 'a reply not signed by the provider, set aside' && d) notes.setAside = String(d.reason);
    }
    if (this.notes.size < MAX_RECORDS) this.notes.set(tx, notes);
    this.changed();
  }

  /** Everything seen so far, oldest first. */
  all(): Seen[] {
    return [...this.records].sort((a, b) => a.requestIn - b.requestIn).map((record) => ({ record, ...this.notes.get(record.tx) }));
  }

  /** The transaction `tx`, once both its record and its journal are in. */
  get(tx: string): Seen | undefined {
    const record = this.records.find((r) => r.tx === tx);
    return record && { record, ...this.notes.get(tx) };
  }

  /** Resolves true as soon as `done()` holds (checked at every change), false after `ms`. */
  async until(done: () => boolean, ms: number): Promise<boolean> {
    if (done()) return true;
    return new Promise<boolean>((resolve) => {
      const check = () => {
        if (!done()) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(false), ms);
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(result);
      };
      this.waiters.add(check);
    });
  }

  private changed(): void {
    for (const w of [...this.waiters]) w();
  }
}
