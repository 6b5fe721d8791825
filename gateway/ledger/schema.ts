/** The ledger's SQLite schema and the canonical form of a record that the hash chain covers. */
import { createHash } from 'node:crypto';
import { USES_ID_SQL, type TransactionRecord } from './ledger.ts';

/** Record fields in chain order; the column of each is its snake_case name. */
export const FIELDS = [
  'tx', 'messageId', 'kind', 'client', 'service', 'provider', 'userId', 'issue', 'requestIn', 'requestOut', 'responseIn',
  'responseOut', 'requestSize', 'responseSize', 'outcome', 'businessError', 'instance', 'requestHash', 'responseHash',
] as const satisfies readonly (keyof TransactionRecord)[];

export const column = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const GENESIS = '0'.repeat(64);

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS transactions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tx TEXT NOT NULL UNIQUE,
  message_id TEXT, kind TEXT NOT NULL, client TEXT, service TEXT, provider TEXT, user_id TEXT, issue TEXT,
  request_in INTEGER NOT NULL, request_out INTEGER, response_in INTEGER, response_out INTEGER,
  request_size INTEGER NOT NULL, response_size INTEGER,
  outcome TEXT NOT NULL, business_error TEXT, instance TEXT NOT NULL, request_hash TEXT, response_hash TEXT,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
-- One record per use of a message id: a redelivered message recorded before a crash is not recorded again.
-- A replay is a different message that reuses an id, and a rate-limited one was refused before its id
-- was claimed: their refusals are records of their own. (transactions_message, its first form, went.)
DROP INDEX IF EXISTS transactions_message;
CREATE UNIQUE INDEX IF NOT EXISTS transactions_message_use ON transactions (client, message_id) WHERE ${USES_ID_SQL};
CREATE INDEX IF NOT EXISTS transactions_time ON transactions (request_in);
CREATE INDEX IF NOT EXISTS transactions_service_time ON transactions (service, request_in);
-- The answer each transaction delivered, kept a while for redelivery (the record's response hash covers it).
CREATE TABLE IF NOT EXISTS answers (tx TEXT PRIMARY KEY, at INTEGER NOT NULL, queue TEXT NOT NULL, jws TEXT NOT NULL, props TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS answers_at ON answers (at);
-- Where the chain starts after retention removed older records.
CREATE TABLE IF NOT EXISTS chain_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
`;

/** The hash of a record chained after `prevHash`: SHA-256 over the previous hash and the fields in order. */
export function chainHash(prevHash: string, record: TransactionRecord): string {
  const values = FIELDS.map((f) => record[f] ?? null);
  return createHash('sha256').update(prevHash).update('\n').update(JSON.stringify(values)).digest('hex');
}
