/**
 * `npm test` on a fresh clone with no RabbitMQ: the RabbitMQ suites are skipped with a notice
 * and the run passes; under CI=true the same run fails, since CI must run them.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Suites that need no AMQP_URL: they start RabbitMQ nodes of their own (where rabbitmq-server is
 * installed) or need PostgreSQL, each with a skip notice of its own; not what this test is about.
 */
const NOT_ON_AMQP_URL = ['amqps', 'fault-processes', 'cluster'].map((name) => `test/integration/${name}.rabbitmq.test.ts`).concat('test/integration/*.postgres.test.ts');

function integrationRun(ci: boolean): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, LGSP_TEST_NO_CONTAINERS: '1', NO_COLOR: '1' };
  delete env.AMQP_URL;
  if (ci) env.CI = 'true';
  else delete env.CI;
  const exclude = NOT_ON_AMQP_URL.flatMap((glob) => ['--exclude', glob]);
  return new Promise((done) => {
    const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'integration', ...exclude], { cwd: ROOT, env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => done({ code, output }));
  });
}

describe('the RabbitMQ suites without a broker', () => {
  it('are skipped with a notice naming AMQP_URL, and the run passes', async () => {
    const { code, output } = await integrationRun(false);
    expect(output).toMatch(/SKIPPED ".*": no RabbitMQ — set AMQP_URL=amqp:\/\/localhost to run it/);
    expect(output).not.toMatch(/AMQP_URL is not set/);
    expect(code, output).toBe(0);
  }, 60_000);

  it('fail the run under CI=true', async () => {
    const { code, output } = await integrationRun(true);
    expect(output).toMatch(/CI=true but AMQP_URL is not set/);
    expect(code).not.toBe(0);
  }, 60_000);
});
