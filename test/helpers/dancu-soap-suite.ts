/**
 * The population database's SOAP service, called as its real clients call it: every envelope and
 * header below is written from ../shared/REAL-APIS.md §3 in this file (SOAP 1.1 text, the
 * X-Road-Client / ApiKey / Timestamp / Basic-hash headers), not built with the project's helpers;
 * answers are read with a plain XML parser. Run over each transport.
 */
import { XMLParser } from 'fast-xml-parser';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from './broker.ts';
import { missingJournalSteps, startFacadeBus, type FacadeBus } from './facade-bus.ts';
import type { SimulationBus } from './simulation-bus.ts';

const CAOBANG = 'VN/PROV/CAOBANG/MOTCUA';
const DIENBIEN = 'VN/PROV/DIENBIEN/MOTCUA';
const read = new XMLParser({ removeNSPrefix: true, parseTagValue: false, ignoreAttributes: true });

interface Fields { [element: string]: string | undefined }

/** A request envelope as clients write it: a prefix for the service's namespace, elements in their order. */
function soap(operation: string, fields: Fields, birth = '<dan:NgayThangNam>19900514</dan:NgayThangNam>'): string {
  const elements = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => (k === 'NgayThangNamSinh' ? `<dan:NgayThangNamSinh>${birth}</dan:NgayThangNamSinh>` : `<dan:${k}>${v}</dan:${k}>`));
  return `<?xml version="1.0" encoding="utf-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca">
  <soapenv:Header/>
  <soapenv:Body><dan:${operation}>${elements.join('')}</dan:${operation}></soapenv:Body>
</soapenv:Envelope>`;
}

const HOA: Fields = {
  MaYeuCau: 'YC-0001', MaDVC: '1.001234', MaTichHop: '037', MaCanBo: 'CB-0042', SoDinhDanh: '004190000123', HoVaTen: 'NÔNG THỊ HOA', NgayThangNamSinh: '',
};
/** Hoa again, by her old 9-digit ID card number, in its place in the order. */
const HOA_BY_CARD: Fields = {
  MaYeuCau: 'YC-0002', MaDVC: '1.001234', MaTichHop: '037', MaCanBo: 'CB-0042', SoCMND: '085123456', HoVaTen: 'NÔNG THỊ HOA', NgayThangNamSinh: '',
};

