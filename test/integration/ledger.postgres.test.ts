/**
 * The ledger suite (test/helpers/ledger-suite.ts) on the PostgreSQL ledger, each test in a schema
 * of its own; then several writers on one ledger, as several gateway instances share it.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PgLedger, verifyPgChain } from '../../gateway/ledger/postgres.ts';
import { ledgerSuite, record, type LedgerBackend } from '../helpers/ledger-suite.ts';
import { describePg, dropSchema, ownSchema, sqlIn } from '../helpers/postgres.ts';

describePg('the ledger on PostgreSQL', () => {
  let schema: string;
  let url: string;
  let backend: LedgerBackend;

  beforeEach(() => {
    ({ schema, url } = ownSchema());
    backend = {
      open: (options = {}) => PgLedger.open({ url, ...options }),
      verify: () => verifyPgChain(url),
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
});
