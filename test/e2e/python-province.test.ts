/**
 * Any language, shown: the provincial procedure system of examples/python/ (Python's standard
 * library only: no AMQP, no JWS) registered with `lgsp system add --provider-url`, a client
 * through the REST door and a provider through the HTTP provider door, passes `lgsp check` at
 * 100 % on the embedded transport; broken in one place (it never reports a dossier completed),
 * it fails with exactly that finding. Each run is the command line and python3 as a user runs them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { describeNeeding, longSuite } from '../helpers/needs.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'lgsp.mjs');
const SYSTEM = 'VN/PROV/HAGIANG/MOTCUA';
const AGENCY = '000.00.02.H02';
const homes: string[] = [];
const children: ChildProcess[] = [];

function hasPython(): boolean {
  try {
    return existsSync('/usr/bin/python3') || existsSync('/usr/local/bin/python3') || Boolean(process.env.PATH?.split(':').some((d) => existsSync(join(d, 'python3'))));
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

/** Registers the system, runs `lgsp check` with the Python system beside it; the check's exit code and what it printed. */
async function checkPython(extra: string[], window?: number): Promise<{ code: number | null; out: string }> {
  const home = mkdtempSync(join(tmpdir(), 'lgsp-python-'));
  homes.push(home);
  // The embedded transport: the Python system needs no broker.
  const { AMQP_URL: _broker, ...rest } = process.env;
  const env = { ...rest, LGSP_HOME: home };
  const port = await freePort();
  const added = await run('node', [BIN, 'system', 'add', SYSTEM, '--name-vi', 'Hệ thống một cửa tỉnh Hà Giang', '--name-en', 'Ha Giang procedure system',
    '--agency-code', AGENCY, '--like', 'VN/PROV/CAOBANG/MOTCUA', '--provider-url', `http://127.0.0.1:${port}`], { env, timeout: 120_000 });
  const token = /token \(shown once\): (\S+)/.exec(added.stdout)![1]!;
  const secret = /Bearer (lgspd_\S+)/.exec(added.stdout)![1]!;
  const ready = join(home, 'ready.json');
  const check = spawn('node', [BIN, 'check', SYSTEM, '--ready-file', ready, '--ingress-port', '0', '--operator-port', '0', ...(window ? ['--window', String(window)] : [])], { env });
  children.push(check);
  let out = '';
  check.stdout.on('data', (d) => (out += d));
  check.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((done) => check.once('exit', (code) => done(code)));
  await run('node', [BIN, 'wait', '--ready-file', ready, '--timeout', '180'], { env, timeout: 200_000 });
  const { ingressUrl } = JSON.parse(readFileSync(ready, 'utf8')) as { ingressUrl: string };
  const province = spawn('python3', [join(ROOT, 'examples', 'python', 'province.py'), '--system', SYSTEM, '--agency', AGENCY, '--ingress', ingressUrl,
    '--token', token, '--port', String(port), '--door-secret', secret, ...extra], { stdio: 'ignore' });
  children.push(province);
  const code = await exited;
  province.kill();
  return { code, out };
}

afterAll(() => {
  for (const c of children) c.kill();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const SUITE = 'a provincial system in Python, over the REST door and the HTTP provider door';
const PYTHON = {
  available: hasPython(),
  inCi: 'CI=true but python3 is not installed: the Python example system needs it (see .ci/run)',
  notice: 'python3 is not installed here — the Python example system of examples/python/ is not run.',
  missing: 'python3 not installed',
  placeholder: 'needs python3',
};
longSuite(SUITE, 'about 60 s', () => describeNeeding(PYTHON, SUITE, () => {
    it('passes lgsp check at 100 %, with no broker', async () => {
      const { code, out } = await checkPython([]);
      expect(out).toMatch(/PASSED: (\d+) of \1 checks, score 100 %/);
      expect(code).toBe(0);
    }, 300_000);

    it('fails with exactly the finding of the one step it leaves out (a dossier never reported completed)', async () => {
      const { code, out } = await checkPython(['--break', 'completed'], 45);
      expect(code).toBe(1);
      const failed = [...out.matchAll(/^ {2}✗ \[(\w+)\] (.+)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
      expect(failed).toEqual(['client: a judicial record certificate dossier, from reception to completion: report it completed']);
      expect(out).toMatch(/report it completed: not made for case \S+ after "accept the judicial record's result event" within the window/);
    }, 300_000);
}));
