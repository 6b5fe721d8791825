/**
 * The bench's floor (cli/bench/floor.ts) does the work it stands for: each signature checked as
 * the gateway checks it, and each transaction recorded with its answer before the answer goes.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floorWork } from '../../cli/bench/floor.ts';
import type { RelayWork } from '../../cli/bench/relay.ts';
import { BODY, CLIENT, PROVIDER, SERVICE } from '../../cli/bench/scenario.ts';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { ensureSigningKey, registeredPublicKeys } from '../../gateway/home/keys.ts';
import type { TransactionRecord } from '../../gateway/ledger/ledger.ts';
import { SqliteLedger } from '../../gateway/ledger/sqlite.ts';
import { sha256, signJws } from '../../gateway/protocol/jws.ts';
import type { SigningKey } from '../../gateway/protocol/keys.ts';

describe('the bench floor', () => {
  const home = mkdtempSync(join(tmpdir(), 'lgsp-floor-'));
  let ledger: SqliteLedger;
  let work: RelayWork<TransactionRecord>;
  let clientKey: SigningKey;
  let providerKey: SigningKey;

  beforeAll(async () => {
    clientKey = await ensureSigningKey(home, CLIENT);
    providerKey = await ensureSigningKey(home, PROVIDER);
    const catalog = await loadCatalog('contracts', { extraKeys: registeredPublicKeys(home) });
    ledger = new SqliteLedger({ file: join(home, 'floor.sqlite') });
    work = floorWork(catalog, ledger, PROVIDER, 'floor');
  });
  afterAll(async () => {
    await ledger.close();
    rmSync(home, { recursive: true, force: true });
  });

  const request = () => signJws({ v: 1, kind: 'request', id: randomUUID(), client: CLIENT, service: SERVICE, at: new Date().toISOString(), body: BODY }, clientKey);
  const replyTo = (jws: string, key: SigningKey) => signJws({
    v: 1, kind: 'response', id: randomUUID(), client: CLIENT, service: SERVICE, at: new Date().toISOString(),
    inReplyTo: 'x', requestHash: sha256(jws), status: 'ok', body: { match: true, differences: [] },
  }, key);
  const answer = (jws: string) => ({ queue: 'replies', jws, props: { correlationId: 'c' } });

  it('records a transaction and its answer once both signatures verify', async () => {
    const jws = await request();
    const record = await work.request(Buffer.from(jws));
    expect(record).toMatchObject({ client: CLIENT, service: SERVICE, provider: PROVIDER, requestHash: sha256(jws) });
    const reply = await replyTo(jws, providerKey);
    await work.reply(Buffer.from(reply), record, answer(reply));
    expect(await ledger.priorUse(CLIENT, record.messageId!)).toEqual({ tx: record.tx, requestHash: sha256(jws) });
    expect((await ledger.answerOf(record.tx))?.jws).toBe(reply);
  });

  it("refuses a request whose signature does not verify, as the gateway does", async () => {
    const [h, p, s] = (await request()).split('.') as [string, string, string];
    const forged = `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
    await expect(work.request(Buffer.from(forged))).rejects.toMatchObject({ type: 'client.bad_signature' });
  });

  it("refuses a reply not signed by the provider, and records nothing", async () => {
    const jws = await request();
    const record = await work.request(Buffer.from(jws));
    const reply = await replyTo(jws, clientKey);
    await expect(work.reply(Buffer.from(reply), record, answer(reply))).rejects.toMatchObject({ type: 'server.provider_bad_signature' });
    expect(await ledger.priorUse(CLIENT, record.messageId!)).toBeUndefined();
  });
});
