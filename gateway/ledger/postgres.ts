/**
 * The ledger on PostgreSQL (docs/scale-out.md §4), for several gateway instances that share one:
 * the same records, answers and hash chain as the SQLite ledger, and one owner of "seen this
 * message" for every instance. Records are written in batches (a turn of the event loop's worth),
 * each batch in one database transaction that holds an advisory lock, so that the writers of
 * every instance take turns and the chain stays one sequence: one chain overall, which an
 * auditor checks in one walk whichever instance wrote what. When the database cannot be reached
 * (a connection reset or refused, the server restarting), a batch stays queued and is written
 * again after a pause, and reads wait for the database to come back (outage.ts); only an error
 * in what is written (a constraint, a bad value) fails at once.
 */
import pg from 'pg';
import { ANSWER_RETENTION_MS, QueuedUses, USES_ID_SQL, type Ledger, type LedgerHealth, type PriorUse, type StoredAnswer, type TransactionRecord } from './ledger.ts';
import { LedgerClosedError, LedgerOutage, retryPause } from './outage.ts';
import { chainHash, column, FIELDS, GENESIS } from './schema.ts';
import { HEAD_INTERVAL_MS, signHead } from './heads.ts';
import { CHAIN_LOCK, isPassingPgError, poolFor, safePgUrl, SCHEMA } from './postgres-db.ts';
import type { SigningKey } from '../protocol/keys.ts';

export interface PgLedgerOptions {
  /**
   * `postgres://user:password@host:port/database`, with `?schema=<name>` for a schema of its own
   * (default `public`; made if missing).
   */
  readonly url: string;
  readonly maxBatch?: number;
  /** Records older than this many days are removed, once an hour and at start. */
  readonly retentionDays?: number;
  readonly now?: () => number;
  /** The gateway's key: the ledger signs the chain's head with it at intervals and at close (heads.ts). */
  readonly signer?: SigningKey;
  readonly headIntervalMs?: number;
}

interface Queued {
  record: TransactionRecord;
  answer?: StoredAnswer;
  resolve(inserted: boolean): void;
  reject(err: Error): void;
}

const COLUMNS = [...FIELDS.map(column), 'prev_hash', 'hash'];
const INSERT = `INSERT INTO transactions (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT DO NOTHING RETURNING seq`;

export class PgLedger implements Ledger {
  private queue: Queued[] = [];
  private scheduled?: NodeJS.Immediate;
  /** The batch being written: one at a time, in order. */
  private writing: Promise<void> = Promise.resolve();
  private readonly queuedUses = new QueuedUses();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly maxBatch: number;
  private readonly outage: LedgerOutage;
  private closed = false;

