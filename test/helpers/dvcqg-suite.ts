/**
 * The national portal's adapter facade, called as a provincial system's real adapter client calls
 * it: every body and header below is written from ../shared/REAL-APIS.md §1 in this file (plain
 * fetch and JSON), not built with the project's helpers. Run over each transport: every call
 * answered in `{error_code, message, result}`, every accepted call a transaction in the ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from './broker.ts';
import { missingJournalSteps, startFacadeBus, type FacadeBus } from './facade-bus.ts';
import type { SimulationBus } from './simulation-bus.ts';

const CAOBANG = 'VN/PROV/CAOBANG/MOTCUA';
const HAGIANG = 'VN/PROV/HAGIANG/MOTCUA';
const DIENBIEN = 'VN/PROV/DIENBIEN/MOTCUA';
const MADONVI = '000.00.04.H04';
const HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json', dstcode: '000.00.00.G22' };
const SESSION_SECONDS = 300;

/** A dossier as an adapter client sends it in DongBoHoSoMC: strings, many empty, dates yyyyMMddHHmmss. */
function dossier(code: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    MaHoSo: code, MaTTHC: '1.001234', TenTTHC: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam', MaLinhVuc: 'G09-TP10', TenLinhVuc: 'Lý lịch tư pháp',
    ChuHoSo: 'NÔNG THỊ HOA', LoaiDoiTuong: '1', MaDoiTuong: '', ThongTinKhac: '', Email: '', Fax: '', SoDienThoai: '0912345678', TrichYeuHoSo: 'Cấp phiếu LLTP số 1',
    NgayTiepNhan: '20251124090000', NgayHenTra: '20251201170000', TrangThaiHoSo: '2', NgayTra: '', ThongTinTra: '', HinhThuc: '1', NgayKetThucXuLy: '',
    DonViXuLy: 'Sở Tư pháp tỉnh Cao Bằng', GhiChu: '',
    TaiLieuNop: [{ TepDinhKemId: '1', TenTepDinhKem: 'to-khai.pdf', IsDeleted: 'False', MaThanhPhanHoSo: 'TP1', DuongDanTaiTepTin: 'https://example.invalid/1' }],
    DanhSachLePhi: [{ TenPhiLePhi: 'Lệ phí cấp phiếu', MaPhiLePhi: 'LP1', HinhThucThu: '1', Gia: '200000', LoaiPhiLePhi: '1' }],
    DanhSachTepDinhKemKhac: [], DanhSachHoSoBoSung: [], DanhSachGiayToKetQua: [],
    ...overrides,
  };
}

/** A progress item of CapNhatTienDoHoSoMC. */
function progress(code: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    MaHoSo: code, NguoiXuLy: 'Hoàng Văn Nam', ChucDanh: 'Chuyên viên', ThoiDiemXuLy: '20251124100000', PhongBanXuLy: 'Phòng Hành chính tư pháp',
    NoiDungXuLy: 'Thẩm định hồ sơ', TrangThai: '4', NgayBatDau: '20251124090000', NgayKetThucTheoQuyDinh: '20251201170000', ...overrides,
  };
}

