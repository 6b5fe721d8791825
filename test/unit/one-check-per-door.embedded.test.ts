/**
 * One check run per message, at every door (docs/protocol.md §7): a request through the REST door
 * (signed and credential mode, and an event), the national portal's adapter, a provincial LGSP's
 * document API and the population database's SOAP service has its client's signature verified
 * once — by the gateway — whatever the door. Counted where every verification must start: the
 * look-up of the client's key in the catalog's key ring, which every part is given.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signEnvelope } from '../../adapters/amqp/reply.ts';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import { embeddedBroker } from '../helpers/broker.ts';
import { startFacadeBus, type FacadeBus } from '../helpers/facade-bus.ts';

const CAOBANG = 'VN/PROV/CAOBANG/MOTCUA';
const VERIFY = 'VN/GOV/BCA/DANCU/citizen.verify/v1';
const PERSON = { idNumber: '004190000123', fullName: 'NÔNG THỊ HOA', dateOfBirth: '1990-05-14' };

let f: FacadeBus;
/** Look-ups of each key id in the key ring, by every part of the bus together. */
const lookups = new Map<string, number>();
let caobangKid: string;

/** The catalog as every part sees it: the same, but each key look-up counted. */
function counting(catalog: Catalog): Catalog {
  // Each a view over the frozen original: its own `get`, everything else inherited.
  const keys = Object.create(catalog.keys, {
    get: {
      value: (kid: string) => {
        lookups.set(kid, (lookups.get(kid) ?? 0) + 1);
        return catalog.keys.get(kid);
      },
    },
  }) as Catalog['keys'];
  return Object.create(catalog, { keys: { value: keys } }) as Catalog;
}

beforeAll(async () => {
  f = await startFacadeBus(() => embeddedBroker(), [CAOBANG], { viewCatalog: counting });
  caobangKid = f.bus.keys.get(CAOBANG)!.kid;
});

afterAll(async () => {
  await f?.stop();
});

/** How many times Cao Bằng's signature was looked up to be verified while `send` ran, and what `send` answered. */
async function verificationsOf<T>(send: () => Promise<T>): Promise<{ answer: T; verifications: number }> {
  const before = lookups.get(caobangKid) ?? 0;
  const answer = await send();
  return { answer, verifications: (lookups.get(caobangKid) ?? 0) - before };
}

const rest = (headers: Record<string, string>, body: string) => fetch(`${f.base}/r1/${VERIFY}`, { method: 'POST', headers: { 'X-Road-Client': CAOBANG, ...headers }, body });

it('verifies a signed-mode request at the REST door once', async () => {
  const { jws } = await signEnvelope(f.bus.keys.get(CAOBANG)!, 'request', VERIFY, PERSON, {}, Date.now());
  const { answer, verifications } = await verificationsOf(() => rest({ 'Content-Type': 'application/jose' }, jws));
  expect(answer.status).toBe(200);
  expect(verifications).toBe(1);
});

it('verifies a credential-mode request at the REST door once (the door signs it; the gateway verifies it)', async () => {
  const { answer, verifications } = await verificationsOf(() => rest({ 'Content-Type': 'application/json', Authorization: `Bearer ${f.tokens[CAOBANG]}` }, JSON.stringify(PERSON)));
  expect(answer.status).toBe(200);
  expect(verifications).toBe(1);
});

it('verifies a signed-mode event at the REST door once, and answers 202 on the gateway\'s receipt with its recorded transaction', async () => {
  const service = 'VN/GOV/VPCP/DVCQG/dossier.progress/v1';
  const entry = f.bus.catalog.services.get(service);
  expect(entry?.mode).toBe('event');
  const { envelope, jws } = await signEnvelope(f.bus.keys.get(CAOBANG)!, 'event', service, {
    dossierCode: '000.00.04.H04-251124-0001', status: 'completed', at: new Date().toISOString(),
  }, {}, Date.now());
  const { answer, verifications } = await verificationsOf(async () => {
    const res = await fetch(`${f.base}/r1/${service}`, { method: 'POST', headers: { 'X-Road-Client': CAOBANG, 'Content-Type': 'application/jose' }, body: jws });
    return { status: res.status, tx: res.headers.get('x-lgsp-transaction'), text: await res.text() };
  });
  expect(answer.status, answer.text).toBe(202);
  expect(verifications).toBe(1);
  expect(f.bus.ledger.records.find((r) => r.tx === answer.tx)).toMatchObject({ messageId: envelope.id, kind: 'event', outcome: 'ok' });
});