  private constructor(private readonly pool: pg.Pool, private readonly options: PgLedgerOptions) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.outage = new LedgerOutage(options.now);
  }

  health(): LedgerHealth {
    return this.outage.health;
  }

  onHealth(listener: (health: LedgerHealth) => void): () => void {
    return this.outage.onChange(listener);
  }

  /**
   * Runs `work` (a read, or a batch's write), waiting out an outage: while the database cannot be
   * reached it tries again after each pause (outage.ts), until it goes through or the ledger
   * closes (LedgerClosedError then); an error no retry mends is thrown at once.
   */
  private async retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await work();
        this.outage.up();
        return result;
      } catch (err) {
        if (!isPassingPgError(err)) throw err;
        if (this.closed) throw new LedgerClosedError((err as Error).message, { cause: err });
        this.outage.down(err);
        await new Promise((r) => setTimeout(r, retryPause(attempt)));
      }
    }
  }

  /** Connects, and makes the schema and tables if they are missing. */
  static async open(options: PgLedgerOptions): Promise<PgLedger> {
    const { pool, schema } = poolFor(options.url);
    const client = await pool.connect().catch((cause: Error) => {
      void pool.end();
      throw new Error(`cannot reach the PostgreSQL ledger at ${safePgUrl(options.url)}: ${cause.message}`, { cause });
    });
    try {
      await client.query('BEGIN');
      // Several gateways starting at once: one makes the tables, the others wait for it.
      await client.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      await client.query(SCHEMA(schema));
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      await pool.end();
      throw err;
    }
    client.release();
    const ledger = new PgLedger(pool, options);
    const answers = setInterval(() => void ledger.pruneAnswers().catch(() => undefined), 60_000);
    answers.unref();
    ledger.timers.push(answers);
    if (options.signer) {
      const heads = setInterval(() => void ledger.signHead().catch(() => undefined), options.headIntervalMs ?? HEAD_INTERVAL_MS);
      heads.unref();
      ledger.timers.push(heads);
    }
    if (options.retentionDays) {
      await ledger.prune(options.retentionDays);
      const retention = setInterval(() => void ledger.prune(options.retentionDays!).catch(() => undefined), 3_600_000);
      retention.unref();
      ledger.timers.push(retention);
    }
    return ledger;
  }

  record(record: TransactionRecord, answer?: StoredAnswer): Promise<boolean> {
    if (this.closed) return Promise.reject(new LedgerClosedError(undefined));
    return new Promise((resolve, reject) => {
      this.queuedUses.add(record);
      this.queue.push({ record, answer, resolve, reject });
      if (this.queue.length >= this.maxBatch) void this.flush();
      else this.scheduled ??= setImmediate(() => void this.flush());
    });
  }

  async answerOf(tx: string): Promise<StoredAnswer | undefined> {
    const queued = this.queue.find((q) => q.record.tx === tx)?.answer;
    if (queued) return queued;
    const { rows } = await this.retrying(() => this.pool.query<{ queue: string; jws: string; props: string }>('SELECT queue, jws, props FROM answers WHERE tx = $1', [tx]));
    const row = rows[0];
    return row && { queue: row.queue, jws: row.jws, props: JSON.parse(row.props) as StoredAnswer['props'] };
  }

  async priorUse(client: string, messageId: string): Promise<PriorUse | undefined> {
    const queued = this.queuedUses.get(client, messageId);
    if (queued) return queued;
    const { rows } = await this.retrying(() => this.pool.query<PriorUse>(
      `SELECT tx, request_hash AS "requestHash" FROM transactions WHERE client = $1 AND message_id = $2 AND ${USES_ID_SQL} LIMIT 1`, [client, messageId],
    ));
    return rows[0];
  }

  /** Writes what is queued; resolves once it is written (or failed, each record's promise saying so). */
  flush(): Promise<void> {
    clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return this.writing;
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  /** Writes one batch, trying again after each pause while the database cannot be reached. */
  private async write(batch: Queued[]): Promise<void> {
    try {
      await this.retrying(() => this.writeOnce(batch));
      this.forgetQueued(batch);
    } catch (err) {
      this.fail(batch, err as Error);
    }
  }

  /** One try at a batch: resolves each record's promise once committed; throws what failed. */
  private async writeOnce(batch: Queued[]): Promise<void> {
    const inserted: boolean[] = [];
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      const last = await client.query<{ hash: string }>('SELECT hash FROM transactions ORDER BY seq DESC LIMIT 1');
      const anchor = last.rows[0] ? undefined : await client.query<{ hash: string }>('SELECT hash FROM chain_anchor');
      let prev = last.rows[0]?.hash ?? anchor?.rows[0]?.hash ?? GENESIS;
      for (const q of batch) {
        const hash = chainHash(prev, q.record);
        const values = FIELDS.map((f) => q.record[f] ?? null);
        const { rowCount } = await client.query(INSERT, [...values, prev, hash]);
        inserted.push(rowCount === 1);
        if (rowCount === 1) prev = hash;
        // A second record of a message id keeps the first one's answer: what was delivered stays what is held.
        if (q.answer && rowCount === 1) {
          await client.query('INSERT INTO answers (tx, at, queue, jws, props) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tx) DO UPDATE SET at = EXCLUDED.at, queue = EXCLUDED.queue, jws = EXCLUDED.jws, props = EXCLUDED.props',
            [q.record.tx, this.now(), q.answer.queue, q.answer.jws, JSON.stringify(q.answer.props)]);
        }
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A client whose connection failed is thrown away, not handed out again.
      client.release(isPassingPgError(err) ? (err as Error) : undefined);
      throw err;
    }
    client.release();
    batch.forEach((q, i) => q.resolve(inserted[i]!));
  }

  private fail(batch: Queued[], err: Error): void {
    this.forgetQueued(batch);
    for (const q of batch) q.reject(err);
  }

  private forgetQueued(batch: Queued[]): void {
    this.queuedUses.forget(batch.map((q) => q.record));
  }

  /**
   * Signs the chain's head, if it grew since the last head any instance signed, under the chain's
   * lock: every instance signs what is the one chain's end at that moment.
   */
  async signHead(): Promise<void> {
    const signer = this.options.signer;
    if (!signer) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      const last = (await client.query<{ seq: number; hash: string }>('SELECT seq, hash FROM transactions ORDER BY seq DESC LIMIT 1')).rows[0];
      const head = (await client.query<{ seq: number; jws: string }>('SELECT seq, jws FROM chain_heads ORDER BY id DESC LIMIT 1')).rows[0];
      if (last && last.seq !== head?.seq) {
        const signed = await signHead(signer, last.seq, last.hash, this.now(), head?.jws);
        await client.query('INSERT INTO chain_heads (seq, hash, at, jws) VALUES ($1, $2, $3, $4)', [signed.seq, signed.hash, this.now(), signed.jws]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Forgets answers older than ANSWER_RETENTION_MS. */
  async pruneAnswers(): Promise<number> {
    return (await this.pool.query('DELETE FROM answers WHERE at < $1', [this.now() - ANSWER_RETENTION_MS])).rowCount ?? 0;
  }

  /** Removes records older than `days`, keeping the chain checkable from the first one left. */
  async prune(days: number): Promise<number> {
    const cutoff = this.now() - days * 86_400_000;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      const oldest = (await client.query<{ seq: number; hash: string }>('SELECT seq, hash FROM transactions WHERE request_in < $1 ORDER BY seq DESC LIMIT 1', [cutoff])).rows[0];
      // A signing ledger anchors at the last signed head among the old records: its start is vouched for too.
      const last = oldest && this.options.signer
        ? (await client.query<{ seq: number; hash: string }>('SELECT seq, hash FROM chain_heads WHERE seq <= $1 ORDER BY seq DESC LIMIT 1', [oldest.seq])).rows[0]
        : oldest;
      if (!last) {
        await client.query('COMMIT');
        return 0;
      }
      await client.query('DELETE FROM chain_heads WHERE seq < $1', [last.seq]);
      await client.query('INSERT INTO chain_anchor (id, seq, hash) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash', [last.seq, last.hash]);
      const removed = (await client.query('DELETE FROM transactions WHERE seq <= $1', [last.seq])).rowCount ?? 0;
      await client.query('COMMIT');
      return removed;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async close(): Promise<void> {
    this.closed = true; // a batch still failing now fails, and says so, instead of waiting
    await this.flush();
    this.outage.release();
    // The head at stop: everything written is vouched for (unless the database is gone).
    await this.signHead().catch(() => undefined);
    for (const t of this.timers) clearInterval(t);
    await this.pool.end();
  }
}