export function dvcqgSuite(makeBroker: () => BrokerHandle): void {
  let f: FacadeBus;
  let bus: SimulationBus;
  let base: string;
  let tokens: Readonly<Record<string, string>>;

  beforeAll(async () => {
    // HAGIANG has a token in the state directory but is in no catalog the gateway read: registered since it started.
    f = await startFacadeBus(makeBroker, [CAOBANG, DIENBIEN, HAGIANG], { dvcqg: { sessionSeconds: SESSION_SECONDS } });
    ({ bus, base } = f);
    tokens = f.tokens;
  });

  afterAll(async () => {
    await f?.stop();
  });

  async function post(path: string, body: unknown, headers: Record<string, string> = HEADERS): Promise<{ status: number; json: any }> {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  }

  async function login(system = CAOBANG): Promise<string> {
    const { json } = await post('/dvcqg/auth', { username: system, password: tokens[system] });
    expect(Number(String(json.error_code))).toBe(0);
    return json.session as string;
  }

  const call = async (service: string, params: Record<string, unknown>, session?: string) =>
    post('/dvcqg/api', { session: session ?? (await login()), madonvi: MADONVI, service, ...params });

  /** The answer succeeded, and its transaction is in the ledger as the portal's service, for Cao Bằng. */
  async function expectRecordedOk(answer: { status: number; json: any }, service: string): Promise<void> {
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ error_code: 0, message: expect.any(String), result: expect.any(Array) });
    const record = bus.ledger.records.find((r) => r.tx === answer.json.transaction);
    expect(record).toMatchObject({ client: CAOBANG, service: `VN/GOV/VPCP/DVCQG/${service}/v1`, outcome: 'ok' });
  }

  describe('login (POST /dvcqg/auth)', () => {
    it('gives a session for a system and a token issued to it, error_code 0 as a number any client parses', async () => {
      const { status, json } = await post('/dvcqg/auth', { username: CAOBANG, password: tokens[CAOBANG] });
      expect(status).toBe(200);
      expect(json).toMatchObject({ error_code: 0, session: expect.stringMatching(/^[\w-]{20,}$/), expires_in: SESSION_SECONDS });
      expect(String(json.error_code)).toBe('0');
    });

    it.each([
      ['a wrong password', { username: CAOBANG, password: 'lgsp_wrong' }],
      ["another system's token", { username: CAOBANG, password: 'DIENBIEN' }],
      ['a system not in the catalog', { username: 'VN/PROV/NOWHERE/MOTCUA', password: 'x' }],
    ])('refuses %s with error_code 401, counted, not recorded', async (_, credentials) => {
      const body = credentials.password === 'DIENBIEN' ? { ...credentials, password: tokens[DIENBIEN] } : credentials;
      const before = bus.ledger.records.length;
      const { status, json } = await post('/dvcqg/auth', body);
      expect(status).toBe(200);
      expect(json).toMatchObject({ error_code: 401, type: 'client.unknown_key', message: expect.stringMatching(/wrong username or password/) });
      expect(json.session).toBeUndefined();
      expect(f.unauthenticated.at(-1)).toBe('client.unknown_key');
      expect(bus.ledger.records.length).toBe(before);
    });

    it('refuses a login body of 60,000 keys unread, as too large for two strings (cheap checks first), counted, not recorded', async () => {
      const bomb: Record<string, string> = { username: CAOBANG, password: tokens[CAOBANG]! };
      for (let i = 0; i < 60_000; i++) bomb[`k${i}`] = 'v';
      const before = bus.ledger.records.length;
      const { json } = await post('/dvcqg/auth', bomb);
      expect(json).toMatchObject({ error_code: 413, type: 'client.too_large', message: expect.stringMatching(/4096 bytes/) });
      expect(f.unauthenticated.at(-1)).toBe('client.too_large');
      expect(bus.ledger.records.length).toBe(before);
    });

    it('says a system registered since the gateway started is to be taken by a restart, not that its password is wrong', async () => {
      const { json } = await post('/dvcqg/auth', { username: HAGIANG, password: tokens[HAGIANG] });
      expect(json).toMatchObject({ error_code: 401, type: 'client.unknown_key', message: expect.stringMatching(/restart the gateway/) });
      expect(json.message).not.toMatch(/wrong username or password/);
    });

    it('refuses a login without the dstcode header, naming it', async () => {
      const { json } = await post('/dvcqg/auth', { username: CAOBANG, password: tokens[CAOBANG] }, { 'Content-Type': 'application/json' });
      expect(json).toMatchObject({ error_code: 400, message: expect.stringMatching(/dstcode/) });
    });
  });

  describe('every service of the adapter, in its real shape', () => {
    it('LayDanhSachTTHC lists every procedure with MATTHC and TENTTHC', async () => {
      const answer = await call('LayDanhSachTTHC', {});
      await expectRecordedOk(answer, 'LayDanhSachTTHC');
      expect(answer.json.result).toHaveLength(2050);
      expect(answer.json.result[0]).toEqual({ MATTHC: '1.001234', TENTTHC: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam' });
    });

    it('LayThuTuc gives a procedure with LINHVUCTHUCHIEN', async () => {
      const answer = await call('LayThuTuc', { maTTHC: '1.001234' });
      await expectRecordedOk(answer, 'LayThuTuc');
      expect(answer.json.result).toEqual([{ MATTHC: '1.001234', TENTTHC: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam', LINHVUCTHUCHIEN: [{ MALINHVUC: 'G09-TP10', TENLINHVUC: 'Lý lịch tư pháp' }] }]);
    });

    it('LayDanhMucCoQuan lists agencies with MADONVI, TENDONVI and CAPDONVI', async () => {
      const answer = await call('LayDanhMucCoQuan', {});
      await expectRecordedOk(answer, 'LayDanhMucCoQuan');
      expect(answer.json.result).toContainEqual({ MADONVI: MADONVI, TENDONVI: 'Ủy ban nhân dân tỉnh Cao Bằng', CAPDONVI: '1' });
    });

    it('journals the call: the request and answer at the door (session hidden), and the gateway\'s steps between', async () => {
      const answer = await call('LayThuTuc', { maTTHC: '1.001234' });
      await expect.poll(() => missingJournalSteps(f.journal, answer.json.transaction, 'dvcqg')).toEqual([]);
      const atDoor = f.journal.entries(answer.json.transaction).find((e) => e.what === 'request at the door')!.detail as { body: string };
      expect(JSON.parse(atDoor.body)).toMatchObject({ session: '(hidden)', service: 'LayThuTuc', maTTHC: '1.001234' });
    });

    it('LayDanhMucLinhVuc lists fields with MALINHVUC, TENLINHVUC and MANGANH', async () => {
      const answer = await call('LayDanhMucLinhVuc', {});
      await expectRecordedOk(answer, 'LayDanhMucLinhVuc');
      for (const item of answer.json.result) expect(Object.keys(item).sort()).toEqual(['MALINHVUC', 'MANGANH', 'TENLINHVUC']);
    });

    it('DongBoHoSoMC keeps a dossier that TraCuuHoSo returns; CapNhatTienDoHoSoMC adds its progress', async () => {
      const session = await login();
      const code = `${MADONVI}-251124-0101`;
      await expectRecordedOk(await call('DongBoHoSoMC', { isUpdating: 'False', data: [dossier(code)] }, session), 'DongBoHoSoMC');
      let found = await call('TraCuuHoSo', { mahoso: code }, session);
      await expectRecordedOk(found, 'TraCuuHoSo');
      expect(found.json.result).toEqual([{ ...dossier(code), TienDo: [] }]);

      await expectRecordedOk(await call('CapNhatTienDoHoSoMC', { data: [progress(code)] }, session), 'CapNhatTienDoHoSoMC');
      await expectRecordedOk(await call('DongBoHoSoMC', { isUpdating: 'True', data: [dossier(code, { TrangThaiHoSo: '10', NgayTra: '20251128150000' })] }, session), 'DongBoHoSoMC');
      found = await call('TraCuuHoSo', { mahoso: code }, session);
      expect(found.json.result[0]).toMatchObject({ TrangThaiHoSo: '10', NgayTra: '20251128150000', TienDo: [progress(code)] });
    });

    it('answers a dossier with 60,000 extra fields as the ledger records it: a bounded contract violation, not a timeout', async () => {
      const session = await login();
      const bloated: Record<string, unknown> = { ...dossier(`${MADONVI}-251124-0199`) };
      for (let i = 0; i < 60_000; i++) bloated[`x${i}`] = 'y';
      const answer = await call('DongBoHoSoMC', { isUpdating: 'False', data: [bloated] }, session);
      expect(answer.json).toMatchObject({ type: 'client.contract_violation' });
      expect(answer.json.violations.length).toBeLessThanOrEqual(20);
      expect(JSON.stringify(answer.json).length).toBeLessThan(20_000);
      await expect.poll(() => bus.ledger.records.find((r) => r.tx === answer.json.transaction)?.outcome).toBe('client.contract_violation');
    });

    it('answers the portal\'s "no" with error_code 1, its type and message, recorded', async () => {
      const session = await login();
      const code = `${MADONVI}-251124-0102`;
      await call('DongBoHoSoMC', { isUpdating: 'False', data: [dossier(code)] }, session);
      const again = await call('DongBoHoSoMC', { isUpdating: 'False', data: [dossier(code)] }, session);
      expect(again.json).toMatchObject({ error_code: 1, type: 'dossier.exists', message: expect.stringMatching(/isUpdating "True"/) });
      expect(bus.ledger.records.find((r) => r.tx === again.json.transaction)).toMatchObject({ outcome: 'ok', businessError: 'dossier.exists' });
      const nobody = await call('TraCuuHoSo', { mahoso: `${MADONVI}-250101-9999` }, session);
      expect(nobody.json).toMatchObject({ error_code: 1, type: 'dossier.not_found' });
    });
  });

  describe('credentials, agency and fields, each a clear error in the adapter\'s shape', () => {
    it('says a session expired, when, and to log in again; a new login works', async () => {
      const session = await login();
      f.setClockOffset((SESSION_SECONDS + 1) * 1000);
      try {
        const { json } = await call('LayDanhMucLinhVuc', {}, session);
        expect(json).toMatchObject({ error_code: 401, type: 'client.unknown_key', message: expect.stringMatching(/hết hạn.*expired at .*log in again/) });
      } finally {
        f.setClockOffset(0);
      }
      await expectRecordedOk(await call('LayDanhMucLinhVuc', {}), 'LayDanhMucLinhVuc');
    });

    it('refuses a forged or missing session with error_code 401', async () => {
      for (const session of ['forged-session-value', undefined]) {
        const { json } = await post('/dvcqg/api', { session, madonvi: MADONVI, service: 'LayDanhMucLinhVuc' });
        expect(json).toMatchObject({ error_code: 401, type: 'client.unknown_key', message: expect.stringMatching(/log in first/) });
      }
    });

    it("refuses another agency's madonvi with error_code 403 naming the logged-in agency's code, recorded", async () => {
      const { json } = await post('/dvcqg/api', { session: await login(), madonvi: '000.00.11.H12', service: 'TraCuuHoSo', mahoso: '000.00.11.H12-250701-0042' });
      expect(json).toMatchObject({ error_code: 403, type: 'client.access_denied', violations: [{ field: 'madonvi', rule: `must be ${MADONVI}` }] });
      expect(bus.ledger.records.find((r) => r.tx === json.transaction)).toMatchObject({ client: CAOBANG, outcome: 'client.access_denied' });
    });

    it('refuses a service name the adapter does not have, listing those it has', async () => {
      const { json } = await call('LayHoSo', {});
      expect(json).toMatchObject({ error_code: 404, type: 'client.unknown_service', message: expect.stringMatching(/DongBoHoSoMC/) });
    });

    it.each(['MaHoSo', 'MaTTHC', 'ChuHoSo', 'LoaiDoiTuong', 'NgayTiepNhan', 'TrangThaiHoSo'])('names the missing required field %s of a dossier', async (field) => {
      const item = dossier(`${MADONVI}-251124-0201`);
      delete item[field];
      const { json } = await call('DongBoHoSoMC', { isUpdating: 'False', data: [item] });
      expect(json).toMatchObject({ error_code: 400, type: 'client.contract_violation' });
      expect(json.violations).toContainEqual({ field: `data[0].${field}`, rule: 'thiếu trường bắt buộc (a required field is missing)' });
      expect(bus.ledger.records.find((r) => r.tx === json.transaction)?.outcome).toBe('client.contract_violation');
    });

    it.each([
      ['NgayTiepNhan', '2025-11-24T09:00:00', 'phải theo định dạng yyyyMMddHHmmss (must be in the format yyyyMMddHHmmss, such as 20251124090000)'],
      ['NgayTiepNhan', '20251324090000', 'phải theo định dạng yyyyMMddHHmmss (must be in the format yyyyMMddHHmmss, such as 20251124090000)'],
      ['NgayHenTra', '24/11/2025', 'phải theo định dạng yyyyMMddHHmmss or empty (must be in the format yyyyMMddHHmmss or empty, such as 20251124090000)'],
      ['MaHoSo', 'HS-2025-1', expect.stringMatching(/^không đúng mẫu/)],
      ['LoaiDoiTuong', 1, 'không phải một giá trị được phép (not one of the allowed values)'],
    ])('names the rule %s = %j breaks', async (field, value, rule) => {
      const { json } = await call('DongBoHoSoMC', { isUpdating: 'False', data: [dossier(`${MADONVI}-251124-0202`, { [field]: value })] });
      expect(json).toMatchObject({ error_code: 400, violations: [{ field: `data[0].${field}`, rule }] });
    });

    it('names the date format of a progress step', async () => {
      const { json } = await call('CapNhatTienDoHoSoMC', { data: [progress(`${MADONVI}-251124-0101`, { ThoiDiemXuLy: '24-11-2025 10:00' })] });
      expect(json.violations).toEqual([{ field: 'data[0].ThoiDiemXuLy', rule: 'phải theo định dạng yyyyMMddHHmmss (must be in the format yyyyMMddHHmmss, such as 20251124090000)' }]);
    });
  });

  describe('hostile input, each answered in the adapter\'s shape, the process unharmed', () => {
    it.each([
      ['not JSON', 'session=x&service=LayThuTuc', 400],
      ['a key given twice', `{"session":"x","service":"LayThuTuc","service":"TraCuuHoSo"}`, 400],
      ['10,000 nested arrays', `{"session":"x","a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 400],
      ['a JSON array', '[1,2,3]', 400],
      ['a 2 MiB body', JSON.stringify({ session: 'x', pad: 'x'.repeat(2 * 1024 * 1024) }), 413],
    ])('%s', async (_, body, code) => {
      const res = await fetch(`${base}/dvcqg/api`, { method: 'POST', headers: HEADERS, body });
      const json = await res.json() as { error_code: number };
      expect(json.error_code).toBe(code);
      await expectRecordedOk(await call('LayDanhMucLinhVuc', {}), 'LayDanhMucLinhVuc');
    });
  });
}
