/**
 * The REST bridge against an HTTP API simulated with msw, on the embedded bus: what it sends the
 * API, and each way the API can answer or fail, mapped to the error type a client gets.
 */
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayClient } from '../../adapters/amqp/client.ts';
import { startBridge } from '../../adapters/http/bridge/bridge.ts';
import { BridgeConfigError, checkBridgeConfig, loadBridgeConfig } from '../../adapters/http/bridge/config.ts';
import { embeddedBroker } from '../helpers/broker.ts';
import { CAOBANG, createTestBus, DANCU, DVCQG, fixtureCatalog, LLTP, PERSON, type TestBus, VERIFY } from '../helpers/bus.ts';

const API = 'http://127.0.0.1:9301/api';
const apis = setupServer();

describe('REST bridge', () => {
  let bus: TestBus;
  let client: GatewayClient;

  beforeAll(async () => {
    apis.listen({ onUnhandledRequest: 'error' });
    bus = await createTestBus(embeddedBroker());
    const bridge = async (system: string, config: object) => {
      const checked = checkBridgeConfig({ system, baseUrl: API, ...config }, bus.catalog);
      await startBridge({ transport: await bus.broker.connect(`${system} bridge`), catalog: bus.catalog, key: bus.keys.get(system)!, config: checked });
    };
    await bridge(DANCU, {
      errorField: 'code',
      services: {
        'citizen.verify/v1': { method: 'POST', path: '/citizens/verify', errors: { 404: 'citizen.not_found' } },
        'citizen.lookup/v1': { method: 'GET', path: '/citizens/{idNumber}' },
      },
    });
    await bridge(LLTP, { services: { 'criminal-record.status/v1': { method: 'GET', path: '/tickets/{ticket}' } } });
    await bridge(DVCQG, { services: { 'dossier.sync/v1': { method: 'PUT', path: '/dossiers/{dossierCode}/status' } } });
    client = await bus.client(CAOBANG);
  });

  afterEach(() => apis.resetHandlers());

  afterAll(async () => {
    await bus?.stop();
    apis.close();
  });

  it('calls the API as configured: method, encoded path, query, and the caller in X-Road headers', async () => {
    let seen: Request | undefined;
    apis.use(http.get(`${API}/citizens/:id`, ({ request }) => {
      seen = request;
      return HttpResponse.json({ fullName: 'Nông Văn A' });
    }));
    const reply = await client.request(`${DANCU}/citizen.lookup/v1`, { idNumber: '004190000001', purpose: 'hồ sơ 0001' }, { userId: 'CB-0042' });
    expect(reply).toMatchObject({ status: 'ok', body: { fullName: 'Nông Văn A' }, signedBy: 'provider' });
    const url = new URL(seen!.url);
    expect(url.pathname).toBe('/api/citizens/004190000001');
    expect(url.searchParams.get('purpose')).toBe('hồ sơ 0001');
    expect(seen!.headers.get('x-road-client')).toBe(CAOBANG);
    expect(seen!.headers.get('x-road-userid')).toBe('CB-0042');
    expect(seen!.headers.get('x-road-id')).toBe(reply.envelope.inReplyTo);
  });

  it('answers the API’s JSON body, signed by the bridged system and attested', async () => {
    apis.use(http.post(`${API}/citizens/verify`, async ({ request }) => HttpResponse.json({ match: (await request.json() as { fullName: string }).fullName === PERSON.fullName, differences: [] })));
    const reply = await client.request(VERIFY, PERSON);
    expect(reply).toMatchObject({ status: 'ok', body: { match: true, differences: [] }, signedBy: 'provider' });
    expect(reply.attestation).toMatch(/^ey/);
  });

  it('maps a configured status to its business error (404 → citizen.not_found)', async () => {
    apis.use(http.post(`${API}/citizens/verify`, () => HttpResponse.json({ message: 'Không tìm thấy công dân' }, { status: 404 })));
    const reply = await client.request(VERIFY, PERSON);
    expect(reply).toMatchObject({ status: 'error', signedBy: 'provider', error: { type: 'citizen.not_found', message: 'Không tìm thấy công dân' } });
  });

  it('takes a business error the API names in its body when the status maps to none', async () => {
    apis.use(http.post(`${API}/citizens/verify`, () => HttpResponse.json({ code: 'citizen.not_found' }, { status: 422 })));
    expect(await client.request(VERIFY, PERSON)).toMatchObject({ status: 'error', signedBy: 'provider', error: { type: 'citizen.not_found' } });
  });

  it('answers a 5xx as database.unavailable', async () => {
    apis.use(http.post(`${API}/citizens/verify`, () => new HttpResponse('upstream down', { status: 502 })));
    expect(await client.request(VERIFY, PERSON)).toMatchObject({ status: 'error', signedBy: 'provider', error: { type: 'database.unavailable' } });
  });

  it('answers a reset connection as database.unavailable', async () => {
    apis.use(http.post(`${API}/citizens/verify`, () => HttpResponse.error()));
    expect(await client.request(VERIFY, PERSON)).toMatchObject({ status: 'error', signedBy: 'provider', error: { type: 'database.unavailable' } });
  });

  it('lets an API that never answers become server.provider_timeout', async () => {
    apis.use(http.get(`${API}/tickets/:ticket`, async () => {
      await delay('infinite');
      return HttpResponse.json({});
    }));
    expect(await client.request(`${LLTP}/criminal-record.status/v1`, { ticket: 'LLTP-7' })).toMatchObject({ status: 'error', signedBy: 'gateway', error: { type: 'server.provider_timeout' } });
  });

  it('answers malformed JSON as server.provider_contract_violation', async () => {
    apis.use(http.post(`${API}/citizens/verify`, () => new HttpResponse('{"match": tru', { headers: { 'Content-Type': 'application/json' } })));
    const reply = await client.request(VERIFY, PERSON);
    expect(reply).toMatchObject({ status: 'error', signedBy: 'gateway', error: { type: 'server.provider_contract_violation' } });
    if (reply.status === 'error') expect(reply.error.message).toContain('upstream.malformed_reply');
  });

  it('answers a body that breaks the response contract as server.provider_contract_violation, naming the field', async () => {
    apis.use(http.post(`${API}/citizens/verify`, () => HttpResponse.json({ match: 'yes', differences: [] })));
    const reply = await client.request(VERIFY, PERSON);
    expect(reply).toMatchObject({ status: 'error', signedBy: 'gateway', error: { type: 'server.provider_contract_violation' } });
    if (reply.status === 'error') expect(reply.error.violations).toContainEqual(expect.objectContaining({ pointer: '/body/match' }));
  });

  it('answers an unmapped 4xx as server.provider_contract_violation', async () => {
    apis.use(http.post(`${API}/citizens/verify`, () => HttpResponse.json({ error: 'bad field' }, { status: 400 })));
    expect(await client.request(VERIFY, PERSON)).toMatchObject({ status: 'error', error: { type: 'server.provider_contract_violation' } });
  });

  it('delivers an event, and hands it back to the queue while the API fails, so it is not lost', async () => {
    let calls = 0;
    const bodies: unknown[] = [];
    apis.use(http.put(`${API}/dossiers/:code/status`, async ({ request, params }) => {
      calls += 1;
      if (calls === 1) return new HttpResponse(null, { status: 503 });
      bodies.push({ code: params.code, ...(await request.json() as object) });
      return new HttpResponse(null, { status: 204 });
    }));
    await client.sendEvent(`${DVCQG}/dossier.sync/v1`, { dossierCode: 'H04.01-250822-0001', status: 'received' });
    await expect.poll(() => bodies).toEqual([{ code: 'H04.01-250822-0001', dossierCode: 'H04.01-250822-0001', status: 'received' }]);
    expect(calls).toBe(2);
  });
});

