/**
 * The HTTP ingress, pinned once and run over each transport: credential and signed mode with
 * verified replies and their headers, events, business errors, every error type of docs/protocol.md §4
 * with its status, `X-Road-Error` and body (signed by the gateway and recorded), hostile input,
 * rate limits and the metaservices.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../adapters/amqp/provider.ts';
import { createIngress, type Ingress } from '../../adapters/http/ingress.ts';
import { issueToken, TokenStore } from '../../adapters/http/tokens.ts';
import { verifyAttestation } from '../../gateway/protocol/attestation.ts';
import type { ErrorType } from '../../gateway/protocol/errors.ts';
import { sha256 } from '../../gateway/protocol/jws.ts';
import type { SigningKey } from '../../gateway/protocol/keys.ts';
import type { BrokerHandle } from './broker.ts';
import { CAOBANG, createTestBus, DANCU, DIENBIEN, DVCQG, GATEWAY, LLTP, PERSON, type TestBus, THUE, VERIFY, verifyHandler } from './bus.ts';
import { craft, envelope, tamper } from './craft.ts';
import { http, type HttpReply } from './http.ts';
import { STATUS } from './statuses.ts';

const SYNC = `${DVCQG}/dossier.sync/v1`;

function listen(ingress: Ingress): Promise<{ server: Server; base: string }> {
  return new Promise((resolve) => {
    const server = ingress.app.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve({ server, base: `http://127.0.0.1:${address.port}` });
    });
  });
}

const header = (key: SigningKey) => ({ alg: key.alg, kid: key.kid, typ: 'lgsp+jws' });

export function ingressSuite(makeBroker: () => BrokerHandle): void {
  let bus: TestBus;
  let ingress: Ingress;
  let limited: Ingress;
  const servers: Server[] = [];
  let base: string;
  let limitedBase: string;
  let home: string;
  const tokens: Record<string, string> = {};
  const events: IncomingMessage[] = [];
  /** Refusals of callers that never proved who they are, as the ingress and the gateway counted them. */
  const unauthenticated: string[] = [];

  /**
   * Checks a gateway error over HTTP: status, X-Road-Error, body and the gateway's signature; and
   * that it was recorded — or, for a caller that never proved who it is, counted and not recorded.
   */
  async function expectHttpError(reply: HttpReply, type: ErrorType, recorded = true): Promise<void> {
    expect({ status: reply.status, error: reply.headers['x-road-error'], type: reply.json?.type }).toEqual({ status: STATUS[type], error: type, type });
    expect(reply.json).toMatchObject({ message: expect.any(String), detail: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(reply.text).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
    const signature = String(reply.headers['x-lgsp-signature']);
    const { payload, protectedHeader } = await compactVerify(signature, bus.catalog.keys.get(bus.keys.get(GATEWAY)!.kid)!.key);
    expect(protectedHeader.kid).toBe(bus.keys.get(GATEWAY)!.kid);
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ status: 'error', error: { type, detail: reply.json.detail } });
    if (recorded) {
      await expect.poll(() => bus.ledger.records.find((r) => r.tx === reply.json.detail)?.outcome).toBe(type);
    } else {
      expect(unauthenticated.at(-1)).toBe(type);
      expect(bus.ledger.records.find((r) => r.tx === reply.json.detail)).toBeUndefined();
    }
  }

  const post = (b: string, service: string, headers: Array<[string, string]>, body: string | Buffer) => http(b, `/r1/${service}`, { method: 'POST', headers, body });

  /** Credential mode as Cao Bằng (or `client` with `token`). */
  const credential = (service: string, body: unknown, extra: Array<[string, string]> = [], client = CAOBANG, token = tokens[CAOBANG]!, b = base) =>
    post(b, service, [['Content-Type', 'application/json'], ['X-Road-Client', client], ['Authorization', `Bearer ${token}`], ...extra], JSON.stringify(body));

  /** Signed mode: `jws` as is, with X-Road-Client `client`. */
  const signed = (service: string, jws: string, extra: Array<[string, string]> = [], client = CAOBANG) =>
    post(base, service, [['Content-Type', 'application/jose'], ['X-Road-Client', client], ...extra], jws);

  const sign = (payload: unknown, system = CAOBANG) => craft(payload, header(bus.keys.get(system)!), bus.keys.get(system)!.key);

  beforeAll(async () => {
    // What the gateway answers without recording for this door's callers counts as the door's own.
    bus = await createTestBus(makeBroker(), { availabilityTtlMs: 1 }, (type, door) => void (door === 'http' && unauthenticated.push(type)));
    await bus.provider(DANCU, { 'citizen.verify/v1': (m) => (m.body.fullName === 'Sai Hợp Đồng' ? { body: { match: 'yes' } } : verifyHandler(m)) });
    await bus.provider(DVCQG, { 'dossier.sync/v1': (m) => void events.push(m) });
    await bus.provider(LLTP, { 'criminal-record.status/v1': () => new Promise(() => undefined) });
    home = mkdtempSync(join(tmpdir(), 'lgsp-ingress-'));
    for (const system of [CAOBANG, DIENBIEN]) tokens[system] = issueToken(home, system).token;
    const deps = {
      catalog: bus.catalog, tokens: new TokenStore(home), gatewayKey: bus.keys.get(GATEWAY)!,
      // Dien Bien's key is not at the ingress: its credential-mode requests cannot be signed.
      keyOf: async (system: string) => (system === DIENBIEN ? undefined : bus.keys.get(system)),
      record: (r: Parameters<typeof bus.ledger.record>[0]) => bus.ledger.record(r),
      countUnauthenticated: (type: string) => void unauthenticated.push(type),
    };
    ingress = createIngress({ ...deps, transport: await bus.broker.connect('ingress') });
    limited = createIngress({ ...deps, transport: await bus.broker.connect('ingress limited'), config: { ratePerSecond: 3 } });
    const a = await listen(ingress);
    const b = await listen(limited);
    servers.push(a.server, b.server);
    base = a.base;
    limitedBase = b.base;
  });

  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    await ingress?.close();
    await limited?.close();
    // The ingresses' reply queues go with the bus.
    const queues = [CAOBANG, DIENBIEN].flatMap((s) => [ingress, limited].map((i) => `${bus.broker.prefix}.reply.${s}#${i.instance}`));
    await bus?.stop();
    await bus?.broker.cleanup([], queues);
    rmSync(home, { recursive: true, force: true });
  });

  describe('replies', () => {
    it('answers a credential-mode request with the provider’s body, its JWS and the gateway’s attestation', async () => {
      const reply = await credential(VERIFY, PERSON, [['X-Road-Id', '6d2b1c0e-8f57-4c39-9a43-6a1b7c5e2f10']]);
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ match: true, differences: [] });
      expect(reply.headers).toMatchObject({ 'x-road-id': '6d2b1c0e-8f57-4c39-9a43-6a1b7c5e2f10', 'x-road-client': CAOBANG, 'x-road-service': VERIFY });
      const providerKey = bus.catalog.keys.get(bus.keys.get(DANCU)!.kid)!.key;
      const response = JSON.parse(new TextDecoder().decode((await compactVerify(String(reply.headers['x-lgsp-signature']), providerKey)).payload));
      expect(response).toMatchObject({ kind: 'response', status: 'ok', body: reply.json, inReplyTo: '6d2b1c0e-8f57-4c39-9a43-6a1b7c5e2f10', requestHash: reply.headers['x-road-request-hash'] });
      const attestation = await verifyAttestation(String(reply.headers['x-lgsp-attestation']), String(reply.headers['x-lgsp-signature']), bus.catalog.keys, GATEWAY);
      expect(attestation).toMatchObject({ tx: reply.headers['x-lgsp-transaction'], sha256: sha256(String(reply.headers['x-lgsp-signature'])) });
      await expect.poll(() => bus.ledger.records.find((r) => r.tx === reply.headers['x-lgsp-transaction'])?.outcome).toBe('ok');
    });

    it('answers a signed-mode request with the provider’s JWS when asked for application/jose', async () => {
      const request = envelope();
      const jws = await sign(request);
      const reply = await signed(VERIFY, jws, [['Accept', 'application/jose'], ['X-Road-Id', request.id]]);
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^application\/jose/);
      expect(reply.text).toBe(reply.headers['x-lgsp-signature']);
      expect(reply.headers['x-road-request-hash']).toBe(sha256(jws));
      expect(decodeProtectedHeader(reply.text).kid).toBe(bus.keys.get(DANCU)!.kid);
    });

    it('passes a declared business error through with 422, signed by the provider', async () => {
      const reply = await credential(VERIFY, { ...PERSON, idNumber: '004190999999' });
      expect(reply.status).toBe(422);
      expect(reply.headers['x-lgsp-business-error']).toBe('citizen.not_found');
      expect(reply.headers['x-road-error']).toBeUndefined();
      expect(reply.json).toMatchObject({ type: 'citizen.not_found' });
      expect(decodeProtectedHeader(String(reply.headers['x-lgsp-signature'])).kid).toBe(bus.keys.get(DANCU)!.kid);
    });

    it('answers an event 202 and delivers it to the provider', async () => {
      const reply = await credential(SYNC, { dossierCode: 'H04.01-250822-0001', status: 'received' });
      expect(reply.status).toBe(202);
      expect(reply.json).toMatchObject({ status: 'accepted', id: reply.headers['x-road-id'] });
      await expect.poll(() => events.some((e) => e.envelope.id === reply.headers['x-road-id'])).toBe(true);
    });

    it('checks an event before answering, since no reply can carry its error back (client.contract_violation)', async () => {
      await expectHttpError(await credential(SYNC, { dossierCode: 'bad code', status: 'received' }), 'client.contract_violation');
    });
  });

  describe('every error type of docs/protocol.md §4 over HTTP', () => {
    it('client.malformed: a signed-mode body that is not a JWS', async () => {
      await expectHttpError(await signed(VERIFY, 'not a jws'), 'client.malformed', false);
    });

    it('client.malformed: a credential-mode body that is not a JSON object', async () => {
      await expectHttpError(await credential(VERIFY, [1, 2]), 'client.malformed');
    });

    it('client.malformed: a credential-mode body that gives a key twice, naming it', async () => {
      const reply = await post(base, VERIFY, [['Content-Type', 'application/json'], ['X-Road-Client', CAOBANG], ['Authorization', `Bearer ${tokens[CAOBANG]}`]],
        `{"idNumber":"004190000001","fullName":"Nông Văn A","dateOfBirth":"1990-01-01","idNumber":"001099000001"}`);
      await expectHttpError(reply, 'client.malformed');
      expect(reply.json.violations).toEqual([{ pointer: '/idNumber', message: 'appears more than once' }]);
    });

    it('client.malformed: headers that disagree with the signed request, each named', async () => {
      const reply = await signed(VERIFY, await sign(envelope()), [['X-Road-Id', '00000000-0000-4000-8000-000000000001']], CAOBANG);
      await expectHttpError(reply, 'client.malformed', false);
      expect(reply.json.violations).toEqual([{ pointer: '/id', message: 'does not match X-Road-Id' }]);
    });

    it('client.too_large: a body over the 1 MiB limit', async () => {
      await expectHttpError(await credential(VERIFY, { ...PERSON, fullName: 'x'.repeat(1024 * 1024 + 10) }), 'client.too_large');
    });

    it('client.bad_algorithm: an HMAC-signed request', async () => {
      const jws = await craft(envelope(), { alg: 'HS256', kid: `${CAOBANG}#k1`, typ: 'lgsp+jws' }, new Uint8Array(32).fill(7));
      await expectHttpError(await signed(VERIFY, jws), 'client.bad_algorithm', false);
    });

    it('client.unknown_key: a key the catalog does not know, and a token this gateway never issued', async () => {
      const key = bus.keys.get(CAOBANG)!;
      await expectHttpError(await signed(VERIFY, await craft(envelope(), { ...header(key), kid: `${CAOBANG}#k9` }, key.key)), 'client.unknown_key', false);
      await expectHttpError(await credential(VERIFY, PERSON, [], CAOBANG, 'lgsp_forged-token-000000000000000000000000000'), 'client.unknown_key', false);
    });

    it('client.key_mismatch: signed with another system’s key, and a token issued to another system', async () => {
      await expectHttpError(await signed(VERIFY, await sign(envelope(), DIENBIEN)), 'client.key_mismatch', false);
      await expectHttpError(await credential(VERIFY, PERSON, [], CAOBANG, tokens[DIENBIEN]), 'client.key_mismatch', false);
    });

    it('client.bad_signature: a payload changed after signing', async () => {
      const jws = tamper(await sign(envelope()), envelope({ body: { ...PERSON, fullName: 'Người Khác' } }));
      await expectHttpError(await signed(VERIFY, jws), 'client.bad_signature', false);
    });

    it('client.clock_skew: a request an hour old', async () => {
      await expectHttpError(await signed(VERIFY, await sign(envelope({ at: new Date(Date.now() - 3_600_000).toISOString() }))), 'client.clock_skew');
    });

    it('client.replay: an X-Road-Id used before, with other bytes', async () => {
      const first = envelope();
      expect((await signed(VERIFY, await sign(first))).status).toBe(200);
      await expectHttpError(await signed(VERIFY, await sign({ ...first, body: { ...PERSON, fullName: 'Người Khác' } })), 'client.replay');
      const id: [string, string] = ['X-Road-Id', '3f0c9a52-1b7e-4d2a-8c61-0e5f4b9d7a21'];
      expect((await credential(VERIFY, PERSON, [id])).status).toBe(200);
      await expectHttpError(await credential(VERIFY, PERSON, [id]), 'client.replay');
    });

    it('answers the same signed bytes again with the answer the ledger holds for them, not a second transaction', async () => {
      const jws = await sign(envelope());
      const first = await signed(VERIFY, jws, [['Accept', 'application/jose']]);
      expect(first.status).toBe(200);
      const again = await signed(VERIFY, jws, [['Accept', 'application/jose']]);
      expect({ status: again.status, tx: again.headers['x-lgsp-transaction'], jws: again.text }).toEqual({ status: 200, tx: first.headers['x-lgsp-transaction'], jws: first.text });
      expect(bus.ledger.records.filter((r) => r.requestHash === sha256(jws))).toHaveLength(1);
    });

    it('answers bytes sent on the bus first with that transaction\'s answer', async () => {
      const onBus = await bus.client(CAOBANG, { instance: 'replay-check' });
      const { envelope, jws } = await onBus.sign('request', VERIFY, PERSON);
      const first = await onBus.sendSigned(jws, envelope);
      expect(first.status).toBe('ok');
      const reply = await signed(VERIFY, jws, [['Accept', 'application/jose']]);
      expect({ status: reply.status, tx: reply.headers['x-lgsp-transaction'], jws: reply.text }).toEqual({ status: 200, tx: first.tx, jws: first.jws });
    });

    it('client.unknown_service: a version nobody provides', async () => {
      await expectHttpError(await credential(`${DANCU}/citizen.verify/v9`, PERSON), 'client.unknown_service');
    });

    it('client.access_denied: a province without the right', async () => {
      const request = envelope({ client: DIENBIEN });
      await expectHttpError(await signed(VERIFY, await sign(request, DIENBIEN), [], DIENBIEN), 'client.access_denied');
    });

    it('client.contract_violation: each failing field by JSON pointer', async () => {
      const reply = await credential(VERIFY, { ...PERSON, idNumber: '0041' });
      await expectHttpError(reply, 'client.contract_violation');
      expect(reply.json.violations).toContainEqual(expect.objectContaining({ pointer: '/body/idNumber' }));
    });

    it('says what a format expects, with an example, as the real-API doors do', async () => {
      const reply = await credential(VERIFY, { ...PERSON, dateOfBirth: '14/05/1990' });
      await expectHttpError(reply, 'client.contract_violation');
      expect(reply.json.violations).toContainEqual({ pointer: '/body/dateOfBirth', message: 'must be a date such as 2025-11-24' });
    });

    it('client.rate_limited: over the client’s rate, with Retry-After', async () => {
      const replies = await Promise.all(Array.from({ length: 6 }, () => credential(VERIFY, PERSON, [], CAOBANG, tokens[CAOBANG], limitedBase)));
      const refused = replies.filter((r) => r.status === 429);
      expect(refused.length).toBeGreaterThanOrEqual(3);
      expect(Number(refused[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      await expectHttpError(refused[0]!, 'client.rate_limited');
      // Another system has a budget of its own.
      const other = await post(limitedBase, `${DANCU}/citizen.verify/v1`, [['Content-Type', 'application/jose'], ['X-Road-Client', DIENBIEN]], await sign(envelope({ client: DIENBIEN }), DIENBIEN));
      expect(other.status).toBe(403);
    });

    it('server.provider_unavailable: a provider nobody serves', async () => {
      await expectHttpError(await credential(`${THUE}/taxpayer.lookup/v1`, { taxCode: '0100109106' }), 'server.provider_unavailable');
    });

    it('server.provider_timeout: a provider that does not answer in time', async () => {
      await expectHttpError(await credential(`${LLTP}/criminal-record.status/v1`, { ticket: 'LLTP-1' }), 'server.provider_timeout');
    });

    it('server.provider_bad_signature: a reply signed with another system’s key', async () => {
      const provider = await bus.provider(THUE, { 'taxpayer.lookup/v1': () => ({ body: {} }) }, { key: bus.keys.get(DVCQG)! });
      await expectHttpError(await credential(`${THUE}/taxpayer.lookup/v1`, { taxCode: '0100109106' }), 'server.provider_bad_signature');
      await provider.stop();
    });

    it('server.provider_contract_violation: a reply that breaks the response contract', async () => {
      await expectHttpError(await credential(VERIFY, { ...PERSON, fullName: 'Sai Hợp Đồng' }), 'server.provider_contract_violation');
    });

    it('server.internal: a credential-mode system whose key the ingress does not hold', async () => {
      await expectHttpError(await credential(VERIFY, PERSON, [], DIENBIEN, tokens[DIENBIEN]), 'server.internal');
    });
  });

  describe('hostile input, refused before anything is routed', () => {
    const verifyPath = `/r1/${VERIFY}`;
    const json: Array<[string, string]> = [['Content-Type', 'application/json']];

    it('refuses an encoded slash in the path', async () => {
      const reply = await http(base, '/r1/VN/GOV/BCA%2FDANCU/X/citizen.verify/v1', { method: 'POST', headers: json, body: '{}' });
      await expectHttpError(reply, 'client.malformed', false);
    });

    it('refuses dot segments, plain or encoded', async () => {
      for (const path of ['/r1/VN/GOV/BCA/../DANCU/citizen.verify/v1', '/r1/VN/GOV/BCA/%2e%2e/citizen.verify/v1', '/r1/VN/GOV/BCA/DANCU/./v1']) {
        await expectHttpError(await http(base, path, { method: 'POST', headers: json, body: '{}' }), 'client.malformed', false);
      }
    });

    it('refuses a path part outside the identifier grammar', async () => {
      await expectHttpError(await http(base, '/r1/VN/GOV/BCA/DAN$CU/citizen.verify/v1', { method: 'POST', headers: json, body: '{}' }), 'client.malformed', false);
      await expectHttpError(await http(base, '/r1/VN/CITY/BCA/DANCU/citizen.verify/v1', { method: 'POST', headers: json, body: '{}' }), 'client.malformed', false);
    });

    it('refuses X-Road-Client sent twice', async () => {
      const reply = await http(base, verifyPath, { method: 'POST', headers: [...json, ['X-Road-Client', CAOBANG], ['X-Road-Client', DIENBIEN], ['Authorization', `Bearer ${tokens[CAOBANG]}`]], body: JSON.stringify(PERSON) });
      await expectHttpError(reply, 'client.malformed', false);
      expect(reply.json.violations).toEqual([expect.objectContaining({ pointer: '/headers/X-Road-Client' })]);
    });

    it('refuses a missing or ill-formed X-Road-Client', async () => {
      await expectHttpError(await http(base, verifyPath, { method: 'POST', headers: json, body: '{}' }), 'client.malformed', false);
      await expectHttpError(await http(base, verifyPath, { method: 'POST', headers: [...json, ['X-Road-Client', "VN/PROV/CAOBANG/MOTCUA'; DROP TABLE"]], body: '{}' }), 'client.malformed', false);
    });

    it('refuses a body that is neither JSON nor JOSE', async () => {
      await expectHttpError(await http(base, verifyPath, { method: 'POST', headers: [['Content-Type', 'text/plain'], ['X-Road-Client', CAOBANG]], body: 'hello' }), 'client.malformed', false);
    });

    it('refuses an X-Road-Id that is not a UUID — 256 characters, say — at once, naming the header, and stays up', async () => {
      const reply = await credential(VERIFY, PERSON, [['X-Road-Id', 'a'.repeat(256)]]);
      await expectHttpError(reply, 'client.malformed');
      expect(reply.json.violations).toEqual([{ pointer: '/headers/X-Road-Id', message: 'must be a UUID (36 characters)' }]);
      expect((await credential(VERIFY, PERSON)).status).toBe(200);
    });

    it('refuses an over-long or ill-formed X-Road-UserId or X-Road-Issue in credential mode', async () => {
      for (const [header, value] of [['X-Road-UserId', 'u'.repeat(129)], ['X-Road-Issue', 'dossier 1; drop']] as const) {
        const reply = await credential(VERIFY, PERSON, [[header, value]]);
        await expectHttpError(reply, 'client.malformed');
        expect(reply.json.violations).toEqual([expect.objectContaining({ pointer: `/headers/${header}` })]);
      }
    });

    it('keeps answering after hostile requests', async () => {
      expect((await credential(VERIFY, PERSON)).status).toBe(200);
    });
  });

  describe('metaservices over HTTP', () => {
    it('lists clients, optionally by member', async () => {
      const all = await http(base, '/listClients');
      expect(all.json.clients.map((c: { id: string }) => c.id)).toEqual([...bus.catalog.systems.keys()]);
      expect((await http(base, '/listClients?member=BCA')).json).toEqual({ clients: [{ id: DANCU, name: bus.catalog.systems.get(DANCU)!.name, scope: 'national' }] });
    });

    it('lists a provider’s methods, and only those the caller may call', async () => {
      expect((await http(base, `/r1/${DANCU}/listMethods`)).json.services.map((s: { id: string }) => s.id)).toEqual([VERIFY, `${DANCU}/citizen.lookup/v1`]);
      const allowed = async (client: string) => (await http(base, `/r1/${DANCU}/allowedMethods`, { headers: [['X-Road-Client', client], ['Authorization', `Bearer ${tokens[client]}`]] })).json.services;
      expect((await allowed(CAOBANG)).length).toBe(2);
      expect(await allowed(DIENBIEN)).toEqual([]);
      // What a system may call is its own: not without its token, nor with another's.
      await expectHttpError(await http(base, `/r1/${DANCU}/allowedMethods`, { headers: [['X-Road-Client', CAOBANG]] }), 'client.unknown_key', false);
      const asOther = await http(base, `/r1/${DANCU}/allowedMethods`, { headers: [['X-Road-Client', CAOBANG], ['Authorization', `Bearer ${tokens[DIENBIEN]}`]] });
      await expectHttpError(asOther, 'client.key_mismatch', false);
      await expectHttpError(await http(base, '/r1/VN/GOV/XYZ/NOBODY/listMethods'), 'client.unknown_service', false);
    });

    it('returns a service’s contract', async () => {
      const reply = await http(base, `/r1/${DANCU}/getContract?serviceCode=citizen.verify&version=v1`);
      expect(reply.json).toMatchObject({ service: VERIFY, mode: 'request-reply', errors: [{ type: 'citizen.not_found' }, { type: 'database.unavailable' }], request: { required: ['idNumber', 'fullName', 'dateOfBirth'] } });
    });
  });

  describe('limits that protect the honest', () => {
    it('does not charge requests that fail their signature to the system they name', async () => {
      // Wait for a window in which Cao Bằng's budget (3 a second here) is whole again.
      await expect.poll(async () => (await credential(VERIFY, PERSON, [], CAOBANG, tokens[CAOBANG], limitedBase)).status, { interval: 250 }).toBe(200);
      const forged = tamper(await sign(envelope()), envelope({ body: { ...PERSON, fullName: 'Người Khác' } }));
      const refused = await Promise.all(Array.from({ length: 20 }, () => post(limitedBase, VERIFY, [['Content-Type', 'application/jose'], ['X-Road-Client', CAOBANG]], forged)));
      expect(new Set(refused.map((r) => r.headers['x-road-error']))).toEqual(new Set(['client.bad_signature']));
      expect((await credential(VERIFY, PERSON, [], CAOBANG, tokens[CAOBANG], limitedBase)).status).toBe(200);
    });

    it('refuses a body declared over the limit before reading it (client.too_large, 413)', async () => {
      const { status, headers } = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
        const url = new URL(`${base}/r1/${VERIFY}`);
        const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: {
          'Content-Type': 'application/json', 'Content-Length': String(50 * 1024 * 1024), 'X-Road-Client': CAOBANG, Authorization: `Bearer ${tokens[CAOBANG]}`,
        } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode!, headers: res.headers });
        });
        req.on('error', reject);
        req.flushHeaders(); // the 50 MB never follow: the answer must not wait for them
      });
      expect(status).toBe(413);
      expect(headers['x-road-error']).toBe('client.too_large');
      expect(headers.connection).toBe('close');
    });

    it('refuses a path that is not valid UTF-8 (an overlong %c0%ae) as client.malformed, not a 500', async () => {
      await expectHttpError(await http(base, '/r1/VN/GOV/BCA/%c0%ae/citizen.verify/v1', { method: 'POST', headers: [['Content-Type', 'application/json']], body: '{}' }), 'client.malformed', false);
    });

    it('slows token guessing from one address: after 30 failures a minute, 429', async () => {
      const guesses = [];
      for (let i = 0; i < 32; i++) guesses.push(await credential(VERIFY, PERSON, [], CAOBANG, `lgsp_guess-${String(i).padStart(40, '0')}`, limitedBase));
      // Failed signatures from this address earlier in the minute count too: the refusals start at or before the 31st.
      const first = guesses.findIndex((g) => g.status === 429);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(first).toBeLessThanOrEqual(30);
      expect(guesses.slice(0, first).every((g) => g.headers['x-road-error'] === 'client.unknown_key')).toBe(true);
      expect(guesses.slice(first).every((g) => g.headers['x-road-error'] === 'client.rate_limited')).toBe(true);
    });

    it('keeps the penalty on the guessed credential: another system from the same address, and the guessed system with its own token, go through', async () => {
      for (let i = 0; i < 32; i++) await credential(VERIFY, PERSON, [], CAOBANG, `lgsp_guess-${String(i).padStart(40, '0')}`, limitedBase);
      expect((await credential(VERIFY, PERSON, [], CAOBANG, `lgsp_guess-${'9'.repeat(40)}`, limitedBase)).headers['x-road-error']).toBe('client.rate_limited');
      // Another province behind the same address (one NAT): not counted with the guesser.
      const other = await credential(VERIFY, PERSON, [], DIENBIEN, tokens[DIENBIEN], limitedBase);
      expect(other.text).not.toMatch(/failed authentications/);
      expect(other.status).not.toBe(429);
      // The guessed system with its real token: it authenticates, so it goes through (once its own rate allows).
      await expect.poll(async () => (await credential(VERIFY, PERSON, [], CAOBANG, tokens[CAOBANG], limitedBase)).status, { interval: 250 }).toBe(200);
    });
  });
}