it('verifies a call through the national portal\'s adapter once', async () => {
  const login = await (await fetch(`${f.base}/dvcqg/auth`, { method: 'POST', headers: { 'Content-Type': 'application/json', dstcode: '000.00.00.G22' }, body: JSON.stringify({ username: CAOBANG, password: f.tokens[CAOBANG] }) })).json() as { session: string };
  const { answer, verifications } = await verificationsOf(async () => {
    const res = await fetch(`${f.base}/dvcqg/api`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', dstcode: '000.00.00.G22' },
      body: JSON.stringify({ session: login.session, madonvi: '000.00.04.H04', service: 'LayDanhSachTTHC' }),
    });
    return await res.json() as { error_code: unknown };
  });
  expect(Number(answer.error_code)).toBe(0);
  expect(verifications).toBe(1);
});

it('verifies a look-up through the population database\'s SOAP service once', async () => {
  const url = `${f.base}/dancu/soap`;
  const timestamp = String(Date.now());
  const hash = createHash('sha256').update(url + CAOBANG + timestamp + f.tokens[CAOBANG]).digest('hex');
  const body = `<?xml version="1.0" encoding="utf-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca">
  <soapenv:Header/>
  <soapenv:Body><dan:TraCuuThongTinCongDan><dan:MaYeuCau>YC-0001</dan:MaYeuCau><dan:MaDVC>1.001234</dan:MaDVC><dan:MaTichHop>037</dan:MaTichHop><dan:MaCanBo>CB-0042</dan:MaCanBo><dan:SoDinhDanh>004190000123</dan:SoDinhDanh><dan:HoVaTen>NÔNG THỊ HOA</dan:HoVaTen><dan:NgayThangNamSinh><dan:NgayThangNam>19900514</dan:NgayThangNam></dan:NgayThangNamSinh></dan:TraCuuThongTinCongDan></soapenv:Body>
</soapenv:Envelope>`;
  const { answer, verifications } = await verificationsOf(async () => {
    const res = await fetch(url, {
      method: 'POST', body,
      headers: { 'Content-Type': 'application/xml', SOAPAction: '""', 'X-Road-Client': CAOBANG, ApiKey: f.tokens[CAOBANG]!, Timestamp: timestamp, Authorization: `Basic ${Buffer.from(`${CAOBANG}:${hash}`).toString('base64')}` },
    });
    return { status: res.status, text: await res.text() };
  });
  expect(answer.status, answer.text).toBe(200);
  expect(verifications).toBe(1);
});

it('verifies a document sent to a provincial LGSP\'s document API once', async () => {
  const token = await (await fetch(`${f.base}/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CAOBANG, client_secret: f.tokens[CAOBANG]! }).toString(),
  })).json() as { access_token: string };
  const document = {
    DocTypeCode: '1.001234', DocTypeName: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam', DocCode: '000.00.04.H04-251124-0601', CitizenName: 'NÔNG THỊ HOA',
    ApplicantsId: '004190000123', ApplicantsType: 1, Compendium: 'Cấp phiếu LLTP số 1', DateReceived: '2025-11-24T02:00:00Z',
    DateAppointed: '2025-12-01T10:00:00Z', IsSuccess: false, IsReturned: false, ReturnedType: null, FinishedDate: null,
  };
  const { answer, verifications } = await verificationsOf(async () => {
    const res = await fetch(`${f.base}/lgsp/Document/SyncDocument`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.access_token}` }, body: JSON.stringify(document) });
    return { status: res.status, text: await res.text() };
  });
  expect(answer.status, answer.text).toBe(200);
  expect(verifications).toBe(1);
});