describe('REST bridge configuration', () => {
  it('names the file, the place and the problem', async () => {
    const { catalog } = await fixtureCatalog();
    const base = { system: DANCU, baseUrl: API };
    expect(() => checkBridgeConfig({ ...base, services: { 'citizen.delete/v1': { method: 'POST', path: '/x' } } }, catalog, 'b.yaml'))
      .toThrow(new BridgeConfigError('b.yaml', '/services/citizen.delete/v1', `${DANCU} provides no citizen.delete/v1`));
    expect(() => checkBridgeConfig({ ...base, services: { 'citizen.lookup/v1': { method: 'GET', path: '/c/{id}' } } }, catalog, 'b.yaml'))
      .toThrow(/b\.yaml \/services\/citizen\.lookup\/v1\/path: \{id\} is not a field/);
    expect(() => checkBridgeConfig({ ...base, services: { 'citizen.verify/v1': { method: 'FETCH', path: '/v' } } }, catalog, 'b.yaml')).toThrow(/b\.yaml \/services\/citizen\.verify~1v1\/method/);
    expect(() => checkBridgeConfig({ ...base, system: 'VN/GOV/X/Y', services: { 'a/v1': { method: 'GET', path: '/' } } }, catalog)).toThrow(/no system VN\/GOV\/X\/Y/);
    expect(() => loadBridgeConfig('bridges/no-such.yaml', catalog)).toThrow(/bridges\/no-such\.yaml/);
  });
});
