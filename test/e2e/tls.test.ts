/**
 * `lgsp up --tls` as a user runs it: the ingress and the operator server answer over HTTPS with a
 * certificate of the state directory's own authority; `lgsp send`, `lgsp stats` and curl trust
 * that authority (tls/ca.pem), and a client that does not trust it is refused by TLS itself.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLgsp, stopLgsp } from '../helpers/lgsp-process.ts';
import type { ChildProcess } from 'node:child_process';

const ROOT = resolve(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'lgsp-tls-'));
const env: NodeJS.ProcessEnv = { ...process.env, LGSP_HOME: home };
delete env.AMQP_URL;
const run = promisify(execFile);
const lgsp = (...args: string[]) => run(process.execPath, ['bin/lgsp.mjs', ...args], { cwd: ROOT, env });

let child: ChildProcess | undefined;
let ingress: string;
let operator: string;

beforeAll(async () => {
  const started = await startLgsp(['up', '--tls', '--ingress-port', '0', '--operator-port', '0', '--rate', '2', '--citizens', '20000'], env,
    /dashboard (https:\/\/\S+)\/; HTTP ingress (https:\/\/\S+);/);
  child = started.child;
  operator = started.match[1]!;
  ingress = started.match[2]!;
}, 60_000);

afterAll(async () => {
  await stopLgsp(child);
  rmSync(home, { recursive: true, force: true });
});

describe('lgsp up --tls', () => {
  it('serves both doors over HTTPS', () => {
    expect(ingress).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(operator).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers lgsp send through the HTTPS ingress, the reply verified', async () => {
    const { stdout, stderr } = await lgsp('send', 'VN/GOV/BCA/DANCU/citizen.verify/v1', '{"idNumber":"001090000001","fullName":"X","dateOfBirth":"1990-01-01"}',
      '--as', 'VN/PROV/CAOBANG/MOTCUA', '--user-id', 'CB-1').catch((e: { stdout: string; stderr: string; code: number }) => e);
    expect(stderr).toContain(`through its HTTP ingress ${ingress}`);
    expect(stdout).toMatch(/"verified": true/);
  });

  it('answers lgsp stats through the HTTPS operator server', async () => {
    const { stdout, stderr } = await lgsp('stats');
    expect(stderr).toContain(operator);
    expect(stdout).toMatch(/transactions/);
  });

  it('is trusted by curl given the authority, and refused by TLS without it', async () => {
    const ca = join(home, 'tls/ca.pem');
    const { stdout } = await run('curl', ['-sS', '--cacert', ca, `${operator}/healthz`]);
    expect(JSON.parse(stdout)).toEqual({ status: 'ok' });
    const untrusted = await run('curl', ['-sS', `${operator}/healthz`]).catch((e: { code: number; stderr: string }) => e);
    expect((untrusted as { code: number }).code).toBe(60); // curl: peer certificate cannot be authenticated
    await expect(fetch(`${ingress}/r1/VN/GOV/BCA/DANCU/citizen.verify/v1`, { method: 'POST' })).rejects.toMatchObject({ cause: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } });
  });
});