export function dancuSoapSuite(makeBroker: () => BrokerHandle): void {
  let f: FacadeBus;
  let bus: SimulationBus;
  let base: string;
  let keys: Readonly<Record<string, string>>;

  beforeAll(async () => {
    f = await startFacadeBus(makeBroker, [CAOBANG, DIENBIEN]);
    ({ bus, base } = f);
    keys = f.tokens;
  });

  afterAll(async () => {
    await f?.stop();
  });

  /** The headers one client sends: Timestamp in milliseconds, and the Basic hash over url + user + timestamp + secret. */
  function signedHeaders(system = CAOBANG, key = keys[system]!, timestamp = String(Date.now())): Record<string, string> {
    const url = `${base}/dancu/soap`;
    const hash = createHash('sha256').update(url + system + timestamp + key).digest('hex');
    return {
      'Content-Type': 'application/xml', SOAPAction: '""', 'X-Road-Client': system, ApiKey: key, Timestamp: timestamp,
      Authorization: `Basic ${Buffer.from(`${system}:${hash}`).toString('base64')}`,
    };
  }

  async function call(body: string, headers: Record<string, string> = signedHeaders()) {
    const res = await fetch(`${base}/dancu/soap`, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), text, xml: read.parse(text) as any };
  }

  const faultOf = (xml: any) => xml.Envelope.Body.Fault as { faultcode: string; faultstring: string; detail: { LoiChiTiet: { Loai: string; GiaoDich?: string; ViPham?: any } } };
  const violations = (xml: any) => [faultOf(xml).detail.LoiChiTiet.ViPham ?? []].flat() as { Truong: string; QuyTac: string }[];

  it('serves its WSDL at ?wsdl, naming both operations and where to call', async () => {
    const res = await fetch(`${base}/dancu/soap?wsdl`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/xml/);
    const doc = read.parse(text) as any;
    expect(doc.definitions).toBeDefined();
    expect(text).toContain('<wsdl:operation name="TraCuuThongTinCongDan">');
    expect(text).toContain('<wsdl:operation name="XacThucThongTinCongDan">');
    expect(text).toContain(`location="${base}/dancu/soap"`);
    // The address is the configured one, not what a caller's Host header says.
    const forged = await (await fetch(`${base}/dancu/soap?wsdl`, { headers: { Host: 'attacker.example' } })).text();
    expect(forged).toContain(`location="${base}/dancu/soap"`);
    expect(forged).not.toContain('attacker.example');
  });

  it('refuses two operations in one Body, and a SOAPAction naming another operation than the Body', async () => {
    const one = soap('TraCuuThongTinCongDan', HOA);
    const operation = /<dan:TraCuuThongTinCongDan>[\s\S]*<\/dan:TraCuuThongTinCongDan>/.exec(one)![0];
    const two = one.replace('</soapenv:Body>', `${operation.replace('YC-0001', 'YC-0009')}</soapenv:Body>`);
    const twice = await call(two);
    expect(twice.status).toBe(500);
    expect(faultOf(twice.xml)).toMatchObject({ faultstring: expect.stringMatching(/exactly one operation, not 2/), detail: { LoiChiTiet: { Loai: 'client.malformed' } } });
    const other = await call(soap('TraCuuThongTinCongDan', HOA), { ...signedHeaders(), SOAPAction: '"http://dancuquocgia.bca/XacThucThongTinCongDan"' });
    expect(faultOf(other.xml).detail.LoiChiTiet.Loai).toBe('client.malformed');
    const named = await call(soap('TraCuuThongTinCongDan', HOA), { ...signedHeaders(), SOAPAction: '"http://dancuquocgia.bca/TraCuuThongTinCongDan"' });
    expect(named.status).toBe(200);
  });

  describe('the two operations, in their real shape', () => {
    it('TraCuuThongTinCongDan finds a citizen by SoDinhDanh, recorded under MaGiaoDich', async () => {
      const { status, xml } = await call(soap('TraCuuThongTinCongDan', HOA));
      expect(status).toBe(200);
      const answer = xml.Envelope.Body.TraCuuThongTinCongDanResponse;
      expect(answer.MaYeuCau).toBe('YC-0001');
      expect(answer.CongdanCollection.CongDan).toEqual({
        SoDinhDanh: '004190000123', SoCMND: '085123456', HoVaTen: 'NÔNG THỊ HOA', NgayThangNamSinh: '19900514', GioiTinh: '2', DanToc: 'Tày',
        NoiThuongTru: { TinhThanh: 'Cao Bằng', XaPhuong: 'Thục Phán' },
      });
      expect(bus.ledger.records.find((r) => r.tx === answer.MaGiaoDich)).toMatchObject({
        client: CAOBANG, service: 'VN/GOV/BCA/DANCU/TraCuuThongTinCongDan/v1', userId: 'CB-0042', outcome: 'ok',
      });
      await expect.poll(() => missingJournalSteps(f.journal, answer.MaGiaoDich, 'soap')).toEqual([]);
      const atDoor = f.journal.entries(answer.MaGiaoDich).find((e) => e.what === 'request at the door')!.detail as { body: string; headers: Record<string, string> };
      expect(atDoor.body).toContain('<dan:SoDinhDanh>004190000123</dan:SoDinhDanh>');
      expect(atDoor.headers.apikey).toBe('(hidden)');
    });

    it('XacThucThongTinCongDan verifies by the 9-digit SoCMND and a year, with a lower-case timestamp in seconds', async () => {
      const body = soap('XacThucThongTinCongDan', HOA_BY_CARD, '<dan:Nam>1991</dan:Nam>');
      const seconds = String(Math.floor(Date.now() / 1000));
      const headers = signedHeaders(CAOBANG, keys[CAOBANG], seconds);
      const { Timestamp: _t, ...others } = headers;
      const { status, xml } = await call(body, { ...others, timestamp: seconds });
      expect(status).toBe(200);
      const answer = xml.Envelope.Body.XacThucThongTinCongDanResponse;
      expect(answer).toMatchObject({ KetQua: 'false', SaiKhac: { TruongSaiKhac: 'NgayThangNamSinh' } });
      expect(bus.ledger.records.find((r) => r.tx === answer.MaGiaoDich)?.outcome).toBe('ok');
    });

    it('answers a citizen not found as a SOAP fault with its type', async () => {
      const { status, xml } = await call(soap('TraCuuThongTinCongDan', { ...HOA, HoVaTen: 'NGUYỄN VĂN A' }));
      expect(status).toBe(500);
      expect(faultOf(xml)).toMatchObject({ faultcode: 'soap:Client', detail: { LoiChiTiet: { Loai: 'citizen.not_found' } } });
    });
  });

  describe('credentials, each a SOAP fault, counted and not recorded', () => {
    it.each([
      ['no ApiKey', () => { const { ApiKey: _k, Authorization: _a, ...h } = signedHeaders(); return h; }, 'client.unknown_key'],
      ["another system's ApiKey", () => signedHeaders(CAOBANG, keys[DIENBIEN]), 'client.unknown_key'],
      ['a Basic hash over another secret', () => ({ ...signedHeaders(), Authorization: signedHeaders(CAOBANG, 'other-secret').Authorization! }), 'client.bad_signature'],
      ['a timestamp ten minutes old', () => signedHeaders(CAOBANG, keys[CAOBANG], String(Date.now() - 600_000)), 'client.clock_skew'],
    ])('%s', async (_, headers, type) => {
      const before = bus.ledger.records.length;
      const { status, xml } = await call(soap('TraCuuThongTinCongDan', HOA), headers());
      expect(status).toBe(500);
      expect(faultOf(xml)).toMatchObject({ faultcode: 'soap:Client', detail: { LoiChiTiet: { Loai: type } } });
      expect(f.unauthenticated.at(-1)).toBe(type);
      expect(bus.ledger.records.length).toBe(before);
    });
  });

  describe('elements, each a fault naming the element and the rule', () => {
    it.each(['MaYeuCau', 'MaDVC', 'MaTichHop', 'MaCanBo', 'HoVaTen', 'NgayThangNamSinh'])('the required element %s missing', async (element) => {
      const { xml } = await call(soap('TraCuuThongTinCongDan', { ...HOA, [element]: undefined }));
      expect(faultOf(xml).detail.LoiChiTiet.Loai).toBe('client.contract_violation');
      expect(violations(xml)).toContainEqual({ Truong: element, QuyTac: 'thiếu trường bắt buộc (a required field is missing)' });
    });

    it('neither id: names the choice', async () => {
      const { xml } = await call(soap('TraCuuThongTinCongDan', { ...HOA, SoDinhDanh: undefined }));
      expect(violations(xml).map((v) => v.QuyTac)).toContain('phải có đúng một trong các trường cho phép (must have exactly one of its alternatives, e.g. SoDinhDanh or SoCMND)');
    });

    it.each([
      ['a 9-digit number in SoDinhDanh', { ...HOA, SoDinhDanh: '085123456' }, 'SoDinhDanh', /12-digit personal id, such as \d{12}; a 9-digit old ID card number goes in SoCMND/],
      ['a 12-digit number in SoCMND', { ...HOA_BY_CARD, SoCMND: '004190000123' }, 'SoCMND', /9-digit ID card number, such as \d{9}; a 12-digit personal id goes in SoDinhDanh/],
    ])('%s says which id goes where', async (_, fields, element, rule) => {
      const { xml } = await call(soap('TraCuuThongTinCongDan', fields));
      expect(violations(xml)).toContainEqual({ Truong: element, QuyTac: expect.stringMatching(rule) });
    });

    it("another agency's MaDonVi is refused, naming the caller's, recorded", async () => {
      const { MaYeuCau, MaDVC, MaTichHop, MaCanBo, ...rest } = HOA;
      const { xml } = await call(soap('TraCuuThongTinCongDan', { MaYeuCau, MaDVC, MaTichHop, MaCanBo, MaDonVi: '000.00.11.H12', ...rest }));
      expect(faultOf(xml).detail.LoiChiTiet.Loai).toBe('client.access_denied');
      expect(violations(xml)).toEqual([{ Truong: 'MaDonVi', QuyTac: 'must be 000.00.04.H04' }]);
      expect(bus.ledger.records.find((r) => r.tx === faultOf(xml).detail.LoiChiTiet.GiaoDich)?.outcome).toBe('client.access_denied');
    });

    it('a birth date with dashes names the format yyyyMMdd', async () => {
      const { xml } = await call(soap('TraCuuThongTinCongDan', HOA, '<dan:NgayThangNam>1990-05-14</dan:NgayThangNam>'));
      expect(violations(xml)).toContainEqual({ Truong: 'NgayThangNamSinh/NgayThangNam', QuyTac: 'phải theo định dạng yyyyMMdd (must be in the format yyyyMMdd, such as 19900514)' });
    });

    it('an element out of order names the order', async () => {
      const { MaYeuCau, MaDVC, ...rest } = HOA;
      const { xml } = await call(soap('TraCuuThongTinCongDan', { MaDVC, MaYeuCau, ...rest }));
      expect(faultOf(xml).faultstring).toMatch(/MaYeuCau.*out of order.*MaYeuCau, MaDVC, MaTichHop, MaCanBo/);
    });
  });

  describe('hostile documents, each a fault, the process unharmed', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">`
      + `<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>`
      + soap('TraCuuThongTinCongDan', { ...HOA, HoVaTen: '&lol4;' }).replace('<?xml version="1.0" encoding="utf-8"?>', '');
    const external = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`
      + soap('TraCuuThongTinCongDan', { ...HOA, HoVaTen: '&xxe;' }).replace('<?xml version="1.0" encoding="utf-8"?>', '');
    it.each([
      ['a billion-laughs document', laughs, 'client.malformed', /DOCTYPE/],
      ['an external entity', external, 'client.malformed', /DOCTYPE/],
      ['10,000 nested elements', `<a>${'<b>'.repeat(10_000)}${'</b>'.repeat(10_000)}</a>`, 'client.malformed', /nested deeper than/],
      ['a 2 MiB body', soap('TraCuuThongTinCongDan', { ...HOA, HoVaTen: 'A'.repeat(2 * 1024 * 1024) }), 'client.too_large', /larger than/],
      ['not XML', '{"SoDinhDanh":"004190000123"}', 'client.malformed', /well-formed|SOAP/],
    ])('%s', async (_, body, type, said) => {
      const { status, xml } = await call(body);
      expect(status).toBe(500);
      expect(faultOf(xml).detail.LoiChiTiet.Loai).toBe(type);
      expect(faultOf(xml).faultstring).toMatch(said);
      expect(faultOf(xml).faultstring).not.toContain('root:');
      expect((await call(soap('TraCuuThongTinCongDan', HOA))).status).toBe(200);
    });
  });

  // Last: it spends this address's failed authentications for the minute.
  describe('guessing ApiKeys', () => {
    it('is answered client.rate_limited after 30 failed authentications a minute from one address', async () => {
      const types: string[] = [];
      for (let i = 0; i < 40 && types.at(-1) !== 'client.rate_limited'; i++) {
        const { xml } = await call(soap('TraCuuThongTinCongDan', HOA), signedHeaders(CAOBANG, `lgsp_guess${i}`));
        types.push(faultOf(xml).detail.LoiChiTiet.Loai);
      }
      expect(types.at(-1)).toBe('client.rate_limited');
      expect(types.filter((t) => t === 'client.unknown_key').length).toBeLessThanOrEqual(30);
    });
  });
}
