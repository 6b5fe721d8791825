/** Checking the hash chain of a ledger file: where it breaks, if it does. */
import Database from 'better-sqlite3';
import type { TransactionRecord } from './ledger.ts';
import { chainHash, column, FIELDS, GENESIS } from './schema.ts';

export interface ChainReport {
  readonly records: number;
  /** The first record whose hash or link does not hold, with what is wrong. */
  readonly broken?: { seq: number; tx: string; problem: string };
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

/** Walks the chain of the SQLite ledger at `file` in order and reports the first break. */
export function verifyChain(file: string): ChainReport {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const anchor = db.prepare('SELECT hash FROM chain_anchor').get() as { hash: string } | undefined;
    const walk = new ChainWalk(anchor?.hash);
    for (const row of db.prepare(`SELECT ${CHAIN_COLUMNS} FROM transactions ORDER BY seq`).iterate() as Iterable<ChainRow>) {
      if (!walk.step(row)) break;
    }
    return walk.report;
  } finally {
    db.close();
  }
}
