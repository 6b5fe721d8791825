/**
 * PostgreSQL for tests: `PG_URL` (CI's `.ci/run` starts the machine's PostgreSQL and sets it).
 * Each test works in a schema of its own, dropped afterwards. Without PG_URL the suites are
 * skipped with a visible notice — except under CI=true, where that fails the run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describeNeeding, itNeeding, type Need } from './needs.ts';

export const PG_URL = process.env.PG_URL || undefined;

/** What a PostgreSQL suite or test needs. */
const POSTGRES: Need = {
  available: PG_URL !== undefined,
  inCi: 'CI=true but PG_URL is not set: this needs PostgreSQL (see .ci/run)',
  notice: 'PG_URL is not set — this needs PostgreSQL (e.g. PG_URL=postgres://user:password@127.0.0.1:5432/db).',
  missing: 'PG_URL not set',
  placeholder: 'needs PostgreSQL',
};

/** `describe` for a suite that needs PostgreSQL. */
export function describePg(name: string, body: () => void): void {
  describeNeeding(POSTGRES, name, body);
}

/** A fresh schema name, and the ledger URL that uses it. */
export function ownSchema(): { schema: string; url: string } {
  const schema = `lgsp_t${randomBytes(4).toString('hex')}`;
  const url = new URL(PG_URL!);
  url.searchParams.set('schema', schema);
  return { schema, url: url.toString() };
}

/** Runs SQL (`?` placeholders) in `schema`. */
export async function sqlIn(schema: string, sql: string, ...params: unknown[]): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    let i = 0;
    const { rows } = await client.query(sql.replace(/\?/g, () => `$${++i}`), params);
    // Counts come back as 64-bit strings: as numbers here, as the SQLite suite has them.
    return rows.map((r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) && (k === 'n' || k === 'seq') ? Number(v) : v])));
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await sqlIn('public', `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}

/** `it` for a test that needs PostgreSQL, inside a suite that does not. */
export function itWithPostgres(name: string, body: () => Promise<void>, timeout?: number): void {
  itNeeding(POSTGRES, name, body, timeout);
}
