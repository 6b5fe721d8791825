/**
 * The HTTP provider door (docs/protocol.md §7): a provincial system that provides over plain HTTP
 * — here a test's own server, written from the protocol's description alone — is called for each
 * request and event of its services, with its door's secret and the X-Road headers, and its
 * answers reach the client signed for it and checked by the gateway, recorded as for a provider
 * on the bus: a reply, a business error the contract declares, an event taken, and a failure.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServiceProvider } from '../../adapters/amqp/provider.ts';
import { startProviderDoor } from '../../adapters/http/provider-door.ts';
import { embeddedBroker } from '../helpers/broker.ts';
import { startSimulationBus, type SimulationBus } from '../helpers/simulation-bus.ts';

const CAOBANG = 'VN/PROV/CAOBANG/MOTCUA';
const DVCQG = 'VN/GOV/VPCP/DVCQG';
const LLTP = 'VN/GOV/BTP/LLTP';
const RECEIVE = `${CAOBANG}/dossier.receive/v1`;
const RESULT = `${CAOBANG}/criminal-record.result/v1`;
const SECRET = 'lgspd_test-secret';
const APPLICATION = { portalRef: 'DVC-2508-000117', procedureCode: '1.001234', applicant: { idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14' }, submittedAt: '2025-08-22T03:00:00Z' };

interface Call { path: string; headers: IncomingHttpHeaders; body: unknown }

let bus: SimulationBus;
let server: Server;
let door: ServiceProvider;
let doorTransport: () => ReturnType<ReturnType<typeof embeddedBroker>['connect']>;
const calls: Call[] = [];
/** What the province's server answers next, by the request's procedure code. */
function answerOf(body: { procedureCode?: string }): { status: number; body: unknown } {
  if (body.procedureCode === '9.999999') return { status: 422, body: { type: 'procedure.not_offered', message: 'Thủ tục chưa cung cấp trực tuyến.' } };
  if (body.procedureCode === '5.000500') return { status: 503, body: { message: 'down for maintenance' } };
  return { status: 200, body: { dossierCode: '000.00.04.H04-250822-5749', status: 'received' } };
}

beforeAll(async () => {
  const broker = embeddedBroker();
  bus = await startSimulationBus(broker, { without: [CAOBANG] });
  doorTransport = () => broker.connect('provider door');
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const body = JSON.parse(text || 'null') as { procedureCode?: string };
      calls.push({ path: req.url!, headers: req.headers, body });
      if (req.headers.authorization !== `Bearer ${SECRET}`) return void res.writeHead(401).end();
      const answer = req.url!.includes('criminal-record.result') ? { status: 202, body: {} } : answerOf(body);
      res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  door = await startProviderDoor({
    transport: await doorTransport(),
    catalog: bus.catalog, key: bus.keys.get(CAOBANG)!, providerUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, secret: SECRET,
  });
});

afterAll(async () => {
  await door?.stop();
  await new Promise((r) => server?.close(r));
  await bus?.stop();
});

it('calls the provider at /r1/<service id> with its secret and the X-Road headers, and answers its reply signed for it, recorded', async () => {
  const portal = await bus.client(DVCQG);
  const reply = await portal.request(RECEIVE, APPLICATION, { userId: 'DVC-SYSTEM' });
  expect(reply).toMatchObject({ status: 'ok', signedBy: 'provider', body: { dossierCode: '000.00.04.H04-250822-5749', status: 'received' } });
  const call = calls.find((c) => (c.body as { portalRef?: string }).portalRef === APPLICATION.portalRef)!;
  expect(call.path).toBe(`/r1/${RECEIVE}`);
  expect(call.headers).toMatchObject({
    authorization: `Bearer ${SECRET}`, 'x-road-client': DVCQG, 'x-road-service': RECEIVE, 'x-road-userid': 'DVC-SYSTEM', 'x-lgsp-transaction': reply.tx, 'content-type': 'application/json',
  });
  expect(call.body).toEqual(APPLICATION);
  expect(bus.ledger.records.find((r) => r.tx === reply.tx)).toMatchObject({ client: DVCQG, service: RECEIVE, provider: CAOBANG, outcome: 'ok' });
});

it('answers a 4xx naming a business error its contract declares as that business error', async () => {
  const portal = await bus.client(DVCQG);
  const reply = await portal.request(RECEIVE, { ...APPLICATION, portalRef: 'DVC-2508-000118', procedureCode: '9.999999' }, { userId: 'DVC-SYSTEM' });
  expect(reply).toMatchObject({ status: 'error', signedBy: 'provider', error: { type: 'procedure.not_offered', message: 'Thủ tục chưa cung cấp trực tuyến.' } });
  expect(bus.ledger.records.find((r) => r.tx === reply.tx)).toMatchObject({ outcome: 'ok', businessError: 'procedure.not_offered' });
});

it('answers a provider that fails (503) as a reply that breaks its contract, naming what it said', async () => {
  const portal = await bus.client(DVCQG);
  const reply = await portal.request(RECEIVE, { ...APPLICATION, portalRef: 'DVC-2508-000119', procedureCode: '5.000500' }, { userId: 'DVC-SYSTEM' });
  expect(reply).toMatchObject({ status: 'error', signedBy: 'gateway', error: { type: 'server.provider_contract_violation' } });
  expect(reply.status === 'error' && reply.error.message).toMatch(/upstream\.unavailable|503/);
});

it('delivers an event to it, taken with a 2xx', async () => {
  const records = await bus.client(LLTP);
  const event = { ticket: 'LLTP-0000000002', idNumber: '004190000123', hasRecord: false, certificateNo: 'LLTP/2025/000002', issuedAt: '2025-08-30T02:00:00Z' };
  const sent = await records.sendEvent(RESULT, event, { userId: 'LLTP-SYSTEM' });
  await expect.poll(() => calls.find((c) => c.path === `/r1/${RESULT}`)?.body).toEqual(event);
  expect(calls.find((c) => c.path === `/r1/${RESULT}`)!.headers).toMatchObject({ 'x-road-client': LLTP, 'x-road-id': sent.id, authorization: `Bearer ${SECRET}` });
  await expect.poll(() => bus.ledger.records.find((r) => r.messageId === sent.id)?.outcome).toBe('ok');
});
