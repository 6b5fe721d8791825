/**
 * The README's two HTTP examples, run as a reader would over real RabbitMQ: `curl` in credential
 * mode with a token from `lgsp keys token`, and `examples/signed-request.mjs` (plain jose, no
 * project code) in signed mode. Both must get replies verified end to end.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AMQP_URL, describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { startLgsp, stopLgsp } from '../helpers/lgsp-process.ts';
import { realCatalog } from '../helpers/simulation-bus.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

describeRabbit('the README’s HTTP examples over RabbitMQ', () => {
  const broker = rabbitBroker();
  const home = mkdtempSync(join(tmpdir(), 'lgsp-readme-'));
  const env = { ...process.env, LGSP_HOME: home };
  let up: ChildProcess;
  let ingress: string;

  beforeAll(async () => {
    const started = await startLgsp(['up', '--amqp-url', AMQP_URL!, '--prefix', broker.prefix, '--ingress-port', '0', '--operator-port', '0', '--citizens', '2000', '--rate', '1'],
      env, /HTTP ingress (http:\/\/[\d.:]+)/);
    up = started.child;
    ingress = started.match[1]!;
  }, 60_000);

  afterAll(async () => {
    await stopLgsp(up);
    const { catalog } = await realCatalog();
    // The ingress's reply queues carry an instance name of its own: find them by the run's prefix.
    const listed = (await run('rabbitmqctl', ['list_queues', '-q', 'name'])).stdout.split('\n').map((l) => l.trim());
    await broker.cleanup([...catalog.systems.keys()], listed.filter((q) => q.startsWith(`${broker.prefix}.reply.`) && q.includes('#')));
    rmSync(home, { recursive: true, force: true });
  });

  it('answers curl in credential mode with the provider’s body and its signed headers', async () => {
    const token = (await run(process.execPath, ['bin/lgsp.mjs', 'keys', 'token', 'VN/PROV/CAOBANG/MOTCUA'], { cwd: ROOT, env })).stdout.trim();
    expect(token).toMatch(/^lgsp_/);
    const { stdout } = await run('curl', ['-si', '-X', 'POST', `${ingress}/r1/VN/GOV/BCA/DANCU/citizen.verify/v1`,
      '-H', 'X-Road-Client: VN/PROV/CAOBANG/MOTCUA', '-H', `Authorization: Bearer ${token}`, '-H', 'Content-Type: application/json',
      '-d', '{"idNumber":"004190000123","fullName":"Nông Thị Hoa","dateOfBirth":"1990-05-14"}']);
    expect(stdout).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(stdout).toMatch(/^X-Lgsp-Signature: ey/m);
    expect(stdout).toMatch(/^X-Lgsp-Attestation: ey/m);
    expect(stdout.trimEnd().endsWith('{"match":true,"differences":[]}')).toBe(true);
  });

  it('answers a request signed with plain jose, and the reply verifies end to end', async () => {
    const { stdout } = await run(process.execPath, ['examples/signed-request.mjs'], { cwd: ROOT, env: { ...env, INGRESS_URL: ingress } });
    expect(stdout).toMatch(/^200 verified: signed by VN\/GOV\/BCA\/DANCU, transaction [0-9a-f-]{36}\n\{"match":true,"differences":\[\]\}\n$/);
  });
});
