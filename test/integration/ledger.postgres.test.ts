/**
 * The ledger suite (test/helpers/ledger-suite.ts) on the PostgreSQL ledger, each test in a schema
 * of its own; then several writers on one ledger, as several gateway instances share it.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PgLedger } from '../../gateway/ledger/postgres.ts';
import { verifyPgChain } from '../../gateway/ledger/postgres-verify.ts';
import { ledgerSuite, record, type LedgerBackend } from '../helpers/ledger-suite.ts';
import { describePg, dropSchema, ownSchema, sqlIn } from '../helpers/postgres.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

describePg('the ledger on PostgreSQL', () => {
  let schema: string;
  let url: string;
  let backend: LedgerBackend;

  beforeEach(() => {
    ({ schema, url } = ownSchema());
    backend = {
      open: (options = {}) => PgLedger.open({ url, ...options }),
      verify: (keys) => verifyPgChain(url, keys),
      sql: (sql, ...params) => sqlIn(schema, sql, ...params),
    };
  });
  afterEach(() => dropSchema(schema));

  ledgerSuite('PostgreSQL ledger', () => backend);

  it('keeps one chain, verifiable as one, with three instances writing at once', async () => {
    const writers = await Promise.all(['gw-a', 'gw-b', 'gw-c'].map(() => PgLedger.open({ url })));
    const shared = record();
    const written = await Promise.all(writers.flatMap((ledger, i) => [
      ...Array.from({ length: 400 }, () => ledger.record(record({ instance: `gw-${i}` }))),
      // The same message recorded by every instance (each took a copy): one record in all.
      ledger.record({ ...shared, tx: randomUUID(), instance: `gw-${i}` }),
    ]));
    for (const ledger of writers) await ledger.close();
    expect(written.filter((inserted) => !inserted)).toHaveLength(2);
    expect(await verifyPgChain(url)).toEqual({ records: 1201 });
    expect(await sqlIn(schema, 'SELECT instance, count(*) AS n FROM transactions GROUP BY instance ORDER BY instance')).toEqual([
      { instance: 'gw-0', n: expect.any(Number) }, { instance: 'gw-1', n: expect.any(Number) }, { instance: 'gw-2', n: expect.any(Number) },
    ]);
  });

  it('sees, from one instance, a message id another instance recorded', async () => {
    const [a, b] = [await PgLedger.open({ url }), await PgLedger.open({ url })];
    const first = record({ requestHash: 'the-bytes' });
    await a.record(first);
    expect(await b.priorUse(first.client!, first.messageId!)).toEqual({ tx: first.tx, requestHash: 'the-bytes' });
    await a.close();
    await b.close();
  });

  it('waits out a database that resets every connection, stays alive, and writes every record once it is back', async () => {
    const proxy = await startTcpProxy(url);
    const ledger = await PgLedger.open({ url: proxy.url });
    try {
      const before = Array.from({ length: 50 }, () => record());
      await Promise.all(before.map((r) => ledger.record(r)));
      // Connections cut while records are being written (a client checked out mid-batch), then every new one reset.
      const during = Array.from({ length: 300 }, () => record());
      const written = during.map((r) => ledger.record(r));
      proxy.refuse(true);
      await expect.poll(() => ledger.health().ok).toBe(false);
      expect(ledger.health().reason).toBeDefined();
      const later = Array.from({ length: 50 }, () => record());
      written.push(...later.map((r) => ledger.record(r)));
      const seen = ledger.priorUse(before[0]!.client!, before[0]!.messageId!);
      await expect.poll(() => ledger.health().failures).toBeGreaterThan(3);

      proxy.refuse(false);
      expect((await Promise.all(written)).every((inserted) => inserted)).toBe(true);
      expect((await seen)?.tx).toBe(before[0]!.tx);
      expect(ledger.health().ok).toBe(true);
    } finally {
      await ledger.close();
      await proxy.close();
    }
    expect(await verifyPgChain(url)).toEqual({ records: 400 });
  });
});
