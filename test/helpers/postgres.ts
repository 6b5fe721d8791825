/**
 * PostgreSQL for tests: `PG_URL` (CI's `.ci/run` starts the machine's PostgreSQL and sets it).
 * Each test works in a schema of its own, dropped afterwards. Without PG_URL the suites are
 * skipped with a visible notice — except under CI=true, where that fails the run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';

export const PG_URL = process.env.PG_URL || undefined;

/** `describe` for a suite that needs PostgreSQL. */
export function describePg(name: string, body: () => void): void {
  if (PG_URL) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error('CI=true but PG_URL is not set: this suite needs PostgreSQL (see .ci/run)');
    });
    return;
  }
  console.warn(`\n  SKIPPED "${name}": PG_URL is not set — this suite needs PostgreSQL (e.g. PG_URL=postgres://user:password@127.0.0.1:5432/db).\n`);
  describe.skip(`${name} (skipped: PG_URL not set)`, () => {
    it.skip('needs PostgreSQL', () => undefined);
  });
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

/** `it` for a test that needs PostgreSQL, inside a suite that does not: skipped with a notice without PG_URL, failed under CI=true. */
export function itWithPostgres(name: string, body: () => Promise<void>, timeout?: number): void {
  if (PG_URL) {
    it(name, body, timeout);
  } else if (process.env.CI === 'true') {
    it(name, () => {
      throw new Error('CI=true but PG_URL is not set: this test needs PostgreSQL (see .ci/run)');
    });
  } else {
    console.warn(`\n  SKIPPED "${name}": PG_URL is not set — this test needs PostgreSQL.\n`);
    it.skip(`${name} (skipped: PG_URL not set)`, () => undefined);
  }
}
