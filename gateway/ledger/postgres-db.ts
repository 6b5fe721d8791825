/**
 * The PostgreSQL ledger's database (postgres.ts writes it, postgres-verify.ts checks it): the
 * pool and its listeners, the schema, the chain's lock, which errors time can mend, and how a
 * ledger URL is named and shown.
 */
import pg from 'pg';
import { hidePassword } from '../redact.ts';
import { USES_ID_SQL } from './ledger.ts';

/** The advisory lock every writer of a chain holds while it appends: one per schema. */
export const CHAIN_LOCK = 0x6c677370; // "lgsp"

const INT8 = 20;

/** A pool for `url`: its schema on every connection, 64-bit integers (epoch milliseconds) read as numbers. */
export function poolFor(url: string): { pool: pg.Pool; schema: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`ledger URL: schema "${schema}" must be lower-case letters, digits and _`);
  parsed.searchParams.delete('schema');
  const pool = new pg.Pool({
    connectionString: parsed.toString(), max: 4,
    options: `-c search_path=${schema}`,
    types: { getTypeParser: ((oid: number, format?: string) => (oid === INT8 ? Number : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
  });
  pool.on('error', () => undefined); // an idle connection lost: the next query opens another
  // A connection lost while checked out emits on its client, which the pool does not listen to
  // then: without a listener of its own, that error would end the process.
  pool.on('connect', (client) => void client.on('error', () => undefined));
  return { pool, schema };
}

/**
 * True for an error that a later try may not meet: anything but the database refusing what was
 * sent (data 22, integrity 23, syntax or access 42), which no retry mends.
 */
export function isPassingPgError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return !(err instanceof pg.DatabaseError && typeof code === 'string' && /^(22|23|42)/.test(code));
}

export const SCHEMA = (schema: string) => `
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS transactions (
  seq BIGSERIAL PRIMARY KEY,
  tx TEXT NOT NULL UNIQUE,
  message_id TEXT, kind TEXT NOT NULL, client TEXT, service TEXT, provider TEXT, user_id TEXT, issue TEXT,
  request_in BIGINT NOT NULL, request_out BIGINT, response_in BIGINT, response_out BIGINT,
  request_size BIGINT NOT NULL, response_size BIGINT,
  outcome TEXT NOT NULL, business_error TEXT, instance TEXT NOT NULL, request_hash TEXT, response_hash TEXT,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS transactions_message_use ON transactions (client, message_id) WHERE ${USES_ID_SQL};
CREATE INDEX IF NOT EXISTS transactions_time ON transactions (request_in);
CREATE INDEX IF NOT EXISTS transactions_service_time ON transactions (service, request_in);
CREATE TABLE IF NOT EXISTS answers (tx TEXT PRIMARY KEY, at BIGINT NOT NULL, queue TEXT NOT NULL, jws TEXT NOT NULL, props TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS answers_at ON answers (at);
CREATE TABLE IF NOT EXISTS chain_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chain_heads (id BIGSERIAL PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL, at BIGINT NOT NULL, jws TEXT NOT NULL);
`;

/** True when `ledger` names a PostgreSQL ledger rather than a file. */
export const isPgUrl = (ledger: string | undefined): ledger is string => /^postgres(ql)?:\/\//.test(ledger ?? '');

/** A PostgreSQL URL with its password hidden, to show. */
export function safePgUrl(url: string): string {
  return hidePassword(url, 'postgres://…');
}
