import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TransactionRecord } from '../../gateway/ledger/ledger.ts';
import { SqliteLedger } from '../../gateway/ledger/sqlite.ts';
import { verifyChain } from '../../gateway/ledger/verify.ts';

let dir: string;
let file: string;

function record(overrides: Partial<TransactionRecord> = {}): TransactionRecord {
  return {
    tx: randomUUID(), messageId: randomUUID(), kind: 'request', client: 'VN/PROV/CAOBANG/MOTCUA', service: 'VN/GOV/BCA/DANCU/citizen.verify/v1',
    provider: 'VN/GOV/BCA/DANCU', userId: 'CB-0042', issue: null, requestIn: Date.now(), requestOut: Date.now(), responseIn: Date.now(),
    responseOut: Date.now(), requestSize: 600, responseSize: 500, outcome: 'ok', businessError: null, instance: 'test', requestHash: 'h1', responseHash: 'h2',
    ...overrides,
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lgsp-ledger-'));
  file = join(dir, 'ledger.sqlite');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function write(records: TransactionRecord[]): Promise<void> {
  const ledger = new SqliteLedger({ file });
  await Promise.all(records.map((r) => ledger.record(r)));
  await ledger.close();
}

function tamper(sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  db.prepare(sql).run(...params);
  db.close();
}

describe('SQLite ledger', () => {
  it('keeps every record, chained, across batches and reopenings', async () => {
    await write(Array.from({ length: 2500 }, () => record()));
    await write(Array.from({ length: 10 }, () => record()));
    expect(verifyChain(file)).toEqual({ records: 2510 });
  });

  it('records one message once, however often it is recorded', async () => {
    const first = record();
    await write([first, { ...first, tx: randomUUID() }]);
    await write([{ ...first, tx: randomUUID(), outcome: 'server.provider_timeout' }]);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM transactions WHERE message_id = ?').get(first.messageId)).toEqual({ n: 1 });
    db.close();
    expect(verifyChain(file).broken).toBeUndefined();
  });

  it('says whether it inserted: a second use of a client’s message id is reported, not dropped in silence', async () => {
    const ledger = new SqliteLedger({ file });
    const first = record();
    const [a, b] = await Promise.all([ledger.record(first), ledger.record({ ...first, tx: randomUUID() })]);
    expect([a, b]).toEqual([true, false]);
    expect(await ledger.record({ ...first, tx: randomUUID(), outcome: 'client.replay' })).toBe(true);
    await ledger.close();
  });

  it('owns “seen this message”: a use is found while queued, after it is written, and after reopening', async () => {
    const first = record({ requestHash: 'hash-of-the-first' });
    const ledger = new SqliteLedger({ file, flushMs: 60_000 });
    const written = ledger.record(first);
    expect(ledger.priorUse(first.client!, first.messageId!)).toEqual({ tx: first.tx, requestHash: 'hash-of-the-first' });
    ledger.flush();
    await written;
    expect(ledger.priorUse(first.client!, first.messageId!)).toEqual({ tx: first.tx, requestHash: 'hash-of-the-first' });
    expect(ledger.priorUse('VN/PROV/DIENBIEN/MOTCUA', first.messageId!)).toBeUndefined();
    await ledger.close();
    const reopened = new SqliteLedger({ file });
    expect(reopened.priorUse(first.client!, first.messageId!)?.tx).toBe(first.tx);
    await reopened.close();
  });

  it('keeps the refusal of a replayed id beside the original', async () => {
    const first = record();
    await write([first, { ...first, tx: randomUUID(), outcome: 'client.replay' }]);
    expect(verifyChain(file)).toEqual({ records: 2 });
  });

  it('finds a changed record and says which', async () => {
    await write(Array.from({ length: 20 }, () => record()));
    tamper("UPDATE transactions SET outcome = 'ok', client = 'VN/PROV/CAMAU/MOTCUA' WHERE seq = 7");
    expect(verifyChain(file).broken).toMatchObject({ seq: 7, problem: expect.stringMatching(/changed/) });
  });

  it('finds a removed record at the one after it', async () => {
    await write(Array.from({ length: 20 }, () => record()));
    tamper('DELETE FROM transactions WHERE seq = 12');
    expect(verifyChain(file).broken).toMatchObject({ seq: 13, problem: expect.stringMatching(/removed/) });
  });

  it('removes records past retention and keeps the rest verifiable', async () => {
    const day = 86_400_000;
    await write([...Array.from({ length: 5 }, () => record({ requestIn: Date.now() - 40 * day })), ...Array.from({ length: 5 }, () => record())]);
    const ledger = new SqliteLedger({ file, retentionDays: 30 });
    await ledger.record(record());
    await ledger.close();
    expect(verifyChain(file)).toEqual({ records: 6 });
  });
});
