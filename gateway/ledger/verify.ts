/** Checking the hash chain of a ledger file: where it breaks, if it does. */
import Database from 'better-sqlite3';
import type { TransactionRecord } from './ledger.ts';
import { chainHash, column, FIELDS, GENESIS } from './schema.ts';

export interface ChainReport {
  readonly records: number;
  /** The first record whose hash or link does not hold, with what is wrong. */
  readonly broken?: { seq: number; tx: string; problem: string };
}

/** Walks the chain of the ledger at `file` in order and reports the first break. */
export function verifyChain(file: string): ChainReport {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const anchor = db.prepare('SELECT hash FROM chain_anchor').get() as { hash: string } | undefined;
    let prev = anchor?.hash ?? GENESIS;
    let records = 0;
    const select = `SELECT seq, prev_hash, hash, ${FIELDS.map((f) => `${column(f)} AS "${f}"`).join(', ')} FROM transactions ORDER BY seq`;
    for (const row of db.prepare(select).iterate() as Iterable<TransactionRecord & { seq: number; prev_hash: string; hash: string }>) {
      records += 1;
      if (row.prev_hash !== prev) return { records, broken: { seq: row.seq, tx: row.tx, problem: 'its link to the record before does not match (a record was removed or reordered)' } };
      if (chainHash(prev, row) !== row.hash) return { records, broken: { seq: row.seq, tx: row.tx, problem: 'its content does not match its hash (the record was changed)' } };
      prev = row.hash;
    }
    return { records };
  } finally {
    db.close();
  }
}
