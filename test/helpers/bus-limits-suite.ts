/**
 * The bus's per-client rate limit, run over each transport: a client over its rate is answered
 * `client.rate_limited`; another client keeps its own budget; messages that fail their signature
 * in a client's name spend nothing of it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrokerHandle } from './broker.ts';
import { CAOBANG, createTestBus, DANCU, DVCQG, PERSON, type TestBus, VERIFY, verifyHandler } from './bus.ts';
import { envelope, tamper } from './craft.ts';

const RATE = 5;

export function busLimitsSuite(makeBroker: () => BrokerHandle): void {
  let bus: TestBus;

  beforeAll(async () => {
    bus = await createTestBus(makeBroker(), { clientRatePerSecond: RATE });
    await bus.provider(DANCU, { 'citizen.verify/v1': verifyHandler });
    await bus.provider(DVCQG, { 'dossier.sync/v1': () => undefined });
  });

  afterAll(async () => {
    await bus?.stop();
  });

  it('answers a client over its rate client.rate_limited, signed by the gateway and recorded', async () => {
    const client = await bus.client(CAOBANG, { instance: 'burst' });
    const replies = await Promise.all(Array.from({ length: 3 * RATE }, () => client.request(VERIFY, PERSON)));
    const limited = replies.filter((r) => r.status === 'error' && r.error.type === 'client.rate_limited');
    expect(limited.length).toBeGreaterThanOrEqual(RATE);
    expect(replies.filter((r) => r.status === 'ok').length).toBeGreaterThanOrEqual(1);
    expect(limited[0]!.signedBy).toBe('gateway');
    const tx = limited[0]!.status === 'error' ? limited[0]!.error.detail : '';
    await expect.poll(() => bus.ledger.records.find((r) => r.tx === tx)?.outcome).toBe('client.rate_limited');
  });

  it('does not charge messages that fail their signature to the client they name', async () => {
    const client = await bus.client(CAOBANG, { instance: 'honest' });
    // A fresh window: wait until Cao Bằng is answered again.
    await expect.poll(async () => (await client.request(VERIFY, PERSON)).status, { interval: 300, timeout: 5000 }).toBe('ok');
    const forgedFirst = await client.sign('request', VERIFY, PERSON);
    const forged = tamper(forgedFirst.jws, envelope({ body: { ...PERSON, fullName: 'Người Khác' } }));
    const refusals = [];
    for (let i = 0; i < 3 * RATE; i++) refusals.push(await client.sendSigned(forged, forgedFirst.envelope)); // one id: one at a time
    expect(new Set(refusals.map((r) => (r.status === 'error' ? r.error.type : 'ok')))).toEqual(new Set(['client.bad_signature']));
    expect((await client.request(VERIFY, PERSON)).status).toBe('ok');
  });
}
