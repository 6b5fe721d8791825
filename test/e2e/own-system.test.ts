/**
 * An integrator's own system, as they would add it: `lgsp system add` beside the shipped catalog,
 * then `lgsp up`, then their system's real calls with the token it was given. A system nobody
 * registered is refused at once, in words, never with a wait or a 500.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLgsp, stopLgsp } from '../helpers/lgsp-process.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'lgsp-own-system-'));
const env: NodeJS.ProcessEnv = { ...process.env, LGSP_HOME: home };
delete env.AMQP_URL;
const run = promisify(execFile);
const lgsp = (...args: string[]) => run(process.execPath, ['bin/lgsp.mjs', ...args], { cwd: ROOT, env });
const HAGIANG = 'VN/PROV/HAGIANG/MOTCUA';
let up: ChildProcess | undefined;
let ingress: string;
let token: string;
/** A token for a system nobody registered (the token command takes any system id). */
let stranger: string;

beforeAll(async () => {
  const added = await lgsp('system', 'add', HAGIANG, '--name-vi', 'Hệ thống một cửa tỉnh Hà Giang', '--name-en', 'Ha Giang procedure system',
    '--agency-code', '000.00.02.H02', '--like', 'VN/PROV/CAOBANG/MOTCUA');
  token = /token \(shown once\): (lgsp_\S+)/.exec(added.stdout)![1]!;
  stranger = (await lgsp('keys', 'token', 'VN/PROV/LAOCAI/MOTCUA')).stdout.trim();
  const started = await startLgsp(['up', '--ingress-port', '0', '--operator-port', '0', '--rate', '1', '--citizens', '20000'], env, /HTTP ingress (http:\/\/\S+);/);
  up = started.child;
  ingress = started.match[1]!;
}, 60_000);

afterAll(async () => {
  await stopLgsp(up);
  rmSync(home, { recursive: true, force: true });
});

describe('an integrator’s own system', () => {
  it('is registered beside the catalog, which stays as shipped', () => {
    expect(readFileSync(join(home, 'systems.yaml'), 'utf8')).toContain(`id: ${HAGIANG}`);
  });

  it('calls through the DVCQG adapter with its own agency code, and the portal keeps its dossier', async () => {
    const post = async (path: string, body: unknown) => (await fetch(`${ingress}${path}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', dstcode: '000.00.00.G22' }, body: JSON.stringify(body),
    })).json() as Promise<any>;
    const { session } = await post('/dvcqg/auth', { username: HAGIANG, password: token });
    const dossier = { MaHoSo: '000.00.02.H02-251124-0001', MaTTHC: '1.001234', ChuHoSo: 'GIÀNG A SÌ', LoaiDoiTuong: '1', NgayTiepNhan: '20251124090000', TrangThaiHoSo: '2' };
    expect(await post('/dvcqg/api', { session, madonvi: '000.00.02.H02', service: 'DongBoHoSoMC', isUpdating: 'False', data: [dossier] })).toMatchObject({ error_code: 0 });
    expect(await post('/dvcqg/api', { session, madonvi: '000.00.02.H02', service: 'TraCuuHoSo', mahoso: dossier.MaHoSo })).toMatchObject({ error_code: 0, result: [dossier] });
  });

  it('calls the REST ingress with its token', async () => {
    const res = await fetch(`${ingress}/r1/VN/GOV/BCA/DANCU/citizen.verify/v1`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}`, 'X-Road-Client': HAGIANG, 'Content-Type': 'application/json' },
      body: JSON.stringify({ idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14' }),
    });
    expect(res.status).toBe(200);
  });

  it('refuses a system nobody registered at once, saying how to register it', async () => {
    const res = await fetch(`${ingress}/r1/VN/GOV/BCA/DANCU/citizen.verify/v1`, {
      method: 'POST', headers: { Authorization: `Bearer ${stranger}`, 'X-Road-Client': 'VN/PROV/LAOCAI/MOTCUA', 'Content-Type': 'application/json' }, body: '{}',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'client.unknown_key', message: expect.stringMatching(/lgsp system add/) });
  });

  it('says at once when what it is like is not in the catalog', async () => {
    const failed = await lgsp('system', 'add', 'VN/PROV/LAOCAI/MOTCUA', '--name-vi', 'x', '--name-en', 'x', '--like', 'VN/PROV/NOWHERE/MOTCUA').catch((e: { stderr: string }) => e);
    expect(failed.stderr).toMatch(/systems\.yaml:\d+:\d+ \/systems\/1\/like: no system VN\/PROV\/NOWHERE\/MOTCUA in the catalog/);
    expect((await lgsp('system', 'list')).stdout).not.toContain('LAOCAI');
  });
});
