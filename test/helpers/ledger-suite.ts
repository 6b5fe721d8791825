/**
 * The ledger suite, run against every ledger: SQLite (test/unit/ledger.test.ts) and PostgreSQL
 * (test/integration/ledger.postgres.test.ts). Each backend opens ledgers on a store of the test's
 * own, verifies its chain, and runs SQL on it to count or tamper.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HeadKeys } from '../../gateway/ledger/heads.ts';
import type { Ledger, TransactionRecord } from '../../gateway/ledger/ledger.ts';
import { chainHash, FIELDS } from '../../gateway/ledger/schema.ts';
import { CHAIN_COLUMNS, type ChainRow } from '../../gateway/ledger/verify.ts';
import type { ChainReport } from '../../gateway/ledger/verify.ts';
import { generateSigningKey, importKey, keyRingOf, type SigningKey } from '../../gateway/protocol/keys.ts';
import { sha256 } from '../../gateway/protocol/jws.ts';

export interface LedgerBackend {
  /** A ledger on the test's store (the same store each time within one test). */
  open(options?: { retentionDays?: number; signer?: SigningKey; now?: () => number }): Promise<Ledger>;
  /** Verifies the chain; with `keys`, against its signed heads too. */
  verify(keys?: HeadKeys): Promise<ChainReport>;
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

    describe('with heads signed by the gateway', () => {
      const GATEWAY = 'VN/GOV/LGSP/GATEWAY';
      let signer: SigningKey;
      let keys: HeadKeys;
      const INT_FIELDS = new Set(['requestIn', 'requestOut', 'responseIn', 'responseOut', 'requestSize', 'responseSize']);

      async function signedLedger(n: number, options: { retentionDays?: number; now?: () => number } = {}, at = () => Date.now()): Promise<void> {
        const generated = await generateSigningKey(GATEWAY, 'k1');
        signer = generated.signing;
        keys = { keys: keyRingOf([await importKey(GATEWAY, generated.publicJwk)]), gateway: GATEWAY };
        const ledger = await backend().open({ signer, ...options });
        await Promise.all(Array.from({ length: n }, () => ledger.record(record({ requestIn: at() }))));
        await ledger.close(); // signs the head at stop
      }

      /** The chain's rows as the chain hashes them (a store may hand 64-bit integers back as text). */
      async function rows(): Promise<ChainRow[]> {
        const raw = await backend().sql(`SELECT ${CHAIN_COLUMNS} FROM transactions ORDER BY seq`);
        return raw.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, (INT_FIELDS.has(k) || k === 'seq') && v !== null ? Number(v) : v]))) as unknown as ChainRow[];
      }

      /** Recomputes every link and hash from `fromSeq` on, as someone without the key could. */
      async function recompute(fromSeq: number): Promise<void> {
        let prev: string | undefined;
        for (const row of await rows()) {
          if (row.seq >= fromSeq) {
            const hash = chainHash(prev!, row);
            await backend().sql('UPDATE transactions SET prev_hash = ?, hash = ? WHERE seq = ?', prev, hash, row.seq);
            prev = hash;
          } else prev = row.hash;
        }
      }

      it('verifies with every record vouched for by a signed head', async () => {
        await signedLedger(30);
        expect(await backend().verify(keys)).toEqual({ records: 30 });
      });

      it('fails when the last records are removed', async () => {
        await signedLedger(30);
        const all = await rows();
        await backend().sql('DELETE FROM transactions WHERE seq > ?', all[19]!.seq);
        expect((await backend().verify(keys)).broken?.problem).toMatch(/removed from its end/);
      });

      it('fails when a record is changed and every later hash recomputed', async () => {
        await signedLedger(30);
        const all = await rows();
        await backend().sql("UPDATE transactions SET outcome = 'client.access_denied' WHERE seq = ?", all[10]!.seq);
        await recompute(all[10]!.seq);
        expect((await backend().verify()).broken).toBeUndefined(); // the chain alone cannot tell
        expect((await backend().verify(keys)).broken?.problem).toMatch(/changed and recomputed/);
      });

      it('says a forged, correctly chained record appended is vouched for by no head', async () => {
        await signedLedger(30);
        const last = (await rows()).at(-1)!;
        const forged = record();
        const values = FIELDS.map((f) => forged[f] ?? null);
        await backend().sql(`INSERT INTO transactions (${FIELDS.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).join(', ')}, prev_hash, hash) VALUES (${FIELDS.map(() => '?').join(', ')}, ?, ?)`,
          ...values, last.hash, chainHash(last.hash, forged));
        expect(await backend().verify(keys)).toEqual({ records: 31, unsigned: 1 });
      });

      it('fails when the first records are removed and the anchor rewritten to the first one left', async () => {
        await signedLedger(30);
        const all = await rows();
        await backend().sql('DELETE FROM transactions WHERE seq <= ?', all[9]!.seq);
        await backend().sql('INSERT INTO chain_anchor (id, seq, hash) VALUES (1, ?, ?)', all[9]!.seq, all[9]!.hash);
        expect((await backend().verify()).broken).toBeUndefined(); // the chain alone cannot tell
        expect((await backend().verify(keys)).broken?.problem).toMatch(/anchor no signed head vouches for/);
      });

      it('fails when a head is forged or removed', async () => {
        await signedLedger(10);
        const ledger = await backend().open({ signer });
        await ledger.record(record());
        await ledger.close(); // a second head
        await backend().sql("UPDATE chain_heads SET jws = 'x.y.z' WHERE seq = (SELECT min(seq) FROM chain_heads)");
        expect((await backend().verify(keys)).broken?.problem).toMatch(/does not verify/);
      });

      it('fails against a head kept elsewhere when the records and heads after the one before it are removed', async () => {
        await signedLedger(10);
        const [first] = await backend().sql('SELECT seq, jws FROM chain_heads ORDER BY seq DESC LIMIT 1');
        const ledger = await backend().open({ signer });
        for (let i = 0; i < 5; i++) await ledger.record(record());
        await ledger.close(); // a second head, kept elsewhere (lgsp ledger head)
        const [kept] = await backend().sql('SELECT seq, jws FROM chain_heads ORDER BY seq DESC LIMIT 1');
        expect(await backend().verify({ ...keys, kept: String(first!.jws) })).toEqual({ records: 15 }); // an older kept head is reached
        // Cut back to the first head, its later head removed too: the file alone still looks whole.
        await backend().sql('DELETE FROM transactions WHERE seq > ?', Number(first!.seq));
        await backend().sql('DELETE FROM chain_heads WHERE seq > ?', Number(first!.seq));
        expect(await backend().verify(keys)).toEqual({ records: 10 });
        expect((await backend().verify({ ...keys, kept: String(kept!.jws) })).broken?.problem).toMatch(/no head at record \d+, which the kept head vouches for/);
        expect((await backend().verify({ ...keys, kept: 'x.y.z' })).broken?.problem).toMatch(/kept head does not verify/);
      });

      it('keeps the chain provable after retention: anchored at a signed head', async () => {
        const day = 86_400_000;
        let clock = Date.now() - 40 * day;
        await signedLedger(10, { now: () => clock }, () => clock);
        clock = Date.now();
        const ledger = await backend().open({ signer, retentionDays: 30, now: () => clock });
        await ledger.record(record());
        await ledger.close();
        keys = { ...keys, now: clock };
        expect(await backend().verify(keys)).toEqual({ records: 1 });
      });
    });
  });
}
