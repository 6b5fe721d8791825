/**
 * Beside a running `lgsp up` (embedded): a second one on the same state directory or the same
 * port stops at once with one line saying what to change; `lgsp send`, `load`, `stats` and `tail`
 * reach the running one and say so; and the first one is unharmed.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLgsp, stopLgsp } from '../helpers/lgsp-process.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const exec = promisify(execFile);
const homes = [mkdtempSync(join(tmpdir(), 'lgsp-first-')), mkdtempSync(join(tmpdir(), 'lgsp-second-'))];

function envFor(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LGSP_HOME: home };
  delete env.AMQP_URL;
  return env;
}

async function lgsp(home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/lgsp.mjs', ...args], { cwd: ROOT, env: envFor(home), timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('beside a running lgsp up', () => {
  let first: ChildProcess;
  let ingressPort: string;
  let operator: string;

  beforeAll(async () => {
    const started = await startLgsp(['up', '--ingress-port', '0', '--operator-port', '0', '--citizens', '2000', '--rate', '1'], envFor(homes[0]!),
      /dashboard (http:\/\/[\d.:]+)\/; HTTP ingress http:\/\/[\d.]+:(\d+)/);
    first = started.child;
    [ingressPort, operator] = [started.match[2]!, started.match[1]!];
  }, 30_000);

  afterAll(async () => {
    await stopLgsp(first);
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  it('on the same state directory stops at once, naming the running one and --home', async () => {
    const { code, stdout, stderr } = await lgsp(homes[0]!, ['up', '--ingress-port', '0', '--operator-port', '0', '--citizens', '2000']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^lgsp: the state directory .* is in use by lgsp up \\(pid ${first.pid}, .*--home <dir>`));
  });

  it('on the same ingress port stops at once, naming the port and --ingress-port', async () => {
    const { code, stdout, stderr } = await lgsp(homes[1]!, ['up', '--ingress-port', ingressPort, '--operator-port', '0', '--citizens', '2000']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`lgsp: port ${ingressPort} is already in use (another lgsp up?): stop that process, or pass --ingress-port <port> (0 picks a free one)\n`);
  });

  it('cannot reset the ledger of the running one', async () => {
    const { code, stderr } = await lgsp(homes[0]!, ['ledger', 'reset']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/is in use by lgsp up/);
  });

  it('lets lgsp send reach it through its HTTP ingress, saying so, with the reply verified', async () => {
    const { code, stdout, stderr } = await lgsp(homes[0]!, ['send', 'VN/GOV/BCA/DANCU/citizen.verify/v1',
      '{"idNumber":"004190000123","fullName":"Nông Thị Hoa","dateOfBirth":"1990-05-14"}', '--as', 'VN/PROV/CAOBANG/MOTCUA']);
    expect(stderr).toBe(`via lgsp up (pid ${first.pid}, embedded transport) through its HTTP ingress http://127.0.0.1:${ingressPort}\n`);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'ok', signedBy: 'provider', verified: true, body: { match: true, differences: [] } });
  });

  it('lets lgsp load, stats and tail reach it too', async () => {
    const load = await lgsp(homes[0]!, ['load', '--rate', '20', '--duration', '1']);
    expect(load.stdout).toMatch(/^via lgsp up \(pid \d+, embedded transport\) through its HTTP ingress/);
    expect(load.stdout).toMatch(/^ {2}ok +20$/m);
    const stats = await lgsp(homes[0]!, ['stats', '--minutes', '5']);
    expect(stats.stderr).toBe(`from lgsp up (pid ${first.pid}) at ${operator}\n`);
    expect(stats.stdout).toMatch(/VN\/GOV\/BCA\/DANCU\/citizen\.verify\/v1 +\d+/);
    const tail = await lgsp(homes[0]!, ['tail', '--count', '3']);
    const lines = tail.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    // Local time, as the dashboard shows it, and columns that stay in place.
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}  .{24} .{44} .{32} +\d+ ms  [0-9a-f-]{36}$/);
  });

  it('lets anyone read its operator API, and only an operator token change faults', async () => {
    expect((await fetch(`${operator}/api/faults`)).status).toBe(200);
    const unauthenticated = await fetch(`${operator}/api/faults/tax-not-connected`, { method: 'PUT' });
    expect(unauthenticated.status).toBe(401);
    expect(((await unauthenticated.json()) as { error: string }).error).toMatch(/lgsp keys operator-token/);
    const systemToken = (await lgsp(homes[0]!, ['keys', 'token', 'VN/PROV/CAOBANG/MOTCUA'])).stdout.trim();
    expect((await fetch(`${operator}/api/faults/tax-not-connected`, { method: 'PUT', headers: { Authorization: `Bearer ${systemToken}` } })).status).toBe(401);
    const issued = await lgsp(homes[0]!, ['keys', 'operator-token']);
    const token = issued.stdout.trim();
    // A token issued while the server runs is read within a second or so.
    const put = () => fetch(`${operator}/api/faults/tax-not-connected`, { method: 'PUT', headers: { Authorization: `Bearer ${token}` } });
    await expect.poll(async () => (await put()).status, { interval: 300 }).toBe(200);
    expect(((await (await put()).json()) as { active: object }).active).toHaveProperty(['VN/GOV/BTC/THUE']);
    expect((await fetch(`${operator}/api/faults`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('tells lgsp send on a state directory with no gateway how to start one', async () => {
    const { code, stderr } = await lgsp(homes[1]!, ['send', 'VN/GOV/BCA/DANCU/citizen.verify/v1', '{}', '--as', 'VN/PROV/CAOBANG/MOTCUA']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^lgsp: no gateway is running on the state directory .*: start one with npm start \(or lgsp up\) here/);
  });

  it('leaves the first one serving, with its ledger chain intact', async () => {
    expect((await fetch(`${operator}/readyz`)).status).toBe(200);
    const closed = new Promise((r) => first.once('close', r));
    first.kill('SIGINT');
    await closed;
    const verified = await lgsp(homes[0]!, ['ledger', 'verify']);
    expect(verified.stdout).toMatch(/hash chain intact/);
    const reset = await lgsp(homes[0]!, ['ledger', 'reset']);
    expect(reset.stdout).toMatch(/removed; the next start begins a new chain/);
  });
});
