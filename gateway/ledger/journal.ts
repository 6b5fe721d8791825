/**
 * The journal (docs/protocol.md §6): per transaction, what an integrator needs to debug it — the
 * request and the answer as they were at the door (HTTP, SOAP or AMQP, as received and sent), the
 * signed messages, the attestation, each check passed or the one that failed with its violations.
 * On in `lgsp up` (its data is synthetic), off by default for a gateway others share
 * (`--journal`). Kept beside the ledger for a week; each entry's detail is cut at 256 KiB.
 */
import type Database from 'better-sqlite3';

/** The HTTP doors, by the names the journal, the metrics and `x-lgsp-door` give them (their paths: adapters/http/doors.ts). */
export const HTTP_DOORS = ['http', 'dvcqg', 'lgsp', 'soap'] as const;
export type HttpDoor = (typeof HTTP_DOORS)[number];

/** Where a step happened: the bus (`amqp`), the gateway's checks (`gateway`), or an HTTP door. */
export type JournalDoor = 'amqp' | 'gateway' | HttpDoor;

/** Every step a journal holds, in words (docs/protocol.md §6). */
export const JOURNAL_STEPS = [
  'request at the door', 'answer at the door',
  'received on the ingress', 'checks passed', 'refused', 'forwarded to the provider',
  'reply received from the provider', 'a reply not signed by the provider, set aside', 'a reply not matched to its request, set aside', 'reply checks passed',
  'answer delivered to the client', 'error delivered', 'receipt delivered',
] as const;
export type JournalStep = (typeof JOURNAL_STEPS)[number];

export interface JournalEntry {
  readonly at: number;
  readonly door: JournalDoor;
  readonly what: JournalStep;
  readonly detail: unknown;
}

export interface Journal {
  /** Adds entries to transaction `tx`'s journal (several parts of the gateway add theirs). */
  add(tx: string, entries: readonly JournalEntry[]): void;
  /** The entries of `tx`, in the order they happened. */
  entries(tx: string): JournalEntry[];
}

export const JOURNAL_DETAIL_MAX = 256 * 1024;
/** Entries kept in memory while the journal cannot be written (the disk full); the oldest go first past it. */
export const JOURNAL_HELD_MAX = 10_000;
export const JOURNAL_RETENTION_MS = 7 * 24 * 3_600_000;

/** A detail as stored: JSON, cut (and said to be cut) past JOURNAL_DETAIL_MAX characters. */
function detailText(detail: unknown): string {
  const text = JSON.stringify(detail ?? null);
  return text.length <= JOURNAL_DETAIL_MAX ? text : JSON.stringify({ cut: `${text.length} characters, the first ${JOURNAL_DETAIL_MAX} kept`, start: text.slice(0, JOURNAL_DETAIL_MAX) });
}

const byTime = (a: JournalEntry, b: JournalEntry) => a.at - b.at;

/** A journal in memory, for tests: the latest 10,000 transactions. */
export class MemoryJournal implements Journal {
  private readonly byTx = new Map<string, JournalEntry[]>();

  add(tx: string, entries: readonly JournalEntry[]): void {
    const list = this.byTx.get(tx) ?? [];
    list.push(...entries.map((e) => ({ ...e, detail: JSON.parse(detailText(e.detail)) as unknown })));
    this.byTx.set(tx, list);
    if (this.byTx.size > 10_000) this.byTx.delete(this.byTx.keys().next().value!);
  }

  entries(tx: string): JournalEntry[] {
    return [...(this.byTx.get(tx) ?? [])].sort(byTime);
  }
}

export const JOURNAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, tx TEXT NOT NULL, at INTEGER NOT NULL, door TEXT NOT NULL, what TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS journal_tx ON journal (tx);
`;

/** Reads a transaction's journal from a ledger database (the operator server's read-only connection). */
export function journalOf(db: Database.Database, tx: string): JournalEntry[] {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal'").get();
  if (!exists) return [];
  const rows = db.prepare('SELECT at, door, what, detail FROM journal WHERE tx = ? ORDER BY at, seq').all(tx) as { at: number; door: string; what: string; detail: string }[];
  // As written by this module: a door and a step of the unions above.
  return rows.map((r) => ({ at: r.at, door: r.door as JournalDoor, what: r.what as JournalStep, detail: JSON.parse(r.detail) as unknown }));
}

/**
 * The journal in the ledger's SQLite database, written in batches off the message path: an
 * entry is debugging help, never a reason to hold an answer.
 */
export class SqliteJournal implements Journal {
  private pending: Array<[string, JournalEntry]> = [];
  private scheduled = false;
  private readonly insert: Database.Statement;
  private readonly writeBatch: (batch: Array<[string, JournalEntry]>) => void;
  private readonly pruning: NodeJS.Timeout;

  constructor(private readonly db: Database.Database, private readonly now: () => number = Date.now) {
    db.exec(JOURNAL_SCHEMA);
    this.insert = db.prepare('INSERT INTO journal (tx, at, door, what, detail) VALUES (?, ?, ?, ?, ?)');
    this.writeBatch = db.transaction((batch: Array<[string, JournalEntry]>) => {
      for (const [tx, e] of batch) this.insert.run(tx, e.at, e.door, e.what, detailText(e.detail));
    });
    this.pruning = setInterval(() => this.prune(), 3_600_000);
    this.pruning.unref();
    this.prune();
  }

  add(tx: string, entries: readonly JournalEntry[]): void {
    for (const e of entries) this.pending.push([tx, e]);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  entries(tx: string): JournalEntry[] {
    this.flush();
    return journalOf(this.db, tx);
  }

  /** Entries dropped because the journal could not be written for long (counted, never a reason to stop). */
  dropped = 0;

  /**
   * Writes what is pending now (also on close). A write that fails (the disk full) keeps the
   * entries for the next one, up to JOURNAL_HELD_MAX; the journal never holds up an answer nor
   * ends the process.
   */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending.splice(0);
    if (batch.length === 0 || !this.db.open) return;
    try {
      this.writeBatch(batch);
    } catch {
      this.pending = [...batch, ...this.pending];
      const over = this.pending.length - JOURNAL_HELD_MAX;
      if (over > 0) {
        this.pending.splice(0, over);
        this.dropped += over;
      }
    }
  }

  close(): void {
    clearInterval(this.pruning);
    this.flush();
  }

  private prune(): void {
    try {
      this.db.prepare('DELETE FROM journal WHERE at < ?').run(this.now() - JOURNAL_RETENTION_MS);
    } catch {
      /* the disk full: the next hour's prune tries again */
    }
  }
}

/** A journal that also hands every entry to `tap` as it is added (a conformance check watching a system). */
export function tappedJournal(inner: Journal | undefined, tap: (tx: string, entries: readonly JournalEntry[]) => void): Journal {
  return {
    add(tx, entries) {
      inner?.add(tx, entries);
      tap(tx, entries);
    },
    entries: (tx) => inner?.entries(tx) ?? [],
  };
}

/** The body of the message a transaction's journal holds as received on the ingress, if it does. */
export function requestBodyOf(entries: readonly JournalEntry[]): Record<string, unknown> | undefined {
  const received = entries.find((e) => e.what === 'received on the ingress')?.detail as { body?: unknown } | undefined;
  if (typeof received?.body !== 'string') return undefined;
  try {
    const payload = JSON.parse(Buffer.from(received.body.split('.')[1] ?? '', 'base64url').toString('utf8')) as { body?: unknown };
    return payload.body && typeof payload.body === 'object' && !Array.isArray(payload.body) ? payload.body as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}
