/**
 * The simulator in a user's own tests: `startSimulator()` runs `lgsp up` as a child process on
 * free ports and a state directory of its own, waits until it is ready, and hands back its
 * addresses, credentials, the admin API and `stop()`.
 *
 * @example
 * import { startSimulator } from 'lgsp-simulator/testing';
 * const sim = await startSimulator();
 * const res = await fetch(`${sim.ingressUrl}/r1/VN/GOV/BCA/DANCU/citizen.verify/v1`, { method: 'POST',
 *   headers: { 'X-Road-Client': 'VN/PROV/CAOBANG/MOTCUA', Authorization: `Bearer ${sim.token('VN/PROV/CAOBANG/MOTCUA')}`, 'Content-Type': 'application/json' },
 *   body: JSON.stringify({ idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14' }) });
 * await sim.stop();
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueToken, OPERATOR } from '../adapters/http/tokens.ts';
import type { FaultRule } from '../mocks/faults.ts';
import { packageFile } from '../gateway/home/package-root.ts';
import type { Stub } from '../mocks/stubs.ts';

const BIN = packageFile('bin', 'lgsp.mjs');
/** The package's own catalog, wherever the user's tests run from. */
const CONTRACTS = packageFile('contracts');

export interface SimulatorOptions {
  /** The state directory (default: a new temporary one, removed by stop()). */
  readonly home?: string;
  /** RabbitMQ to run on (default: the embedded transport, no broker needed). */
  readonly amqpUrl?: string;
  /** More `lgsp up` flags, e.g. `['--rate', '0.1', '--faults', 'tax-not-connected']`. */
  readonly args?: readonly string[];
  /** Keep the provinces' live workload running (default: off, so that only your own calls are counted). */
  readonly workload?: boolean;
  /** How long to wait for it to be ready (default 60 s). */
  readonly readyTimeoutMs?: number;
}

/** What `POST /admin/verify` answers. */
export interface Verification {
  readonly count: number;
  readonly ok?: boolean;
  readonly transactions: readonly string[];
  readonly nearMisses: readonly { tx: string; at: string; differences: readonly string[] }[];
}

export interface Simulator {
  /** The HTTP ingress: `/r1/…` and the real APIs (`/dvcqg/…`, `/token`, `/lgsp/…`, `/dancu/soap`). */
  readonly ingressUrl: string;
  /** The operator server: dashboard, `/api/…`, `/admin/…`, `/metrics`. */
  readonly operatorUrl: string;
  readonly home: string;
  /** A token for the admin API and the other changes on the operator server. */
  readonly operatorToken: string;
  /** A new bearer token of `system` for the ingress and the real APIs (password, client secret, ApiKey). */
  token(system: string): string;
  readonly admin: {
    /** Every fault rule and profile off; counting starts again. */
    reset(): Promise<void>;
    /** A fault on one service; returns the rule's id. */
    fault(rule: FaultRule): Promise<string>;
    /** How many transactions since the reset match, and the nearest misses. */
    verify(criteria: Record<string, unknown>): Promise<Verification>;
    /** A canned answer of a mocked system (or several: a recording); returns the ids. */
    stub(stubs: Stub | readonly Stub[]): Promise<string[]>;
    /** Starts recording what the mocks answer. */
    record(): Promise<void>;
    /** What was answered since `record()`, as stubs to give `stub()` later. */
    recorded(): Promise<Stub[]>;
  };
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const own = options.home === undefined;
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'lgsp-sim-'));
  const readyFile = join(home, 'ready.json');
  const operatorToken = issueToken(home, OPERATOR, 'startSimulator').token;
  const env: NodeJS.ProcessEnv = { ...process.env, LGSP_HOME: home };
  delete env.AMQP_URL;
  const child = spawn(process.execPath, [BIN, 'up', '--ingress-port', '0', '--operator-port', '0', '--ready-file', readyFile,
    ...(options.args?.includes('--contracts') ? [] : ['--contracts', CONTRACTS]), ...(options.workload ? [] : ['--no-workload']), ...(options.amqpUrl ? ['--amqp-url', options.amqpUrl] : []), ...(options.args ?? [])], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  let gone = false;
  void exited.then(() => (gone = true));

  const until = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (!existsSync(readyFile)) {
    if (gone || Date.now() > until) {
      child.kill('SIGKILL');
      if (own) rmSync(home, { recursive: true, force: true });
      throw new Error(`lgsp up ${gone ? 'exited' : 'was not ready in time'}${stderr ? `: ${stderr.trim()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const ready = JSON.parse(readFileSync(readyFile, 'utf8')) as { ingressUrl: string; operatorUrl: string };
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${ready.operatorUrl}${path}`, {
      method, headers: { Authorization: `Bearer ${operatorToken}`, 'Content-Type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) as unknown : undefined;
  };
  return {
    ingressUrl: ready.ingressUrl, operatorUrl: ready.operatorUrl, home, operatorToken,
    token: (system) => issueToken(home, system, 'startSimulator').token,
    admin: {
      reset: async () => void await admin('POST', '/admin/reset'),
      fault: async (rule) => ((await admin('POST', '/admin/faults', rule)) as { id: string }).id,
      verify: async (criteria) => (await admin('POST', '/admin/verify', criteria)) as Verification,
      stub: async (stubs) => {
        const many = Array.isArray(stubs);
        const added = await admin('POST', '/admin/stubs', many ? { stubs } : stubs);
        return many ? (added as { stubs: { id: string }[] }).stubs.map((s) => s.id) : [(added as { id: string }).id];
      },
      record: async () => void await admin('POST', '/admin/recordings'),
      recorded: async () => ((await admin('GET', '/admin/recordings')) as { stubs: Stub[] }).stubs,
    },
    async stop() {
      if (!gone) {
        child.kill('SIGINT');
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(killer);
      }
      if (own) rmSync(home, { recursive: true, force: true });
    },
  };
}
