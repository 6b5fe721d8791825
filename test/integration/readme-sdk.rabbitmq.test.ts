/**
 * The README's SDK example, as a reader runs it over real RabbitMQ: the code block is
 * examples/sdk.ts word for word, and that file, beside `lgsp gateway`, prints the verified
 * reply and exits by itself.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AMQP_URL, describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { startLgsp, stopLgsp } from '../helpers/lgsp-process.ts';
import { realCatalog } from '../helpers/simulation-bus.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

describeRabbit('the README’s SDK example over RabbitMQ', () => {
  const broker = rabbitBroker();
  const home = mkdtempSync(join(tmpdir(), 'lgsp-sdk-'));
  const env = { ...process.env, LGSP_HOME: home, AMQP_URL: AMQP_URL!, LGSP_PREFIX: broker.prefix };
  let gateway: ChildProcess;

  beforeAll(async () => {
    for (const system of ['VN/GOV/BCA/DANCU', 'VN/PROV/CAOBANG/MOTCUA']) await run(process.execPath, ['bin/lgsp.mjs', 'keys', 'generate', system], { cwd: ROOT, env });
    gateway = (await startLgsp(['gateway', '--prefix', broker.prefix, '--ingress-port', '0', '--operator-port', '0'], env, /Ctrl-C stops/)).child;
  }, 60_000);

  afterAll(async () => {
    await stopLgsp(gateway);
    const { catalog } = await realCatalog();
    await broker.cleanup([...catalog.systems.keys()]);
    rmSync(home, { recursive: true, force: true });
  });

  it('shows examples/sdk.ts word for word', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const file = readFileSync(join(ROOT, 'examples/sdk.ts'), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${file}\`\`\``);
  });

  it('prints the verified reply and exits by itself', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'examples/sdk.ts'], { cwd: ROOT, env, timeout: 30_000 });
    expect(stderr).toBe('');
    expect(stdout.trim()).toBe('{ match: true, differences: [] }');
  }, 40_000);
});
