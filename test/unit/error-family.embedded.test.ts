/**
 * One error family (docs/protocol.md §4): every error the package throws is an `LgspError` with a
 * `code` to switch on, exported from the SDK's entry; and the doors switch on those codes, so that
 * one failure is one answer at every door — here a gateway that is gone, which the door's own wait
 * for its answer ends: `server.provider_timeout` at the REST door, the portal's adapter, a
 * provincial LGSP's document API and the population database's SOAP service alike, each recorded.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sdk from '../../index.ts';
import { asGatewayError } from '../../gateway/protocol/errors.ts';
import { embeddedBroker } from '../helpers/broker.ts';
import { startFacadeBus, type FacadeBus } from '../helpers/facade-bus.ts';

const CAOBANG = 'VN/PROV/CAOBANG/MOTCUA';
const PERSON = { idNumber: '004190000123', fullName: 'NÔNG THỊ HOA', dateOfBirth: '1990-05-14' };

describe('the error family', () => {
  it('makes every exported error an LgspError with its code', () => {
    const made = [
      new sdk.GatewayError('client.replay', 'x'),
      new sdk.ClientError('REPLY_TIMEOUT', 'x'),
      new sdk.TransportError('TRANSPORT_CLOSED', 'x'),
      new sdk.CatalogError('catalog.yaml', '/systems/0', 'x'),
      new sdk.VerificationError('x'),
      new sdk.HomeInUseError('/home', { pid: 1, command: 'up', startedAt: 'now' } as never),
    ];
    expect(made.map((e) => [e instanceof sdk.LgspError, e.code, e.name])).toEqual([
      [true, 'client.replay', 'GatewayError'], [true, 'REPLY_TIMEOUT', 'ClientError'], [true, 'TRANSPORT_CLOSED', 'TransportError'],
      [true, 'CATALOG_INVALID', 'CatalogError'], [true, 'VERIFICATION_FAILED', 'VerificationError'], [true, 'HOME_IN_USE', 'HomeInUseError'],
    ]);
  });

  it('answers each code as one gateway error, whatever door meets it', () => {
    const as = (err: unknown) => asGatewayError(err).type;
    expect(as(new sdk.ClientError('REPLY_TIMEOUT', 'no reply'))).toBe('server.provider_timeout');
    expect(as(new sdk.ClientError('CLIENT_CLOSED', 'closed'))).toBe('server.provider_unavailable');
    expect(as(new sdk.TransportError('TRANSPORT_UNREACHABLE', 'down'))).toBe('server.provider_unavailable');
    expect(as(new Error('anything else'))).toBe('server.internal');
  });
});

describe('a gateway that is gone, at every door', () => {
  let f: FacadeBus;
  beforeAll(async () => {
    f = await startFacadeBus(() => embeddedBroker(), [CAOBANG], { config: { replyTimeoutMs: 300 } });
    await f.bus.gateway.stop();
  });
  afterAll(async () => {
    await f?.stop();
  });

  /** The transaction an answer names is in the ledger as a provider timeout. */
  const recordedTimeout = (tx: unknown) => expect.poll(() => f.bus.ledger.records.find((r) => r.tx === tx)?.outcome).toBe('server.provider_timeout');

  it('REST: 504 server.provider_timeout', async () => {
    const res = await fetch(`${f.base}/r1/VN/GOV/BCA/DANCU/citizen.verify/v1`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Road-Client': CAOBANG, Authorization: `Bearer ${f.tokens[CAOBANG]}` }, body: JSON.stringify(PERSON),
    });
    const body = await res.json() as { type: string; detail: string };
    expect([res.status, body.type]).toEqual([504, 'server.provider_timeout']);
    await recordedTimeout(body.detail);
  });

  it("the portal's adapter: server.provider_timeout in its own shape", async () => {
    const login = await (await fetch(`${f.base}/dvcqg/auth`, { method: 'POST', headers: { 'Content-Type': 'application/json', dstcode: '000.00.00.G22' }, body: JSON.stringify({ username: CAOBANG, password: f.tokens[CAOBANG] }) })).json() as { session: string };
    const res = await fetch(`${f.base}/dvcqg/api`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', dstcode: '000.00.00.G22' }, body: JSON.stringify({ session: login.session, madonvi: '000.00.04.H04', service: 'LayDanhSachTTHC' }),
    });
    const body = await res.json() as { error_code: unknown; type: string; transaction: string };
    expect([Number(body.error_code) !== 0, body.type]).toEqual([true, 'server.provider_timeout']);
    await recordedTimeout(body.transaction);
  });

  it("a provincial LGSP's document API: 504 server.provider_timeout", async () => {
    const token = await (await fetch(`${f.base}/token`, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CAOBANG, client_secret: f.tokens[CAOBANG]! }).toString(),
    })).json() as { access_token: string };
    const res = await fetch(`${f.base}/lgsp/Document/SyncDocument`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.access_token}` },
      body: JSON.stringify({ DocTypeCode: '1.001234', DocCode: '000.00.04.H04-251124-0701', CitizenName: 'NÔNG THỊ HOA', ApplicantsType: 1, DateReceived: '2025-11-24T02:00:00Z' }),
    });
    const body = await res.json() as { type: string; transaction: string };
    expect([res.status, body.type]).toEqual([504, 'server.provider_timeout']);
    await recordedTimeout(body.transaction);
  });

  it("the population database's SOAP service: a fault of server.provider_timeout", async () => {
    const url = `${f.base}/dancu/soap`;
    const timestamp = String(Date.now());
    const hash = createHash('sha256').update(url + CAOBANG + timestamp + f.tokens[CAOBANG]).digest('hex');
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/xml', SOAPAction: '""', 'X-Road-Client': CAOBANG, ApiKey: f.tokens[CAOBANG]!, Timestamp: timestamp, Authorization: `Basic ${Buffer.from(`${CAOBANG}:${hash}`).toString('base64')}` },
      body: `<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca"><soapenv:Header/><soapenv:Body><dan:TraCuuThongTinCongDan><dan:MaYeuCau>YC-0001</dan:MaYeuCau><dan:MaDVC>1.001234</dan:MaDVC><dan:MaTichHop>037</dan:MaTichHop><dan:MaCanBo>CB-0042</dan:MaCanBo><dan:SoDinhDanh>004190000123</dan:SoDinhDanh><dan:HoVaTen>NÔNG THỊ HOA</dan:HoVaTen><dan:NgayThangNamSinh><dan:NgayThangNam>19900514</dan:NgayThangNam></dan:NgayThangNamSinh></dan:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>`,
    });
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).toContain('server.provider_timeout');
    await recordedTimeout(/<GiaoDich>([^<]+)<\/GiaoDich>/.exec(text)?.[1]);
  });
});
