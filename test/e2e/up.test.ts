/** `lgsp up` as a newcomer runs it: a fresh state directory, traffic in seconds, a clean stop. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
  it('shows transactions between provinces and national systems, and stops cleanly on Ctrl-C', async () => {
    const { code, stdout, stderr } = await run(['up', '--rate', '20'], 6000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/on the embedded transport/);
    expect(stdout).toMatch(/VN\/GOV\/BCA\/DANCU\/citizen\.verify\/v1 +ok [1-9]/);
    expect(stdout).toMatch(/VN\/GOV\/VPCP\/DVCQG\/dossier\.sync\/v1 +ok [1-9]/);
    expect(stdout.trimEnd().endsWith('stopped.')).toBe(true);
    expect(existsSync(join(home, 'keys/VN~GOV~LGSP~GATEWAY/k1.private.jwk.json'))).toBe(true);
  });

  it('stops start-up with the file and place of a catalog problem', async () => {
    const { code, stderr } = await run(['up', '--contracts', 'test/fixtures/no-such-folder']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^lgsp: catalog: .*catalog\.yaml .*cannot read the file/);
  });

  it('explains every command with --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const command of ['up', 'gateway', 'keys']) expect(stdout).toContain(command);
  });
});
