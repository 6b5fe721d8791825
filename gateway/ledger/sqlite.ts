/**
 * The durable ledger (docs/protocol.md §6): SQLite in LGSP_HOME, written in batches by one writer, each
 * record chained to the one before by a SHA-256 hash so that tampering shows. `record()`
 * resolves once its batch is committed, and the gateway acknowledges the message only then:
 * a killed gateway loses no record of an accepted message. WAL with synchronous=NORMAL
 * survives a killed process (not a lost machine, which needs synchronous=FULL). A batch that
 * cannot be written for a reason time can mend (the disk full, the file read-only, a lock held by
 * another process) stays queued and is tried again after a pause (outage.ts); meanwhile the
 * ledger says it is down, and the gateway takes no new messages.
 */
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ANSWER_RETENTION_MS, QueuedUses, USES_ID_SQL, type Ledger, type LedgerHealth, type PriorUse, type StoredAnswer, type TransactionRecord } from './ledger.ts';
import { LedgerClosedError, LedgerOutage, retryPause } from './outage.ts';
import { HEAD_INTERVAL_MS, HEADS_SCHEMA, signHead } from './heads.ts';
import type { SigningKey } from '../protocol/keys.ts';
import { chainHash, column, FIELDS, GENESIS, SCHEMA } from './schema.ts';

export interface SqliteLedgerOptions {
  readonly file: string;
  /**
   * Longest wait before a batch is written, in ms. 0 (the default): the records of one turn of the
   * event loop are written together at its end (group commit), so a lone transaction waits for no
   * timer and a busy gateway still writes in batches.
   */
  readonly flushMs?: number;
  readonly maxBatch?: number;
  /** Records older than this many days are removed, once an hour and at start. */
  readonly retentionDays?: number;
  readonly now?: () => number;
  /** How long a write waits for another process's lock before it counts as a failure (ms; default 250). */
  readonly busyTimeoutMs?: number;
  /**
   * The gateway's key: with it the ledger signs its chain's head every `headIntervalMs` while the
   * chain grows, and when it closes (heads.ts), and anchors retention at a signed head.
   */
  readonly signer?: SigningKey;
  readonly headIntervalMs?: number;
}

/**
 * SQLite's result codes for a write that may go through later: the disk full, an I/O error, the
 * file read-only or unopenable, a lock held. Anything else (a constraint, a bad value) is a bug
 * no retry mends, and fails its batch at once.
 */
const PASSING = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|PROTOCOL|NOLFS|PERM|AUTH)/;

/** True for an error that a later try may not meet. */
export function isPassingSqliteError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && PASSING.test(code);
}

interface Queued {
  record: TransactionRecord;
  answer?: StoredAnswer;
  resolve(inserted: boolean): void;
  reject(err: Error): void;
  inserted?: boolean;
}

export class SqliteLedger implements Ledger {
  readonly db: Database.Database;
  private queue: Queued[] = [];
  private timer?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;
  private retention?: NodeJS.Timeout;
  private lastHash: string;
  private readonly insert: Database.Statement;
  private readonly findUse: Database.Statement;
  private readonly insertAnswer: Database.Statement;
  private readonly findAnswer: Database.Statement;
  private answersPruned?: NodeJS.Timeout;
  /** Uses of message ids in records queued and not yet written, so a lookup sees them too. */
  private readonly queuedUses = new QueuedUses();
  private readonly writeBatch: (batch: Queued[]) => void;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly outage: LedgerOutage;
  /** The retry of a batch that could not be written, while one is scheduled. */
  private retry?: NodeJS.Timeout;
  private attempts = 0;
  private closed = false;
  /** The last record written (its place in the chain) and the last head signed. */
  private lastSeq = 0;
  private signedSeq = 0;
  private lastHead?: string;
  private heads?: NodeJS.Timeout;
  private signing?: Promise<void>;

