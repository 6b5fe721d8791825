/**
 * The documented GitHub Actions workflow (examples/ci/github-actions.yml), its steps run as a
 * runner would, in order, over real RabbitMQ: the connection test starts and is waited for, the
 * system under test (its stand-in, a mock in a process of its own) connects, and the verdict step
 * exits 0 with the JUnit, HTML and JSON reports where the upload step takes them.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parse } from 'yaml';
import { afterAll, expect, it } from 'vitest';
import { AMQP_URL, describeRabbit, rabbitBroker } from '../helpers/broker.ts';
import { realCatalog } from '../helpers/simulation-bus.ts';

const ROOT = resolve(import.meta.dirname, '../..');
interface Step { id?: string; run?: string; 'working-directory'?: string; uses?: string; with?: { path?: string } }
const workflow = parse(readFileSync(join(ROOT, 'examples/ci/github-actions.yml'), 'utf8')) as { jobs: { 'lgsp-check': { env: Record<string, string>; steps: Step[] } } };
const job = workflow.jobs['lgsp-check'];

describeRabbit('the GitHub Actions recipe, step by step', () => {
  const broker = rabbitBroker();
  const workspace = mkdtempSync(join(tmpdir(), 'lgsp-ci-'));
  const groups: number[] = [];

  afterAll(async () => {
    for (const g of groups) {
      try {
        process.kill(-g, 'SIGINT'); // what the step left running in the background: its own process group
      } catch {
        // already gone
      }
    }
    const { catalog } = await realCatalog();
    await broker.cleanup([...catalog.systems.keys()]);
    rmSync(workspace, { recursive: true, force: true });
  });

  /** Runs one step's script as the runner would (bash, its working directory, the job's env). */
  function runStep(step: Step, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
    const child = spawn('bash', ['-eo', 'pipefail', '-c', step.run!], { cwd: join(workspace, step['working-directory'] ?? ''), env, detached: true });
    groups.push(child.pid!);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    return new Promise((done) => child.once('exit', (code) => done({ code: code ?? -1, out })));
  }

  it('runs to a passing verdict and leaves the reports for upload', { timeout: 240_000 }, async () => {
    // The checkout step: the simulator in lgsp-simulator/ (here: the command line, the contracts and an installed package).
    const checkout = job.steps.find((s) => s.uses?.startsWith('actions/checkout'))!;
    const dir = join(workspace, checkout.with!.path!);
    mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
    symlinkSync(join(ROOT, 'bin/lgsp.mjs'), join(dir, 'node_modules/.bin/lgsp'));
    symlinkSync(join(ROOT, 'contracts'), join(dir, 'contracts'));
    const env: NodeJS.ProcessEnv = {
      ...process.env, ...job.env, AMQP_URL: AMQP_URL!, LGSP_HOME: join(workspace, '.lgsp'), LGSP_PREFIX: broker.prefix, LGSP_PORTS: '--ingress-port 0 --operator-port 0',
    };
    for (const id of ['start-check', 'system-under-test', 'verdict']) {
      const step = job.steps.find((s) => s.id === id)!;
      const result = await runStep(step, env);
      expect(result.code, `${id}: ${result.out}`).toBe(0);
      if (id === 'verdict') expect(result.out).toMatch(/PASSED: (\d+) of \1 checks, score 100 %/);
    }
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact')) as Step & { with: { path: string } };
    for (const path of upload.with.path.trim().split('\n')) expect(existsSync(join(workspace, path.trim())), path).toBe(true);
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(join(dir, 'junit.xml'), 'utf8')) as { testsuites: { tests: string; failures: string } };
    expect(Number(junit.testsuites.tests)).toBeGreaterThan(0);
    expect(Number(junit.testsuites.failures)).toBe(0);
  });
});
