/**
 * The go-live rehearsal as an integrator runs it, over real RabbitMQ: an own system registered
 * with `lgsp system add`, `lgsp check` as a process, and the system in this test process — a
 * provider on the bus with its own key, a client that reports to the national portal through the
 * portal's adapter (DongBoHoSoMC, CapNhatTienDoHoSoMC over HTTP) and calls the population database
 * and the judicial records on the bus, retrying after the injected fault. The check passes at 100 %
 * and counts the portal's steps on the adapter's services.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { GatewayClient } from '../../adapters/amqp/client.ts';
import { ServiceProvider } from '../../adapters/amqp/provider.ts';
import { issueToken } from '../../adapters/http/tokens.ts';
import type { CheckReport } from '../../checker/result.ts';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { loadSigningKey, registeredPublicKeys } from '../../gateway/home/keys.ts';
import { systemsFileOf } from '../../gateway/home/systems.ts';
import { connectRabbit } from '../../gateway/transport/rabbitmq.ts';
import type { Transport } from '../../gateway/transport/transport.ts';
import { AMQP_URL, describeRabbit, rabbitBroker } from '../helpers/broker.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SYSTEM = 'VN/PROV/HAGIANG/MOTCUA';
const AGENCY = '000.00.02.H02';
const APPLICANT = { idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14' };
const ADAPTER = { 'Content-Type': 'application/json', dstcode: '000.00.00.G22' };

describeRabbit('lgsp check of an integrator\'s own system over RabbitMQ', () => {
  const broker = rabbitBroker();
  const home = mkdtempSync(join(tmpdir(), 'lgsp-own-check-'));
  const transports: Transport[] = [];
  afterAll(async () => {
    for (const t of transports) await t.close();
    // `lgsp check` declared the whole bus, the own system included: every system's queues go.
    const { systems } = await loadCatalog(join(ROOT, 'contracts'), { systemsFile: systemsFileOf(home) });
    await broker.cleanup([...systems.keys()]);
    rmSync(home, { recursive: true, force: true });
  });

  it('passes with 100 %, the portal\'s steps made through its adapter', { timeout: 180_000 }, async () => {
    const env = { ...process.env, LGSP_HOME: home, AMQP_URL: AMQP_URL! };
    await promisify(execFile)(process.execPath, ['bin/lgsp.mjs', 'system', 'add', SYSTEM, '--name-vi', 'Hệ thống một cửa tỉnh Hà Giang',
      '--name-en', 'Ha Giang procedure system', '--agency-code', AGENCY, '--like', 'VN/PROV/CAOBANG/MOTCUA'], { cwd: ROOT, env });
    const ready = join(home, 'ready.json');
    const check = spawn(process.execPath, ['bin/lgsp.mjs', 'check', SYSTEM, '--prefix', broker.prefix, '--ready-file', ready, '--window', '60',
      '--ingress-port', '0', '--operator-port', '0', '--json', join(home, 'report.json')], { cwd: ROOT, env });
    let out = '';
    check.stdout.on('data', (d) => (out += d));
    check.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => check.once('exit', r));
    await expect.poll(() => existsSync(ready), { timeout: 60_000, interval: 200 }).toBe(true);
    const { ingressUrl } = JSON.parse(readFileSync(ready, 'utf8')) as { ingressUrl: string };

    // The system under test: its key and token from the state directory, as the integrator has them.
    const catalog = await loadCatalog(join(ROOT, 'contracts'), { extraKeys: registeredPublicKeys(home), systemsFile: systemsFileOf(home) });
    const key = (await loadSigningKey(home, SYSTEM))!;
    const connect = async () => {
      const t = await connectRabbit({ url: AMQP_URL!, prefix: broker.prefix });
      transports.push(t);
      return t;
    };
    const results = new Map<string, () => void>();
    const provider = await ServiceProvider.start({
      transport: await connect(), system: SYSTEM, key, keys: catalog.keys, gateway: catalog.gateway,
      handlers: {
        'dossier.receive/v1': ({ body }) => (body.procedureCode === '1.001234'
          ? { body: { dossierCode: `${AGENCY}-251124-0999`, status: 'received' } }
          : { error: { type: 'procedure.not_offered', message: 'Không tiếp nhận trực tuyến.' } }),
        'criminal-record.result/v1': ({ body }) => results.get(String(body.ticket))?.(),
      },
    });
    const client = await GatewayClient.connect({ transport: await connect(), system: SYSTEM, key, keys: catalog.keys, gateway: catalog.gateway, timeoutMs: 10_000 });
    const login = await (await fetch(`${ingressUrl}/dvcqg/auth`, { method: 'POST', headers: ADAPTER, body: JSON.stringify({ username: SYSTEM, password: issueToken(home, SYSTEM).token }) })).json() as { session: string };
    const adapter = async (service: string, params: object) => {
      if (over) return;
      const res = await fetch(`${ingressUrl}/dvcqg/api`, { method: 'POST', headers: ADAPTER, body: JSON.stringify({ session: login.session, madonvi: AGENCY, service, ...params }) });
      expect(res.status, await res.clone().text()).toBe(200);
    };
    const progress = (code: string, TrangThai: string) => adapter('CapNhatTienDoHoSoMC', { data: [{ MaHoSo: code, NguoiXuLy: 'Hoàng Văn Nam', ThoiDiemXuLy: '20251124100000', NoiDungXuLy: 'Xử lý hồ sơ', TrangThai }] });

    // Dossiers one after another until the check has what it needs and ends (it needs two: the fault strikes the second verify).
    let over = false;
    void exited.then(() => (over = true));
    check.stdout.on('data', () => (over ||= /^(PASSED|FAILED):/m.test(out))); // the verdict is out: the check is closing its doors
    for (let n = 1; n <= 5 && !over; n += 1) {
      try {
        const code = `${AGENCY}-251124-000${n}`;
        await adapter('DongBoHoSoMC', { isUpdating: 'False', data: [{ MaHoSo: code, MaTTHC: '1.001234', ChuHoSo: 'NÔNG THỊ HOA', LoaiDoiTuong: '1', NgayTiepNhan: '20251124090000', TrangThaiHoSo: '2' }] });
        await progress(code, '2');
        for (let attempt = 1; attempt <= 3; attempt += 1) {
          const verified = await client.request('VN/GOV/BCA/DANCU/citizen.verify/v1', APPLICANT, { issue: code, userId: 'CB-0007' });
          if (verified.status === 'ok') break;
          await new Promise((r) => setTimeout(r, 200));
        }
        const ask = () => client.request('VN/GOV/BTP/LLTP/criminal-record.request/v1', { idNumber: APPLICANT.idNumber, fullName: APPLICANT.fullName, purpose: `Hồ sơ ${code} ${broker.prefix}` }, { issue: code, userId: 'CB-0007' });
        let reply = await ask();
        if (reply.status === 'error' && reply.error.type === 'server.provider_timeout') reply = await ask(); // the injected timeout: asked again
        expect(reply.status).toBe('ok');
        if (reply.status === 'ok') {
          const result = new Promise<void>((resolve, fail) => {
            const timer = setTimeout(() => fail(new Error(`no result event for ${code}: ${out}`)), 20_000);
            const settle = () => {
              clearTimeout(timer);
              resolve();
            };
            results.set(String(reply.body.ticket), settle);
            void exited.then(settle);
          });
          await result;
        }
        if (!over) await progress(code, '10');
      } catch (err) {
        // The check ends as soon as it has what it needs, maybe while this dossier was under way.
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (!over) throw err;
      }
    }

    expect(await exited, out).toBe(0);
    const report = JSON.parse(readFileSync(join(home, 'report.json'), 'utf8')) as CheckReport;
    expect(report.verdict).toBe('passed');
    const steps = report.checks.filter((c) => c.id.startsWith('client/a judicial'));
    expect(steps.map((c) => c.service)).toEqual([
      'VN/GOV/VPCP/DVCQG/DongBoHoSoMC/v1', 'VN/GOV/VPCP/DVCQG/CapNhatTienDoHoSoMC/v1', 'VN/GOV/BCA/DANCU/citizen.verify/v1',
      'VN/GOV/BTP/LLTP/criminal-record.request/v1', `${SYSTEM}/criminal-record.result/v1`, 'VN/GOV/VPCP/DVCQG/CapNhatTienDoHoSoMC/v1',
    ]);
    expect(report.checks.find((c) => c.part === 'fault')!.status).toBe('passed');
    await client.close();
    await provider.stop();
  });
});
