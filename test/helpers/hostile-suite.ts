/**
 * The project's hostile suite over the bus, run over each transport: generated attacks (see
 * hostile-cases.ts), none accepted, none crashing anything, each refused with its expected
 * type, signed by the gateway and recorded — and the gateway answering a canary every 100 cases.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GatewayClient } from '../../adapters/amqp/client.ts';
import type { BrokerHandle } from './broker.ts';
import { CAOBANG, createTestBus, DANCU, PERSON, type TestBus, VERIFY, verifyHandler } from './bus.ts';
import { hostileCases } from './hostile-cases.ts';

export function hostileSuite(makeBroker: () => BrokerHandle, count: number): void {
  let bus: TestBus;
  let client: GatewayClient;

  beforeAll(async () => {
    // No rate limit here: the cases come as fast as they are made, from one system.
    bus = await createTestBus(makeBroker(), { clientRatePerSecond: 1_000_000 });
    await bus.provider(DANCU, { 'citizen.verify/v1': verifyHandler });
    client = await bus.client(CAOBANG, { instance: 'hostile', timeoutMs: 20_000 });
  });

  afterAll(async () => {
    await bus?.stop();
  });

  it(`refuses ${count} generated attacks, each typed, signed and recorded, and answers a canary every 100`, async () => {
    // Answered requests whose ids the id-reuse cases take again, one each.
    const used = await Promise.all(Array.from({ length: Math.ceil(count / 13) + 1 }, async () => {
      const sent = await client.sign('request', VERIFY, PERSON);
      expect((await client.sendSigned(sent.jws, sent.envelope)).status).toBe('ok');
      return sent.envelope;
    }));
    const cases = await hostileCases(count, bus.keys, used);
    const wrong: string[] = [];
    const families = new Map<string, number>();
    for (let start = 0; start < cases.length; start += 100) {
      const batch = cases.slice(start, start + 100);
      const replies = await Promise.all(batch.map((c) => client.sendSigned(c.jws, c.envelope)));
      for (const [i, reply] of replies.entries()) {
        const c = batch[i]!;
        families.set(c.family, (families.get(c.family) ?? 0) + 1);
        if (reply.status === 'ok') wrong.push(`${c.family}: accepted`);
        else if (reply.signedBy !== 'gateway') wrong.push(`${c.family}: answered by the provider`);
        else if (!c.expected.includes(reply.error.type as never)) wrong.push(`${c.family}: ${reply.error.type}, expected ${c.expected.join(' or ')}`);
      }
      // Every refusal is in the ledger under its transaction, with its type.
      const txs = replies.map((r) => (r.status === 'error' ? r.error.detail : ''));
      await expect.poll(() => txs.filter((tx) => !bus.ledger.records.some((r) => r.tx === tx)).length, { timeout: 15_000 }).toBe(0);
      for (const [i, r] of replies.entries()) {
        if (r.status === 'error' && bus.ledger.records.find((rec) => rec.tx === r.error.detail)?.outcome !== r.error.type) wrong.push(`${batch[i]!.family}: recorded otherwise`);
      }
      // The canary: an honest request still answered.
      expect((await client.request(VERIFY, PERSON)).status, `canary after case ${start + batch.length}`).toBe('ok');
    }
    expect(wrong).toEqual([]);
    expect(families.size).toBeGreaterThanOrEqual(13);
  }, 180_000);
}
