/**
 * The SQLite ledger when it cannot be written: a write lock held by another process (real SQLite,
 * a second connection to the same file). Its records wait instead of failing, it says it is down
 * and why, and it writes them once it can, or says what it could not write when it is closed.
 * (What every ledger does with answers is in ledger-suite.ts.)
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredAnswer, TransactionRecord } from '../../gateway/ledger/ledger.ts';
import { SqliteLedger } from '../../gateway/ledger/sqlite.ts';
import { verifyChain } from '../../gateway/ledger/verify.ts';
import { newRecord } from '../../gateway/ledger/record.ts';
import { sha256 } from '../../gateway/protocol/jws.ts';

const CLIENT = 'VN/PROV/CAOBANG/MOTCUA';

function recordOf(tx: string, messageId: string, jws: string): { record: TransactionRecord; answer: StoredAnswer } {
  const record: TransactionRecord = { ...newRecord(tx, Date.now(), 100, 'test'), messageId, kind: 'request', client: CLIENT, requestHash: sha256(messageId), responseHash: sha256(jws) };
  return { record, answer: { queue: 'lgsp.replies.x', jws, props: { correlationId: messageId } } };
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('the SQLite ledger when it cannot be written', () => {
  let dir: string;
  let file: string;
  let ledger: SqliteLedger;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-outage-'));
    file = join(dir, 'ledger.sqlite');
    ledger = new SqliteLedger({ file, busyTimeoutMs: 20 });
  });

  afterEach(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds records while another process holds the write lock, says it is down and why, and writes them once the lock goes', async () => {
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const changes: boolean[] = [];
    ledger.onHealth((h) => changes.push(h.ok));
    const written = Array.from({ length: 5 }, (_, i) => {
      const { record, answer } = recordOf(uuid(i), uuid(100 + i), `jws-${i}`);
      return ledger.record(record, answer);
    });
    let settled = 0;
    for (const w of written) void w.then(() => (settled += 1), () => (settled += 1));
    await expect.poll(() => ledger.health().ok).toBe(false);
    expect(ledger.health().reason).toMatch(/SQLITE_BUSY/);
    // Tried again after pauses, still held, none refused.
    await expect.poll(() => ledger.health().failures).toBeGreaterThan(2);
    expect(settled).toBe(0);

    other.exec('COMMIT');
    other.close();
    expect(await Promise.all(written)).toEqual([true, true, true, true, true]);
    expect(ledger.health()).toMatchObject({ ok: true });
    expect(changes).toEqual([false, true]);
    expect(await verifyChain(file)).toEqual({ records: 5 });
  });

  it('tells what it still holds at close, instead of waiting for ever', async () => {
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const { record, answer } = recordOf(uuid(1), uuid(101), 'jws-1');
    const written = ledger.record(record, answer);
    await expect.poll(() => ledger.health().ok).toBe(false);
    await ledger.close();
    await expect(written).rejects.toThrow(/closed while it could not be written/);
    other.exec('ROLLBACK');
    other.close();
    ledger = new SqliteLedger({ file });
  });

  it('is readable by its owner alone (0600), with its write-ahead log', async () => {
    const { record, answer } = recordOf(uuid(1), uuid(101), 'jws-1');
    await ledger.record(record, answer);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
  });
});
