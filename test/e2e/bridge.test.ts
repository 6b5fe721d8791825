/**
 * `lgsp up --bridge` as an integrator would use it: their population database's HTTP API (here a
 * small express server answering from the same seeded data as the mock) takes the mock's place,
 * and the live workload's citizen checks go through it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../adapters/amqp/provider.ts';
import { nationalData } from '../../mocks/data/national.ts';
import { dancuHandlers } from '../../mocks/national/dancu.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'lgsp-bridge-'));
const calls: string[] = [];
let server: Server;

/** The population database's bridge configuration, for an API on this machine's `port`. */
function writeBridgeConfig(file: string, port: number): void {
  writeFileSync(file, [
    'system: VN/GOV/BCA/DANCU',
    `baseUrl: http://127.0.0.1:${port}/api/v1`,
    'services:',
    "  citizen.verify/v1: { method: POST, path: /citizens/verify, errors: { 404: citizen.not_found } }",
    "  citizen.lookup/v1: { method: GET, path: '/citizens/{idNumber}', errors: { 404: citizen.not_found } }",
  ].join('\n'));
}

beforeAll(async () => {
  const handlers = dancuHandlers(nationalData(2025, 2000));
  const app = express();
  app.use(express.json());
  const answer = async (method: string, body: Record<string, unknown>, res: express.Response) => {
    calls.push(method);
    const result = await handlers[method]!({ body } as unknown as IncomingMessage);
    if (result && typeof result === 'object' && 'body' in result) res.json(result.body);
    else res.status(404).json({ code: 'citizen.not_found' });
  };
  app.post('/api/v1/citizens/verify', (req, res) => void answer('citizen.verify/v1', req.body, res));
  app.get('/api/v1/citizens/:id', (req, res) => void answer('citizen.lookup/v1', { ...req.query, idNumber: req.params.id }, res));
  server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const port = (server.address() as { port: number }).port;
  writeBridgeConfig(join(home, 'dancu.yaml'), port);
});

afterAll(() => {
  server?.close();
  rmSync(home, { recursive: true, force: true });
});

function upWithBridge(config: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, LGSP_HOME: home };
  delete env.AMQP_URL;
  return new Promise((done) => {
    const child = spawn(process.execPath, ['bin/lgsp.mjs', 'up', '--bridge', config, '--citizens', '2000', '--rate', '10',
      '--ingress-port', '0', '--operator-port', '0', '--duration', '8'], { cwd: ROOT, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (c) => done({ code: c, stdout: out, stderr: err }));
  });
}

describe('lgsp up --bridge', () => {
  it('shows an API that cannot be reached as the declared business:database.unavailable, with no log lines in the summary', async () => {
    const closed = express().listen(0, '127.0.0.1');
    await new Promise((r) => closed.once('listening', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const config = join(home, 'dancu-unreachable.yaml');
    writeBridgeConfig(config, port);
    const { code, stdout, stderr } = await upWithBridge(config);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/^\{"level"/m);
    const last = stdout.slice(stdout.lastIndexOf('transactions:'));
    expect(last).toMatch(/VN\/GOV\/BCA\/DANCU\/citizen\.verify\/v1 +business:database\.unavailable [1-9]/);
    expect(last).not.toMatch(/VN\/GOV\/BCA\/DANCU\/citizen\.verify\/v1 +ok/);
  });

  it('puts a national system’s HTTP API in place of its mock', async () => {
    const { code, stdout, stderr } = await upWithBridge(join(home, 'dancu.yaml'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/bridge: VN\/GOV\/BCA\/DANCU → http:\/\/127\.0\.0\.1:\d+\/api\/v1/);
    const last = stdout.slice(stdout.lastIndexOf('transactions:'));
    expect(last).toMatch(/VN\/GOV\/BCA\/DANCU\/citizen\.verify\/v1 +ok [1-9]/);
    expect(calls.filter((c) => c === 'citizen.verify/v1').length).toBeGreaterThan(0);
  });
});
