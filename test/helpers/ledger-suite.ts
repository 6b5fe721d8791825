/**
 * The ledger suite, run against every ledger: SQLite (test/unit/ledger.test.ts) and PostgreSQL
 * (test/integration/ledger.postgres.test.ts). Each backend opens ledgers on a store of the test's
 * own, verifies its chain, and runs SQL on it to count or tamper.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Ledger, TransactionRecord } from '../../gateway/ledger/ledger.ts';
import type { ChainReport } from '../../gateway/ledger/verify.ts';
import { sha256 } from '../../gateway/protocol/jws.ts';

export interface LedgerBackend {
  /** A ledger on the test's store (the same store each time within one test). */
  open(options?: { retentionDays?: number }): Promise<Ledger>;
  verify(): Promise<ChainReport>;
  /** Runs SQL on the store; `?` placeholders. Returns the rows of a query. */
  sql(sql: string, ...params: unknown[]): Promise<Record<string, unknown>[]>;
}

export function record(overrides: Partial<TransactionRecord> = {}): TransactionRecord {
  return {
    tx: randomUUID(), messageId: randomUUID(), kind: 'request', client: 'VN/PROV/CAOBANG/MOTCUA', service: 'VN/GOV/BCA/DANCU/citizen.verify/v1',
    provider: 'VN/GOV/BCA/DANCU', userId: 'CB-0042', issue: null, requestIn: Date.now(), requestOut: Date.now(), responseIn: Date.now(),
    responseOut: Date.now(), requestSize: 600, responseSize: 500, outcome: 'ok', businessError: null, instance: 'test', requestHash: 'h1', responseHash: 'h2',
    ...overrides,
  };
}

