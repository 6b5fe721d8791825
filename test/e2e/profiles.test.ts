/** `lgsp up --profile` checks every count and share the report gives; `--scale` streams them at volume. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function up(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'lgsp-profile-'));
  homes.push(home);
  const env: NodeJS.ProcessEnv = { ...process.env, LGSP_HOME: home };
  delete env.AMQP_URL;
  return new Promise((done) => {
    const child = spawn(process.execPath, ['bin/lgsp.mjs', 'up', '--ingress-port', '0', '--operator-port', '0', '--citizens', '5000', ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const SHARES = [/^ {2}online +808 +80\.8 % +report +80\.8 % +✓$/m, /^ {2}electronic results +689 +68\.9 % +report +68\.9 % +✓$/m, /^ {2}digitised +668 +66\.8 % +report +66\.8 % +✓$/m];

describe('workload profiles from the command line', () => {
  it('replays ca-mau and checks its three shares at the national portal, relating it to the 32 million transactions reported', async () => {
    const { code, stdout, stderr } = await up(['--profile', 'ca-mau', '--profile-seconds', '5']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const share of SHARES) expect(stdout).toMatch(share);
    expect(stdout).toMatch(/^ {2}received +1,000 +report +1,000 +✓$/m);
    expect(stdout).not.toMatch(/✗/);
    expect(stdout).toMatch(/the province reports 32,000,000 LGSP transactions: about [\d,]+ dossiers at this mix; lgsp up --profile ca-mau --scale 32000000/);
  }, 60_000);

  it('streams ca-mau with --scale until the volume is recorded, with the rate, memory and shares', async () => {
    const { code, stdout, stderr } = await up(['--profile', 'ca-mau', '--scale', '3000']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/\] 100\.0 % +[\d,]+ \/ 3,000 tx/);
    const [, done] = /^([\d,]+) transactions \([\d,]+ dossiers\) in .*: [\d,]+ transactions\/s$/m.exec(stdout) ?? [];
    expect(Number(done?.replaceAll(',', ''))).toBeGreaterThanOrEqual(3000);
    for (const name of ['online', 'electronic results', 'digitised']) expect(stdout).toMatch(new RegExp(`^ {2}${name} .*✓$`, 'm'));
    expect(stdout).toMatch(/at this rate the province's 32,000,000 transactions would take/);
  }, 60_000);

  it('refuses --scale without a profile, saying what to add (a usage mistake: exit 2)', async () => {
    const { code, stderr } = await up(['--scale', '100']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--scale streams a workload profile: add --profile <name>/);
  });
});
