/**
 * Checking the hash chain of a ledger file: where it breaks, if it does. The stored answers (kept a
 * while for redelivery) are checked too: each must hash to the response hash of its record, which
 * the chain covers, so an answer changed after it was recorded shows. Their queue and properties
 * are outside the chain.
 */
import Database from 'better-sqlite3';
import { sha256 } from '../protocol/jws.ts';
import { HeadCheck, type HeadKeys, type HeadRow } from './heads.ts';
import type { TransactionRecord } from './ledger.ts';
import { chainHash, column, FIELDS, GENESIS } from './schema.ts';

export interface ChainReport {
  readonly records: number;
  /** The first record whose hash or link does not hold, with what is wrong. */
  readonly broken?: { seq: number; tx: string; problem: string };
  /** Checked against signed heads: the records after the last one, which no head vouches for yet. */
  readonly unsigned?: number;
}

/**
 * A chain walk with its signed heads checked beside it (heads.ts), when keys are given; a walk
 * of the chain alone otherwise.
 */
export class LedgerWalk {
  readonly chain: ChainWalk;
  private readonly heads?: HeadCheck;

  private constructor(anchor: { seq: number; hash: string } | undefined, keys: HeadKeys | undefined) {
    this.chain = new ChainWalk(anchor?.hash);
    this.heads = keys && new HeadCheck(keys);
  }

  /** Starts a walk: with `keys`, the heads are verified first. */
  static async start(anchor: { seq: number; hash: string } | undefined, keys: HeadKeys | undefined, heads: () => Promise<readonly HeadRow[]>): Promise<LedgerWalk> {
    const walk = new LedgerWalk(anchor, keys);
    if (walk.heads) await walk.heads.load(await heads(), anchor);
    return walk;
  }

  /** Takes the next record; false once something does not hold. */
  step(row: ChainRow): boolean {
    if (this.heads?.broken) return false;
    return this.chain.step(row) && (this.heads?.step(row.seq, row.tx, row.hash) ?? true);
  }

  /** The report once every record was taken; `after(seq)` counts the records after `seq`. */
  async finish(after: (seq: number) => Promise<number>): Promise<ChainReport> {
    if (this.chain.broken || this.heads?.broken) return this.report;
    if (!this.heads) return this.chain.report;
    const end = this.heads.finish();
    if (end.broken) return { records: this.chain.records, broken: end.broken };
    const unsigned = end.lastSeq === undefined ? this.chain.records : await after(end.lastSeq);
    return unsigned > 0 ? { records: this.chain.records, unsigned } : { records: this.chain.records };
  }

  get report(): ChainReport {
    const broken = this.chain.broken ?? this.heads?.broken;
    return broken ? { records: this.chain.records, broken } : { records: this.chain.records };
  }
}

/** A stored record with its place in the chain. */
export type ChainRow = TransactionRecord & { seq: number; prev_hash: string; hash: string };

/** The columns of a ChainRow, for a SELECT on either ledger. */
export const CHAIN_COLUMNS = `seq, prev_hash, hash, ${FIELDS.map((f) => `${column(f)} AS "${f}"`).join(', ')}`;

/** Walks records in chain order from `anchor` (or the start); the first that breaks the chain, if any. */
export class ChainWalk {
  private prev: string;
  records = 0;
  broken?: ChainReport['broken'];

  constructor(anchor: string | undefined) {
    this.prev = anchor ?? GENESIS;
  }

  /** Takes the next record; false once the chain is broken. */
  step(row: ChainRow): boolean {
    this.records += 1;
    if (row.prev_hash !== this.prev) this.broken = { seq: row.seq, tx: row.tx, problem: 'its link to the record before does not match (a record was removed or reordered)' };
    else if (chainHash(this.prev, row) !== row.hash) this.broken = { seq: row.seq, tx: row.tx, problem: 'its content does not match its hash (the record was changed)' };
    this.prev = row.hash;
    return !this.broken;
  }

  get report(): ChainReport {
    return this.broken ? { records: this.records, broken: this.broken } : { records: this.records };
  }
}

/** A stored answer beside the record it answers (absent when no record has its transaction). */
export interface AnswerRow {
  readonly tx: string;
  readonly jws: string;
  readonly seq: number | null;
  readonly responseHash: string | null;
}

/** The SELECT of AnswerRows, the same on either ledger. */
export const ANSWER_ROWS_SQL = 'SELECT a.tx AS tx, a.jws AS jws, t.seq AS seq, t.response_hash AS "responseHash" FROM answers a LEFT JOIN transactions t ON t.tx = a.tx ORDER BY a.tx';

/** The first stored answer that its record does not vouch for, as a break of the chain. */
export function answerBreak(row: AnswerRow): ChainReport['broken'] | undefined {
  if (row.seq === null) return { seq: 0, tx: row.tx, problem: 'a stored answer has no record (a record was removed, or the answer forged)' };
  if (sha256(row.jws) !== row.responseHash) return { seq: row.seq, tx: row.tx, problem: "its stored answer does not match the record's response hash (the answer was changed)" };
  return undefined;
}

/**
 * Walks the chain of the SQLite ledger at `file` in order and reports the first break; with
 * `keys`, against its signed heads too (heads.ts).
 */
export async function verifyChain(file: string, keys?: HeadKeys): Promise<ChainReport> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const anchor = db.prepare('SELECT seq, hash FROM chain_anchor').get() as { seq: number; hash: string } | undefined;
    const hasHeads = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chain_heads'").get() !== undefined;
    const walk = await LedgerWalk.start(anchor, keys, async () => (hasHeads ? db.prepare('SELECT seq, hash, jws FROM chain_heads ORDER BY id').all() as HeadRow[] : []));
    for (const row of db.prepare(`SELECT ${CHAIN_COLUMNS} FROM transactions ORDER BY seq`).iterate() as Iterable<ChainRow>) {
      if (!walk.step(row)) return walk.report;
    }
    for (const row of db.prepare(ANSWER_ROWS_SQL).iterate() as Iterable<AnswerRow>) {
      const broken = answerBreak(row);
      if (broken) return { records: walk.chain.records, broken };
    }
    return await walk.finish(async (seq) => (db.prepare('SELECT count(*) AS n FROM transactions WHERE seq > ?').get(seq) as { n: number }).n);
  } finally {
    db.close();
  }
}
