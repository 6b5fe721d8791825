/**
 * The message path, pinned once and run over each transport: a request and its verified reply,
 * events, business errors, and every gateway error type of docs/protocol.md §4 but `client.rate_limited`,
 * each checked for its type, its HTTP status, and the gateway's signature.
 */
import { randomUUID } from 'node:crypto';
import type { Delivery } from '../../gateway/transport/transport.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayClient, Unmatched } from '../../adapters/amqp/client.ts';
import type { IncomingMessage } from '../../adapters/amqp/provider.ts';
import { generateSigningKey } from '../../gateway/protocol/keys.ts';
import type { Transport } from '../../gateway/transport/transport.ts';
import type { BrokerHandle } from './broker.ts';
import { CAOBANG, createTestBus, DANCU, DIENBIEN, DVCQG, LLTP, PERSON, type TestBus, VERIFY, verifyHandler } from './bus.ts';
import { craft, craftText, envelope, tamper } from './craft.ts';
import { expectGatewayError } from './gateway-error.ts';

export function messagePathSuite(makeBroker: () => BrokerHandle): void {
  let bus: TestBus;
  let client: GatewayClient;
  const events: IncomingMessage[] = [];
  let lookups = 0;

  beforeAll(async () => {
    bus = await createTestBus(makeBroker());
    await bus.provider(DANCU, {
      'citizen.verify/v1': (m) => (m.body.fullName === 'Sai Hợp Đồng' ? { body: { match: 'yes' } } : verifyHandler(m)),
      'citizen.lookup/v1': () => {
        lookups += 1;
        return { body: { fullName: 'Nông Văn A' } };
      },
    });
    await bus.provider(DVCQG, { 'dossier.sync/v1': (m) => void events.push(m) });
    await bus.provider(LLTP, { 'criminal-record.status/v1': () => new Promise(() => undefined) });
    client = await bus.client(CAOBANG);
  });

  afterAll(async () => {
    await bus?.stop();
  });

  describe('the message path', () => {
    it('answers a request with the provider’s reply, verified end to end', async () => {
      const reply = await client.request(VERIFY, PERSON, { userId: 'CB-0042', issue: '000.00.04.H04-250822-0001' });
      expect(reply.status).toBe('ok');
      expect(reply.signedBy).toBe('provider');
      if (reply.status === 'ok') expect(reply.body).toEqual({ match: true, differences: [] });
      const record = bus.ledger.records.find((r) => r.tx === reply.tx);
      expect(record).toMatchObject({ outcome: 'ok', client: CAOBANG, service: VERIFY, provider: DANCU, userId: 'CB-0042', issue: '000.00.04.H04-250822-0001', kind: 'request' });
      expect(record!.responseOut).toBeGreaterThanOrEqual(record!.requestIn);
    });

    it('passes a declared business error through, signed by the provider', async () => {
      const reply = await client.request(VERIFY, { ...PERSON, idNumber: '004190999999' });
      expect(reply).toMatchObject({ status: 'error', signedBy: 'provider', error: { type: 'citizen.not_found' } });
      expect(bus.ledger.records.find((r) => r.tx === reply.tx)).toMatchObject({ outcome: 'ok', businessError: 'citizen.not_found' });
    });

    it('delivers an event to the provider, verified, and records it', async () => {
      const sent = await client.sendEvent(`${DVCQG}/dossier.sync/v1`, { dossierCode: '000.00.04.H04-250822-0001', status: 'received' });
      await expect.poll(() => events.find((e) => e.envelope.id === sent.id)).toBeDefined();
      expect(events.find((e) => e.envelope.id === sent.id)).toMatchObject({ client: CAOBANG, body: { status: 'received' } });
      await expect.poll(() => bus.ledger.records.find((r) => r.messageId === sent.id)).toMatchObject({ kind: 'event', outcome: 'ok', provider: DVCQG });
    });

    it('handles the very same message arriving twice once, and answers the copy with the answer the ledger holds', async () => {
      const unmatched: Unmatched[] = [];
      const stop = client.onUnmatched((u) => unmatched.push(u));
      const { envelope: e, jws } = await client.sign('request', `${DANCU}/citizen.lookup/v1`, { idNumber: '004190000001', purpose: 'hồ sơ' }, { userId: 'CB-0042' });
      const first = await client.sendSigned(jws, e);
      expect(first.status).toBe('ok');
      const raw = await bus.broker.connect('raw publisher');
      await raw.publish(raw.names.ingress, Buffer.from(jws), { messageId: e.id, appId: CAOBANG, type: 'request' });
      // The copy's answer is the very first answer again (the client has it already, so it comes as unmatched).
      await expect.poll(() => unmatched.length).toBe(1);
      expect(unmatched[0]!.jws).toBe(first.jws);
      expect(lookups).toBe(1);
      expect(bus.ledger.records.filter((r) => r.messageId === e.id)).toHaveLength(1);
      stop();
    });

    it('answers many requests in flight, each once', async () => {
      const replies = await Promise.all(Array.from({ length: 100 }, () => client.request(VERIFY, PERSON)));
      expect(replies.every((r) => r.status === 'ok')).toBe(true);
      expect(new Set(replies.map((r) => r.tx)).size).toBe(100);
    });
  });

  describe('gateway errors: type, HTTP status and the gateway’s signature', () => {
    it('refuses bytes that are not a JWS (client.malformed)', async () => {
      await expectGatewayError(bus, await client.sendSigned('this is not a JWS', envelope()), 'client.malformed');
    });

    it('refuses an envelope with a field missing, naming it (client.malformed)', async () => {
      const e = envelope();
      const { at: _at, ...missing } = e;
      const key = bus.keys.get(CAOBANG)!;
      const jws = await craft(missing, { alg: key.alg, kid: key.kid, typ: 'lgsp+jws' }, key.key);
      const reply = await client.sendSigned(jws, e);
      await expectGatewayError(bus, reply, 'client.malformed');
      if (reply.status === 'error') expect(reply.error.violations).toContainEqual(expect.objectContaining({ pointer: '/at' }));
    });

    it('refuses a message over the size limit (client.too_large)', async () => {
      const { envelope: e, jws } = await client.sign('request', VERIFY, { ...PERSON, fullName: 'x'.repeat(1024 * 1024) });
      await expectGatewayError(bus, await client.sendSigned(jws, e), 'client.too_large');
    });

    it('refuses a payload that gives a key twice — an injection first, a valid value last — naming it (client.malformed)', async () => {
      const e = envelope();
      const key = bus.keys.get(CAOBANG)!;
      const valid = JSON.stringify(e);
      const twice = `{"client":"${DIENBIEN}",${valid.slice(1)}`; // a parser keeping the first copy would see Điện Biên
      const jws = await craftText(twice, { alg: key.alg, kid: key.kid, typ: 'lgsp+jws' }, key.key);
      const reply = await client.sendSigned(jws, e);
      await expectGatewayError(bus, reply, 'client.malformed');
      if (reply.status === 'error') expect(reply.error.violations).toEqual([{ pointer: '/client', message: 'appears more than once' }]);
      const nested = `${valid.slice(0, -2)},"fullName":"x"}}`; // body.fullName twice
      const reply2 = await client.sendSigned(await craftText(nested, { alg: key.alg, kid: key.kid, typ: 'lgsp+jws' }, key.key), e);
      if (reply2.status === 'error') expect(reply2.error.violations).toEqual([{ pointer: '/body/fullName', message: 'appears more than once' }]);
      else expect.unreachable('a body with a key twice was answered');
    });

    it('refuses the high-S twin of an ES256 message it received, as other bytes under a used id (client.replay)', async () => {
      expect(bus.keys.get(DIENBIEN)!.alg).toBe('ES256'); // the fixture keys alternate EdDSA and ES256
      const sender = await bus.client(DIENBIEN, { instance: 'es256' });
      const { envelope: e, jws } = await sender.sign('request', VERIFY, PERSON);
      await sender.sendSigned(jws, e); // whatever the answer, the id is now used
      const order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
      const [h, p, sig] = jws.split('.') as [string, string, string];
      const bytes = Buffer.from(sig, 'base64url');
      const s = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
      const twin = `${h}.${p}.${Buffer.concat([bytes.subarray(0, 32), Buffer.from((order - s).toString(16).padStart(64, '0'), 'hex')]).toString('base64url')}`;
      await expectGatewayError(bus, await sender.sendSigned(twin, e), 'client.replay');
    });

    it('sends an error about a message naming a system that calls nothing to the dead letters, not to a queue nobody reads', async () => {
      const raw = await bus.broker.connect('raw');
      const dead: Delivery[] = [];
      const consumer = await raw.consume(raw.names.dead, (d) => {
        dead.push(d);
        d.ack();
      }, { prefetch: 10 });
      await raw.publish(raw.names.ingress, Buffer.from('junk naming a provider'), { appId: DANCU, messageId: randomUUID(), type: 'request' });
      await expect.poll(() => dead.find((d) => d.props.headers?.['x-lgsp-error'] === 'client.malformed')).toBeDefined();
      expect((await raw.inspect(raw.names.replies(DANCU)))?.messages ?? 0).toBe(0);
      await consumer.cancel();
    });

    it('refuses an HMAC-signed message (client.bad_algorithm)', async () => {
      const e = envelope();
      const jws = await craft(e, { alg: 'HS256', kid: `${CAOBANG}#k1`, typ: 'lgsp+jws' }, new Uint8Array(32));
      await expectGatewayError(bus, await client.sendSigned(jws, e), 'client.bad_algorithm');
    });

    it('refuses a key the catalog does not know (client.unknown_key)', async () => {
      const e = envelope();
      const stranger = await generateSigningKey(CAOBANG, 'unregistered');
      const jws = await craft(e, { alg: 'EdDSA', kid: stranger.signing.kid, typ: 'lgsp+jws' }, stranger.signing.key);
      await expectGatewayError(bus, await client.sendSigned(jws, e), 'client.unknown_key');
    });

    it('refuses a request signed with another system’s key (client.key_mismatch)', async () => {
      const e = envelope();
      const other = bus.keys.get(DIENBIEN)!;
      const jws = await craft(e, { alg: other.alg, kid: other.kid, typ: 'lgsp+jws' }, other.key);
      await expectGatewayError(bus, await client.sendSigned(jws, e), 'client.key_mismatch');
    });

    it('refuses a payload changed after signing (client.bad_signature)', async () => {
      const { envelope: e, jws } = await client.sign('request', VERIFY, PERSON);
      const forged = { ...e, body: { ...PERSON, fullName: 'Người Khác' } };
      await expectGatewayError(bus, await client.sendSigned(tamper(jws, forged), forged), 'client.bad_signature');
    });

    it('refuses a message an hour old (client.clock_skew)', async () => {
      const late = await bus.client(CAOBANG, { now: () => Date.now() - 3_600_000, instance: 'late-clock' });
      await expectGatewayError(bus, await late.request(VERIFY, PERSON), 'client.clock_skew');
    });

    it('refuses a second message with an id already used (client.replay)', async () => {
      const first = await client.request(VERIFY, PERSON);
      expect(first.status).toBe('ok');
      const again = await client.request(VERIFY, PERSON, { id: first.envelope.inReplyTo });
      await expectGatewayError(bus, again, 'client.replay');
    });

    it('refuses an unknown service version (client.unknown_service)', async () => {
      await expectGatewayError(bus, await client.request(`${DANCU}/citizen.verify/v9`, PERSON), 'client.unknown_service');
    });

    it('refuses a client without the access right (client.access_denied)', async () => {
      const dienbien = await bus.client(DIENBIEN);
      await expectGatewayError(bus, await dienbien.request(VERIFY, PERSON), 'client.access_denied');
    });

    it('names each field that breaks the contract by JSON pointer (client.contract_violation)', async () => {
      const reply = await client.request(VERIFY, { idNumber: '0041', dateOfBirth: '1990-01-01', extra: 1 });
      await expectGatewayError(bus, reply, 'client.contract_violation');
      if (reply.status !== 'error') return;
      const pointers = reply.error.violations!.map((v) => v.pointer);
      expect(pointers).toEqual(expect.arrayContaining(['/body/idNumber', '/body/fullName', '/body/extra']));
    });

    it('requires userId for a service that carries personal data (client.contract_violation)', async () => {
      const reply = await client.request(`${DANCU}/citizen.lookup/v1`, { idNumber: '004190000001', purpose: 'dossier check' });
      await expectGatewayError(bus, reply, 'client.contract_violation');
      if (reply.status === 'error') expect(reply.error.violations).toEqual([expect.objectContaining({ pointer: '/userId' })]);
    });

    it('answers for a provider nobody serves (server.provider_unavailable)', async () => {
      await expectGatewayError(bus, await client.request('VN/GOV/BTC/THUE/taxpayer.lookup/v1', { taxCode: '0100109106' }), 'server.provider_unavailable');
    });

    it('answers for a provider that does not reply within the contract’s timeout (server.provider_timeout)', async () => {
      const started = Date.now();
      const reply = await client.request(`${LLTP}/criminal-record.status/v1`, { ticket: 'LLTP-1' });
      await expectGatewayError(bus, reply, 'server.provider_timeout');
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    });

    it('refuses a reply that breaks the response contract (server.provider_contract_violation)', async () => {
      const reply = await client.request(VERIFY, { ...PERSON, fullName: 'Sai Hợp Đồng' });
      await expectGatewayError(bus, reply, 'server.provider_contract_violation');
      if (reply.status === 'error') expect(reply.error.violations).toContainEqual(expect.objectContaining({ pointer: '/body/match' }));
    });

    it('answers an event refused by the gateway through onUnmatched', async () => {
      const dienbienErrors: unknown[] = [];
      client.onUnmatched((u) => dienbienErrors.push(u.envelope));
      await client.sendEvent(`${DVCQG}/dossier.sync/v1`, { dossierCode: 'bad code', status: 'received' });
      await expect.poll(() => dienbienErrors.length).toBe(1);
      expect(dienbienErrors[0]).toMatchObject({ status: 'error', error: { type: 'client.contract_violation' } });
    });

    it('keeps answering after a burst of hostile messages', async () => {
      const garbage = ['', '...', 'a.b.c', `${'e30'}.${'e30'}.x`, '{"v":1}', 'x'.repeat(5000), `${Buffer.from('{"alg":"none"}').toString('base64url')}.e30.`,
        `${Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: `${CAOBANG}#k1`, typ: 'lgsp+jws', jku: 'http://127.0.0.1/keys' })).toString('base64url')}.e30.AA`,
        `${Buffer.from('{"alg":"EdDSA"}').toString('base64url')}.${Buffer.from('['.repeat(100000)).toString('base64url')}.AA`];
      await Promise.all(garbage.map((g) => client.sendSigned(g, envelope()).then((r) => expect(r.status).toBe('error'))));
      expect((await client.request(VERIFY, PERSON)).status).toBe('ok');
    });
  });

  describe('replies the gateway refuses', () => {
    let other: TestBus;
    let otherClient: GatewayClient;

    beforeAll(async () => {
      other = await createTestBus(makeBroker());
      otherClient = await other.client(CAOBANG);
    });

    afterAll(async () => {
      await other?.stop();
    });

    it('refuses a reply signed with another system’s key (server.provider_bad_signature)', async () => {
      const provider = await other.provider(DANCU, { 'citizen.verify/v1': verifyHandler }, { key: other.keys.get(DVCQG)! });
      await expectGatewayError(other, await otherClient.request(VERIFY, PERSON), 'server.provider_bad_signature');
      await provider.stop();
    });

    it('refuses a reply signed with a rotated key the catalog does not know yet (server.provider_bad_signature)', async () => {
      const rotated = await generateSigningKey(DANCU, 'k2');
      const provider = await other.provider(DANCU, { 'citizen.verify/v1': verifyHandler }, { key: rotated.signing });
      await expectGatewayError(other, await otherClient.request(VERIFY, PERSON), 'server.provider_bad_signature');
      await provider.stop();
    });

    it('answers server.internal, without a stack trace, when something unexpected fails', async () => {
      const provider = await other.provider(DANCU, { 'citizen.verify/v1': verifyHandler });
      await other.gateway.stop();
      const real = other.gatewayTransport;
      // Fault injection at the seam: the real broker, except that forwarding to the provider throws a bug.
      const faulty: Transport = {
        kind: real.kind, names: real.names,
        publish: (queue, body, props) => (queue === real.names.inbox(DANCU) ? Promise.reject(new TypeError('boom')) : real.publish(queue, body, props)),
        declare: (systems) => real.declare(systems), consume: (q, h, o) => real.consume(q, h, o), inspect: (q) => real.inspect(q),
        ready: () => real.ready(), isConnected: () => real.isConnected(), reconnectedAt: () => real.reconnectedAt(), close: () => real.close(),
      };
      await other.startGateway(faulty);
      const reply = await otherClient.request(VERIFY, PERSON);
      await expectGatewayError(other, reply, 'server.internal');
      if (reply.status === 'error') expect(reply.error.message).not.toContain('boom');
      await provider.stop();
    });
  });
}