/** The ledger's behaviour; `backend()` gives the current test's backend (made in the caller's beforeEach). */
export function ledgerSuite(name: string, backend: () => LedgerBackend): void {
  async function write(records: TransactionRecord[]): Promise<void> {
    const ledger = await backend().open();
    await Promise.all(records.map((r) => ledger.record(r)));
    await ledger.close();
  }

  describe(name, () => {
    it('keeps every record, chained, across batches and reopenings', async () => {
      await write(Array.from({ length: 2500 }, () => record()));
      await write(Array.from({ length: 10 }, () => record()));
      expect(await backend().verify()).toEqual({ records: 2510 });
    });

    it('records one message once, however often it is recorded', async () => {
      const first = record();
      await write([first, { ...first, tx: randomUUID() }]);
      await write([{ ...first, tx: randomUUID(), outcome: 'server.provider_timeout' }]);
      expect(await backend().sql('SELECT count(*) AS n FROM transactions WHERE message_id = ?', first.messageId)).toEqual([{ n: 1 }]);
      expect((await backend().verify()).broken).toBeUndefined();
    });

    it('says whether it inserted: a second use of a client’s message id is reported, not dropped in silence', async () => {
      const ledger = await backend().open();
      const first = record();
      const [a, b] = await Promise.all([ledger.record(first), ledger.record({ ...first, tx: randomUUID() })]);
      expect([a, b]).toEqual([true, false]);
      expect(await ledger.record({ ...first, tx: randomUUID(), outcome: 'client.replay' })).toBe(true);
      await ledger.close();
    });

    it('owns “seen this message”: a use is found while queued, after it is written, and after reopening', async () => {
      const first = record({ requestHash: 'hash-of-the-first' });
      const ledger = await backend().open();
      const written = ledger.record(first);
      // Asked in the same turn, before the batch is written: the queued record answers.
      expect(await ledger.priorUse(first.client!, first.messageId!)).toEqual({ tx: first.tx, requestHash: 'hash-of-the-first' });
      await written;
      expect(await ledger.priorUse(first.client!, first.messageId!)).toEqual({ tx: first.tx, requestHash: 'hash-of-the-first' });
      expect(await ledger.priorUse('VN/PROV/DIENBIEN/MOTCUA', first.messageId!)).toBeUndefined();
      await ledger.close();
      const reopened = await backend().open();
      expect((await reopened.priorUse(first.client!, first.messageId!))?.tx).toBe(first.tx);
      await reopened.close();
    });

    it('keeps the answer a transaction delivered, for its redelivery', async () => {
      const ledger = await backend().open();
      const first = record();
      const answer = { queue: 'lgsp.reply.VN/PROV/CAOBANG/MOTCUA', jws: 'a.b.c', props: { messageId: randomUUID(), headers: { 'x-lgsp-tx': first.tx } } };
      await ledger.record(first, answer);
      expect(await ledger.answerOf(first.tx)).toEqual(answer);
      expect(await ledger.answerOf(randomUUID())).toBeUndefined();
      await ledger.close();
    });

    it('keeps the first answer when a second record of the same message id comes with another (it is not inserted)', async () => {
      const ledger = await backend().open();
      const first = record({ responseHash: sha256('the ok answer') });
      const second = { ...first, tx: randomUUID(), outcome: 'server.provider_timeout', responseHash: sha256('a timeout') };
      expect(await ledger.record(first, { queue: 'q', jws: 'the ok answer', props: {} })).toBe(true);
      expect(await ledger.record(second, { queue: 'q', jws: 'a timeout', props: {} })).toBe(false);
      expect((await ledger.answerOf(first.tx))?.jws).toBe('the ok answer');
      expect(await ledger.answerOf(second.tx)).toBeUndefined();
      await ledger.close();
      expect(await backend().verify()).toEqual({ records: 1 });
    });

    it('finds a stored answer changed after it was recorded, and one with no record', async () => {
      const ledger = await backend().open();
      const first = record({ responseHash: sha256('the ok answer') });
      await ledger.record(first, { queue: 'q', jws: 'the ok answer', props: {} });
      await ledger.close();
      expect(await backend().verify()).toEqual({ records: 1 });
      await backend().sql('UPDATE answers SET jws = ? WHERE tx = ?', 'another answer', first.tx);
      expect((await backend().verify()).broken).toMatchObject({ tx: first.tx, problem: expect.stringMatching(/stored answer does not match/) });
      await backend().sql('UPDATE answers SET jws = ? WHERE tx = ?', 'the ok answer', first.tx);
      const forged = randomUUID();
      await backend().sql("INSERT INTO answers (tx, at, queue, jws, props) VALUES (?, ?, 'q', 'forged', '{}')", forged, Date.now());
      expect((await backend().verify()).broken).toMatchObject({ tx: forged, problem: expect.stringMatching(/has no record/) });
    });

    it('keeps the refusal of a replayed id beside the original', async () => {
      const first = record();
      await write([first, { ...first, tx: randomUUID(), outcome: 'client.replay' }]);
      expect(await backend().verify()).toEqual({ records: 2 });
    });

    it('finds a changed record and says which', async () => {
      await write(Array.from({ length: 20 }, () => record()));
      const [seventh] = await backend().sql('SELECT seq FROM transactions ORDER BY seq LIMIT 1 OFFSET 6');
      await backend().sql("UPDATE transactions SET outcome = 'ok', client = 'VN/PROV/CAMAU/MOTCUA' WHERE seq = ?", seventh!.seq);
      expect((await backend().verify()).broken).toMatchObject({ seq: seventh!.seq, problem: expect.stringMatching(/changed/) });
    });

    it('finds a removed record at the one after it', async () => {
      await write(Array.from({ length: 20 }, () => record()));
      const [twelfth, thirteenth] = await backend().sql('SELECT seq FROM transactions ORDER BY seq LIMIT 2 OFFSET 11');
      await backend().sql('DELETE FROM transactions WHERE seq = ?', twelfth!.seq);
      expect((await backend().verify()).broken).toMatchObject({ seq: thirteenth!.seq, problem: expect.stringMatching(/removed/) });
    });

    it('removes records past retention and keeps the rest verifiable', async () => {
      const day = 86_400_000;
      await write([...Array.from({ length: 5 }, () => record({ requestIn: Date.now() - 40 * day })), ...Array.from({ length: 5 }, () => record())]);
      const ledger = await backend().open({ retentionDays: 30 });
      await ledger.record(record());
      await ledger.close();
      expect(await backend().verify()).toEqual({ records: 6 });
    });
  });
}
