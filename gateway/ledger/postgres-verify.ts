/** Checking the chain of a PostgreSQL ledger (docs/protocol.md §6): where it breaks, if it does. */
import { type HeadKeys, type HeadRow } from './heads.ts';
import { poolFor } from './postgres-db.ts';
import { ANSWER_ROWS_SQL, answerBreak, CHAIN_COLUMNS, LedgerWalk, type AnswerRow, type ChainReport, type ChainRow } from './verify.ts';

/**
 * Walks the chain of the PostgreSQL ledger at `url` in order, a page at a time, and reports the
 * first break; with `keys`, against its signed heads too (heads.ts).
 */
export async function verifyPgChain(url: string, keys?: HeadKeys): Promise<ChainReport> {
  const { pool } = poolFor(url);
  try {
    const anchor = (await pool.query<{ seq: number; hash: string }>('SELECT seq, hash FROM chain_anchor')).rows[0];
    const walk = await LedgerWalk.start(anchor, keys, async () => (await pool.query<HeadRow>('SELECT seq, hash, jws FROM chain_heads ORDER BY id')).rows);
    for (let after = -1; ;) {
      const { rows } = await pool.query<ChainRow>(`SELECT ${CHAIN_COLUMNS} FROM transactions WHERE seq > $1 ORDER BY seq LIMIT 10000`, [after]);
      for (const row of rows) if (!walk.step(row)) return walk.report;
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.seq;
    }
    // The answers are kept for minutes only: few enough to read at once.
    for (const row of (await pool.query<AnswerRow>(ANSWER_ROWS_SQL)).rows) {
      const broken = answerBreak(row);
      if (broken) return { records: walk.chain.records, broken };
    }
    return await walk.finish(async (seq) => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM transactions WHERE seq > $1', [seq])).rows[0]!.n));
  } finally {
    await pool.end();
  }
}
