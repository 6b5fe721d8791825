/**
 * A second `lgsp up` beside a running one: on the same state directory or the same port it stops
 * at once with one line saying what to change, and the first one is unharmed.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

describe('a second lgsp up', () => {
  let first: ChildProcess;
  let ingressPort: string;
  let operator: string;

  beforeAll(async () => {
    first = spawn(process.execPath, ['bin/lgsp.mjs', 'up', '--ingress-port', '0', '--operator-port', '0', '--citizens', '2000', '--rate', '1'], { cwd: ROOT, env: envFor(homes[0]!) });
    let out = '';
    [ingressPort, operator] = await new Promise<[string, string]>((found, failed) => {
      first.stdout!.on('data', (d) => {
        out += d;
        const match = /dashboard (http:\/\/[\d.:]+)\/; HTTP ingress http:\/\/[\d.]+:(\d+)/.exec(out);
        if (match) found([match[2]!, match[1]!]);
      });
      first.once('close', (code) => failed(new Error(`lgsp up ended (${code}): ${out}`)));
    });
  }, 30_000);

  afterAll(async () => {
    if (first.exitCode === null) {
      const closed = new Promise((r) => first.once('close', r));
      first.kill('SIGINT');
      await closed;
    }
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
