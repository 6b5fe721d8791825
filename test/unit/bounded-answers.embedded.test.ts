/**
 * Answers are bounded: a request that breaks its contract in many places is answered with the
 * first few violations and how many more — a large one (60,000 extra keys) with its first, the
 * gateway not looking for the rest — in an answer a small fraction of the request's size,
 * recorded as what was delivered; a hostile key is cut in the pointer that names it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngress, type Ingress } from '../../adapters/http/ingress.ts';
import { issueToken, TokenStore } from '../../adapters/http/tokens.ts';
import { GatewayError, MAX_VIOLATIONS } from '../../gateway/protocol/errors.ts';
import { LARGE_MESSAGE_BYTES } from '../../gateway/pipeline/lanes.ts';
import { sha256 } from '../../gateway/protocol/jws.ts';
import { embeddedBroker } from '../helpers/broker.ts';
import { CAOBANG, createTestBus, DANCU, GATEWAY, PERSON, VERIFY, verifyHandler, type TestBus } from '../helpers/bus.ts';
import { http } from '../helpers/http.ts';

describe('bounded answers', () => {
  it(`lists at most ${MAX_VIOLATIONS} violations, counts the rest, and cuts a long pointer`, () => {
    const violations = Array.from({ length: 1000 }, (_, i) => ({ pointer: `/body/${'k'.repeat(i === 0 ? 5000 : 3)}${i}`, message: 'must NOT have additional properties' }));
    const body = new GatewayError('client.contract_violation', 'broken', { violations }).toBody('tx');
    expect(body.violations).toHaveLength(MAX_VIOLATIONS);
    expect(body.moreViolations).toBe(1000 - MAX_VIOLATIONS);
    expect(body.violations![0]!.pointer.length).toBeLessThanOrEqual(200);
    expect(new GatewayError('client.contract_violation', 'one', { violations: violations.slice(1, 2) }).toBody('tx')).not.toHaveProperty('moreViolations');
  });

  describe('on the bus', () => {
    let bus: TestBus;
    beforeAll(async () => {
      bus = await createTestBus(embeddedBroker());
      await bus.provider(DANCU, { 'citizen.verify/v1': verifyHandler });
    });
    afterAll(() => bus.stop());

    it(`lists the first ${MAX_VIOLATIONS} of a small request's many violations and counts the rest`, async () => {
      const client = await bus.client(undefined, { instance: 'many' });
      const many: Record<string, string> = { ...PERSON };
      for (let i = 0; i < 500; i++) many[`x${i}`] = 'y';
      const reply = await client.request(VERIFY, many);
      expect(reply.status === 'error' && { violations: reply.error.violations?.length, more: reply.error.moreViolations }).toEqual({ violations: MAX_VIOLATIONS, more: 500 - MAX_VIOLATIONS });
    });

    it('answers a request with 60,000 extra keys in a few kilobytes, as recorded, and keeps answering others', async () => {
      const client = await bus.client();
      const bomb: Record<string, string> = { ...PERSON };
      for (let i = 0; i < 60_000; i++) bomb[`x${i}`] = 'y';
      const { envelope, jws } = await client.sign('request', VERIFY, bomb);
      const reply = await client.sendSigned(jws, envelope);
      expect(reply.status).toBe('error');
      if (reply.status !== 'error') return;
      expect(reply.error.type).toBe('client.contract_violation');
      // Over LARGE_MESSAGE_BYTES, the gateway stops at the first violation: listing 60,000 costs more than it tells.
      expect(jws.length).toBeGreaterThan(LARGE_MESSAGE_BYTES);
      expect(reply.error.violations).toEqual([{ pointer: '/body/x0', message: 'must NOT have additional properties' }]);
      expect(reply.error.message).toMatch(/only its first violation is listed/);
      expect(reply.jws.length).toBeLessThan(jws.length / 20);
      const record = bus.ledger.records.find((r) => r.messageId === envelope.id)!;
      expect(record).toMatchObject({ outcome: 'client.contract_violation', responseHash: sha256(reply.jws) });
      expect((await client.request(VERIFY, PERSON)).status).toBe('ok');
    }, 60_000);

    it('keeps an honest request going while ten such bombs are answered (latency printed)', async () => {
      const attacker = await bus.client(undefined, { instance: 'attacker' });
      // The fixture catalog lets one province call the service: the honest caller is another instance of it.
      const honest = await bus.client(undefined, { instance: 'honest' });
      const timed = async () => {
        const t0 = performance.now();
        const r = await honest.request(VERIFY, PERSON);
        return { status: r.status, ms: performance.now() - t0 };
      };
      const bomb: Record<string, string> = { ...PERSON };
      for (let i = 0; i < 60_000; i++) bomb[`x${i}`] = 'y';
      // Signed beforehand: what is timed is the gateway's work on them, not the attacker's signing (one process here).
      const signed = await Promise.all(Array.from({ length: 10 }, () => attacker.sign('request', VERIFY, bomb)));
      const baseline = await timed();
      const bombs = Promise.all(signed.map(({ envelope, jws }) => attacker.sendSigned(jws, envelope)));
      const during = await timed();
      const answered = await bombs;
      expect(answered.map((r) => (r.status === 'error' ? r.error.type : r.status))).toEqual(Array(10).fill('client.contract_violation'));
      expect([baseline.status, during.status]).toEqual(['ok', 'ok']);
      console.log(`ten 60,000-key bombs: an honest request took ${baseline.ms.toFixed(0)} ms before and ${during.ms.toFixed(0)} ms while they were answered`);
    }, 120_000);
  });

  describe('at the REST door', () => {
    let bus: TestBus;
    let ingress: Ingress;
    let server: Server;
    let base: string;
    let home: string;
    let token: string;
    beforeAll(async () => {
      bus = await createTestBus(embeddedBroker());
      await bus.provider(DANCU, { 'citizen.verify/v1': verifyHandler });
      home = mkdtempSync(join(tmpdir(), 'lgsp-bounded-'));
      token = issueToken(home, CAOBANG).token;
      ingress = createIngress({
        catalog: bus.catalog, tokens: new TokenStore(home), gatewayKey: bus.keys.get(GATEWAY)!, keyOf: async (system) => bus.keys.get(system),
        record: (r) => bus.ledger.record(r), transport: await bus.broker.connect('ingress'),
      });
      await new Promise<void>((ready) => {
        server = ingress.app.listen(0, '127.0.0.1', () => ready());
      });
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      await new Promise((r) => server?.close(r));
      await ingress?.close();
      await bus?.stop();
      if (home) rmSync(home, { recursive: true, force: true });
    });

    const credential = (body: string) => http(base, `/r1/${VERIFY}`, {
      method: 'POST', body,
      headers: [['Content-Type', 'application/json'], ['X-Road-Client', CAOBANG], ['Authorization', `Bearer ${token}`], ['X-Road-UserId', 'CB-0042']],
    });
    // As a client of another language writes it: not as JSON.stringify would (spaces after separators).
    const bombText = () => `{${[...Object.entries(PERSON), ...Array.from({ length: 60_000 }, (_, i) => [`x${i}`, 'y'])].map(([k, v]) => `"${k}": "${v}"`).join(', ')}}`;

    it('answers a 60,000-key credential-mode body with its first violation, as the gateway recorded it', async () => {
      const reply = await credential(bombText());
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({ type: 'client.contract_violation', violations: [{ pointer: '/body/x0', message: 'must NOT have additional properties' }] });
      expect(bus.ledger.records.find((r) => r.tx === reply.headers['x-lgsp-transaction'])?.outcome).toBe('client.contract_violation');
      // Signed by the province itself, read at the door off its thread too: the same answer.
      const signer = await bus.client(undefined, { instance: 'signer' });
      const { jws } = await signer.sign('request', VERIFY, JSON.parse(bombText()) as Record<string, string>, { userId: 'CB-0042' });
      const signed = await http(base, `/r1/${VERIFY}`, { method: 'POST', body: jws, headers: [['Content-Type', 'application/jose'], ['X-Road-Client', CAOBANG]] });
      expect(signed.status).toBe(400);
      expect(signed.json).toMatchObject({ type: 'client.contract_violation', violations: [{ pointer: '/body/x0' }] });
      // A body that repeats a key is refused as at any size, naming the key.
      const repeated = await credential(`${bombText().slice(0, -1)}, "x7": "z"}`);
      expect(repeated.status).toBe(400);
      expect(repeated.json).toMatchObject({ type: 'client.malformed', violations: [{ pointer: '/x7', message: 'appears more than once' }] });
    }, 60_000);

    it('keeps an honest request going while ten such bodies are answered (latency printed)', async () => {
      const honest = async () => {
        const t0 = performance.now();
        const r = await credential(JSON.stringify(PERSON));
        return { status: r.status, ms: performance.now() - t0 };
      };
      const bomb = bombText();
      await honest(); // the door's first call warms it up
      const baseline = await honest();
      const bombs = Promise.all(Array.from({ length: 10 }, () => credential(bomb)));
      const during = await honest();
      expect((await bombs).map((r) => r.status)).toEqual(Array(10).fill(400));
      expect([baseline.status, during.status]).toEqual([200, 200]);
      console.log(`ten 60,000-key bodies at the REST door: an honest request took ${baseline.ms.toFixed(0)} ms before and ${during.ms.toFixed(0)} ms while they were answered`);
    }, 120_000);
  });
});
