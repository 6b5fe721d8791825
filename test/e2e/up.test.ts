/** `lgsp up` as a newcomer runs it: a fresh state directory, traffic in seconds, a clean stop. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'lgsp-up-'));

function run(args: string[], stopAfterMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LGSP_HOME: home };
    delete env.AMQP_URL; // the embedded default, as `npm start` on a fresh machine
    const child = spawn(process.execPath, ['bin/lgsp.mjs', ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    if (stopAfterMs) setTimeout(() => child.kill('SIGINT'), stopAfterMs);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('lgsp up', () => {
  it('shows transactions with every national system and every province within 30 s, and stops cleanly on Ctrl-C', async () => {
    const { code, stdout, stderr } = await run(['up', '--rate', '10', '--citizens', '20000'], 12_000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/on the embedded transport/);
    const last = stdout.slice(stdout.lastIndexOf('transactions:'));
    for (const system of ['VPCP/DVCQG', 'BCA/DANCU', 'BTP/HOTICH', 'BTP/LLTP', 'BTC/THUE', 'BTC/DKKD']) {
      expect(last, system).toMatch(new RegExp(`VN/GOV/${system}/\\S+ +ok [1-9]`));
    }
    // Every province provides too: certificates come back to each (and online applications reach them).
    for (const province of ['CAOBANG', 'DIENBIEN', 'DONGTHAP', 'CAMAU']) {
      expect(last, province).toMatch(new RegExp(`VN/PROV/${province}/MOTCUA/\\S+ +ok [1-9]`));
    }
    expect(stdout.trimEnd().endsWith('stopped.')).toBe(true);
    expect(existsSync(join(home, 'keys/VN~GOV~LGSP~GATEWAY/k1.private.jwk.json'))).toBe(true);
  });

  it('stops start-up with the file and place of a catalog problem', async () => {
    const { code, stderr } = await run(['up', '--contracts', 'test/fixtures/no-such-folder']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^lgsp: catalog: .*catalog\.yaml .*cannot read the file/);
  });

  it('answers a usage mistake with exit 2, the one line that says what was wrong and where the flags are, not the whole help', async () => {
    const { code, stderr } = await run(['up', '--no-such-flag']);
    expect(code).toBe(2);
    expect(stderr.trimEnd().split('\n')).toEqual(["error: unknown option '--no-such-flag'", '(lgsp <command> --help lists its flags)']);
    const version = await run(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n` });
  });

  it('explains every command with --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const command of ['up', 'gateway', 'keys']) expect(stdout).toContain(command);
  });
});
