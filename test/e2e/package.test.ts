/**
 * The package as a user gets it: `npm pack`, installed into a fresh folder from the tarball, then
 * a plain-Node ESM script that imports both entries (the SDK and `lgsp-simulator/testing`) and
 * makes a call through a started simulator, and a TypeScript file that type-checks against the
 * shipped declarations with `tsc --init`'s own settings. Nothing of the checkout is reachable from
 * there: what works works from the tarball.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { longSuite } from '../helpers/needs.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;

longSuite('the package as a user gets it', 'about 90 s', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-package-'));
    await run('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, timeout: 240_000 });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'a-province', version: '1.0.0', private: true, type: 'module' }));
    // Installed as a user would, from the registry (the machine's npm cache first) and the tarball.
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`, 'typescript@5', '@types/node@20'], { cwd: dir, timeout: 480_000 });
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs from plain Node: both entries import, and a started simulator answers a call', async () => {
    writeFileSync(join(dir, 'use.mjs'), `
  import { startSimulator } from 'lgsp-simulator/testing';
  import { EmbeddedBroker, GatewayClient, loadCatalog } from 'lgsp-simulator';
  const sim = await startSimulator();
  try {
    const res = await fetch(sim.ingressUrl + '/r1/VN/GOV/BCA/DANCU/citizen.verify/v1', {
      method: 'POST',
      headers: { 'X-Road-Client': 'VN/PROV/CAOBANG/MOTCUA', Authorization: 'Bearer ' + sim.token('VN/PROV/CAOBANG/MOTCUA'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14' }),
    });
    console.log(JSON.stringify({ status: res.status, body: await res.json(), sdk: [typeof GatewayClient.connect, typeof EmbeddedBroker, typeof loadCatalog] }));
  } finally {
    await sim.stop();
  }
  `);
    const { stdout } = await run('node', ['use.mjs'], { cwd: dir, timeout: 120_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ status: 200, body: { match: true, differences: [] }, sdk: ['function', 'function', 'function'] });
  }, 180_000);

  it('type-checks a TypeScript user against the shipped declarations, with tsc --init\'s settings', async () => {
    await run('npx', ['tsc', '--init'], { cwd: dir, timeout: 60_000 });
    writeFileSync(join(dir, 'use.ts'), `
  import { startSimulator, type Simulator } from 'lgsp-simulator/testing';
  import { GatewayClient, EmbeddedBroker, type Reply } from 'lgsp-simulator';
  export async function started(): Promise<Simulator> {
    return startSimulator({ workload: false });
  }
  export const statuses: Array<Reply['status']> = ['ok', 'error'];
  export const sdk = [GatewayClient.connect, EmbeddedBroker];
  `);
    const checked = await run('npx', ['tsc', '--noEmit', '-p', '.'], { cwd: dir, timeout: 120_000 }).then(() => 'clean', (err: { stdout: string }) => err.stdout);
    expect(checked).toBe('clean');
    // …and a wrong use is caught, so the check above is a check.
    writeFileSync(join(dir, 'wrong.ts'), "import { startSimulator } from 'lgsp-simulator/testing';\nexport const n: number = await startSimulator();\n");
    const wrong = await run('npx', ['tsc', '--noEmit', '-p', '.'], { cwd: dir, timeout: 120_000 }).then(() => 'clean', (err: { stdout: string }) => err.stdout);
    expect(wrong).toMatch(/wrong\.ts.*TS2322/);
  }, 180_000);
});
