/**
 * The durable ledger (docs/protocol.md §6): SQLite in LGSP_HOME, written in batches by one writer, each
 * record chained to the one before by a SHA-256 hash so that tampering shows. `record()`
 * resolves once its batch is committed, and the gateway acknowledges the message only then:
 * a killed gateway loses no record of an accepted message. WAL with synchronous=NORMAL
 * survives a killed process (not a lost machine, which needs synchronous=FULL).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Ledger, TransactionRecord } from './ledger.ts';
import { chainHash, column, FIELDS, GENESIS, SCHEMA } from './schema.ts';

export interface SqliteLedgerOptions {
  readonly file: string;
  /** Longest wait before a batch is written, in ms. */
  readonly flushMs?: number;
  readonly maxBatch?: number;
  /** Records older than this many days are removed, once an hour and at start. */
  readonly retentionDays?: number;
  readonly now?: () => number;
}

interface Queued {
  record: TransactionRecord;
  resolve(): void;
  reject(err: Error): void;
}

export class SqliteLedger implements Ledger {
  readonly db: Database.Database;
  private queue: Queued[] = [];
  private timer?: NodeJS.Timeout;
  private retention?: NodeJS.Timeout;
  private lastHash: string;
  private readonly insert: Database.Statement;
  private readonly writeBatch: (batch: Queued[]) => void;
  private readonly flushMs: number;
  private readonly maxBatch: number;

  constructor(private readonly options: SqliteLedgerOptions) {
    mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.flushMs = options.flushMs ?? 5;
    this.maxBatch = options.maxBatch ?? 1000;
    const last = this.db.prepare('SELECT hash FROM transactions ORDER BY seq DESC LIMIT 1').get() as { hash: string } | undefined;
    const anchor = this.db.prepare('SELECT hash FROM chain_anchor').get() as { hash: string } | undefined;
    this.lastHash = last?.hash ?? anchor?.hash ?? GENESIS;
    const columns = [...FIELDS.map(column), 'prev_hash', 'hash'];
    this.insert = this.db.prepare(`INSERT OR IGNORE INTO transactions (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    this.writeBatch = this.db.transaction((batch: Queued[]) => {
      for (const { record } of batch) {
        const hash = chainHash(this.lastHash, record);
        const values = FIELDS.map((f) => record[f] ?? null);
        if (this.insert.run(...values, this.lastHash, hash).changes === 1) this.lastHash = hash;
      }
    });
    if (options.retentionDays) {
      this.prune(options.retentionDays);
      this.retention = setInterval(() => this.prune(options.retentionDays!), 3_600_000);
      this.retention.unref();
    }
  }

  record(record: TransactionRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
    });
  }

  /** Writes what is queued, now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const chainBefore = this.lastHash;
    try {
      this.writeBatch(batch);
    } catch (err) {
      this.lastHash = chainBefore; // the transaction rolled back
      for (const q of batch) q.reject(err as Error);
      return;
    }
    for (const q of batch) q.resolve();
  }

  /** Removes records older than `days`, keeping the chain checkable from the first one left. */
  prune(days: number): number {
    const cutoff = (this.options.now ?? Date.now)() - days * 86_400_000;
    return this.db.transaction(() => {
      const last = this.db.prepare('SELECT seq, hash FROM transactions WHERE request_in < ? ORDER BY seq DESC LIMIT 1').get(cutoff) as { seq: number; hash: string } | undefined;
      if (!last) return 0;
      this.db.prepare('INSERT INTO chain_anchor (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash').run(last.seq, last.hash);
      return this.db.prepare('DELETE FROM transactions WHERE seq <= ?').run(last.seq).changes;
    })();
  }

  async close(): Promise<void> {
    this.flush();
    clearInterval(this.retention);
    this.db.close();
  }
}