  constructor(private readonly options: SqliteLedgerOptions) {
    mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file, { timeout: options.busyTimeoutMs ?? 250 });
    // It holds who called what, about whom: its owner's alone (SQLite gives its -wal and -shm the same mode).
    chmodSync(options.file, 0o600);
    this.outage = new LedgerOutage(options.now);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.db.exec(HEADS_SCHEMA);
    this.flushMs = options.flushMs ?? 0;
    this.maxBatch = options.maxBatch ?? 1000;
    const last = this.db.prepare('SELECT seq, hash FROM transactions ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    const head = this.db.prepare('SELECT seq, jws FROM chain_heads ORDER BY id DESC LIMIT 1').get() as { seq: number; jws: string } | undefined;
    this.lastSeq = last?.seq ?? 0;
    this.signedSeq = head?.seq ?? 0;
    this.lastHead = head?.jws;
    const anchor = this.db.prepare('SELECT hash FROM chain_anchor').get() as { hash: string } | undefined;
    this.lastHash = last?.hash ?? anchor?.hash ?? GENESIS;
    const columns = [...FIELDS.map(column), 'prev_hash', 'hash'];
    this.insert = this.db.prepare(`INSERT OR IGNORE INTO transactions (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    // The unique partial index (client, message_id) answers this without a scan.
    this.findUse = this.db.prepare(`SELECT tx, request_hash AS requestHash FROM transactions WHERE client = ? AND message_id = ? AND ${USES_ID_SQL} LIMIT 1`);
    this.insertAnswer = this.db.prepare('INSERT OR REPLACE INTO answers (tx, at, queue, jws, props) VALUES (?, ?, ?, ?, ?)');
    this.findAnswer = this.db.prepare('SELECT queue, jws, props FROM answers WHERE tx = ?');
    this.writeBatch = this.db.transaction((batch: Queued[]) => {
      for (const q of batch) {
        const hash = chainHash(this.lastHash, q.record);
        const values = FIELDS.map((f) => q.record[f] ?? null);
        const run = this.insert.run(...values, this.lastHash, hash);
        q.inserted = run.changes === 1;
        if (q.inserted) {
          this.lastHash = hash;
          this.lastSeq = Number(run.lastInsertRowid);
        }
        // A second record of a message id keeps the first one's answer: what was delivered stays what is held.
        if (q.answer && q.inserted) this.insertAnswer.run(q.record.tx, this.now(), q.answer.queue, q.answer.jws, JSON.stringify(q.answer.props));
      }
    });
    // A timer's failure (the disk full) must not end the process: the next tick tries again.
    this.answersPruned = setInterval(() => this.quietly(() => this.pruneAnswers()), 60_000);
    this.answersPruned.unref();
    if (options.signer) {
      this.heads = setInterval(() => void this.signHead(), options.headIntervalMs ?? HEAD_INTERVAL_MS);
      this.heads.unref();
    }
    if (options.retentionDays) {
      this.prune(options.retentionDays);
      this.retention = setInterval(() => this.quietly(() => this.prune(options.retentionDays!)), 3_600_000);
      this.retention.unref();
    }
  }

  record(record: TransactionRecord, answer?: StoredAnswer): Promise<boolean> {
    if (this.closed) return Promise.reject(new LedgerClosedError(undefined));
    return new Promise((resolve, reject) => {
      this.queuedUses.add(record);
      this.queue.push({ record, answer, resolve, reject });
      if (this.retry) return; // down: the retry writes it
      if (this.queue.length >= this.maxBatch) this.flush();
      else if (this.flushMs === 0) this.immediate ??= setImmediate(() => this.flush());
      else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
    });
  }

  async answerOf(tx: string): Promise<StoredAnswer | undefined> {
    const queued = this.queue.find((q) => q.record.tx === tx)?.answer;
    if (queued) return queued;
    const row = this.findAnswer.get(tx) as { queue: string; jws: string; props: string } | undefined;
    return row && { queue: row.queue, jws: row.jws, props: JSON.parse(row.props) as StoredAnswer['props'] };
  }

  /** Forgets answers older than ANSWER_RETENTION_MS: they were for redelivery after a fault, which comes within minutes. */
  pruneAnswers(): number {
    return this.db.prepare('DELETE FROM answers WHERE at < ?').run(this.now() - ANSWER_RETENTION_MS).changes;
  }

  async priorUse(client: string, messageId: string): Promise<PriorUse | undefined> {
    return this.queuedUses.get(client, messageId) ?? (this.findUse.get(client, messageId) as PriorUse | undefined);
  }

  health(): LedgerHealth {
    return this.outage.health;
  }

  onHealth(listener: (health: LedgerHealth) => void): () => void {
    return this.outage.onChange(listener);
  }

  /** Writes what is queued, now (up to a batch; the rest goes next turn). */
  flush(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    if (this.queue.length > 0) this.immediate = setImmediate(() => this.flush());
    const chainBefore = this.lastHash;
    const seqBefore = this.lastSeq;
    try {
      this.writeBatch(batch);
    } catch (err) {
      this.lastHash = chainBefore; // the transaction rolled back
      this.lastSeq = seqBefore;
      const passing = isPassingSqliteError(err);
      if (passing && !this.closed) return this.keepForRetry(batch, err);
      this.forgetQueued(batch);
      const failure = passing ? new LedgerClosedError((err as Error).message, { cause: err }) : err as Error;
      for (const q of batch) q.reject(failure);
      return;
    }
    this.attempts = 0;
    this.outage.up();
    this.forgetQueued(batch);
    for (const q of batch) q.resolve(q.inserted ?? false);
  }

  /** Puts a batch that could not be written back at the head of the queue, and tries again after a pause. */
  private keepForRetry(batch: Queued[], err: unknown): void {
    clearImmediate(this.immediate);
    this.immediate = undefined;
    this.queue = [...batch, ...this.queue];
    this.attempts += 1;
    this.outage.down(err);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.flush();
    }, retryPause(this.attempts));
  }

  /**
   * Signs the chain's head if it grew since the last one, and keeps it (heads.ts). A head that
   * cannot be written (the disk full) is signed again at the next interval.
   */
  signHead(): Promise<void> {
    const signer = this.options.signer;
    if (!signer || this.signing || this.lastSeq === this.signedSeq || !this.db.open) return this.signing ?? Promise.resolve();
    const { lastSeq: seq, lastHash: hash } = this;
    this.signing = signHead(signer, seq, hash, this.now(), this.lastHead).then((head) => {
      if (!this.db.open) return;
      try {
        this.db.prepare('INSERT INTO chain_heads (seq, hash, at, jws) VALUES (?, ?, ?, ?)').run(head.seq, head.hash, this.now(), head.jws);
        this.signedSeq = seq;
        this.lastHead = head.jws;
      } catch (err) {
        if (!isPassingSqliteError(err)) throw err;
      }
    }).finally(() => {
      this.signing = undefined;
    });
    return this.signing;
  }

  private quietly(work: () => unknown): void {
    try {
      work();
    } catch (err) {
      if (!isPassingSqliteError(err)) throw err;
    }
  }

  private forgetQueued(batch: Queued[]): void {
    this.queuedUses.forget(batch.map((q) => q.record));
  }

  /**
   * Removes records older than `days`, keeping the chain checkable from the first one left: it is
   * anchored at the last signed head among the old records (a signing ledger), so that the start
   * of the chain is vouched for too.
   */
  prune(days: number): number {
    const cutoff = (this.options.now ?? Date.now)() - days * 86_400_000;
    return this.db.transaction(() => {
      const oldest = this.db.prepare('SELECT seq, hash FROM transactions WHERE request_in < ? ORDER BY seq DESC LIMIT 1').get(cutoff) as { seq: number; hash: string } | undefined;
      if (!oldest) return 0;
      const last = this.options.signer
        ? this.db.prepare('SELECT seq, hash FROM chain_heads WHERE seq <= ? ORDER BY seq DESC LIMIT 1').get(oldest.seq) as { seq: number; hash: string } | undefined
        : oldest;
      if (!last) return 0;
      this.db.prepare('DELETE FROM chain_heads WHERE seq < ?').run(last.seq);
      this.db.prepare('INSERT INTO chain_anchor (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash').run(last.seq, last.hash);
      return this.db.prepare('DELETE FROM transactions WHERE seq <= ?').run(last.seq).changes;
    })();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async close(): Promise<void> {
    clearInterval(this.heads);
    clearTimeout(this.retry);
    this.retry = undefined;
    // Closed, a batch that cannot be written fails (its callers are told) instead of waiting.
    this.closed = true;
    while (this.queue.length > 0) this.flush();
    clearImmediate(this.immediate);
    this.outage.release();
    // The head at stop: everything written is vouched for.
    await this.signing;
    await this.signHead();
    clearInterval(this.retention);
    clearInterval(this.answersPruned);
    this.db.close();
  }
}
