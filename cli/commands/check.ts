/**
 * `lgsp check <system>`: the connection test a system must pass before go-live, rehearsed against
 * the simulator. Runs the gateway, its doors and every mocked system but the one under test (or
 * that one's mock too, with --mock), then the plan: provider checks, the client window with its
 * faults, scores and a verdict. Reports: JSON, JUnit XML and HTML, kept in LGSP_HOME/checks/ and
 * copied where asked. Exit 0 when every check passed, 1 when one failed, 2 when it could not run.
 */
import { copyFileSync } from 'node:fs';
import { GatewayClient } from '../../adapters/amqp/client.ts';
import { loadPlan, planFor, type CheckPlan } from '../../checker/plan.ts';
import type { CheckReport } from '../../checker/result.ts';
import { runCheck } from '../../checker/run.ts';
import { keepRun } from '../../checker/store.ts';
import { Traffic } from '../../checker/traffic.ts';
import { providesAnything } from '../../gateway/catalog/catalog.ts';
import { FaultController } from '../../mocks/faults.ts';
import { rehearsalOf } from '../../mocks/rehearsal.ts';
import { startSimulation } from '../../mocks/simulation.ts';
import { startGatewayStack, type StackOptions } from '../gateway-stack.ts';
import { writeReady } from '../ready.ts';
import { openRuntime, safeUrl, type CommonOptions } from '../runtime.ts';
import { LgspError } from '../../gateway/protocol/errors.ts';
import { registeredSystems } from '../../gateway/home/systems.ts';

export interface CheckCommandOptions extends CommonOptions {
  operatorPort: number | false;
  ingressPort: number | false;
  host: string;
  tls?: boolean;
  ratePerSecond: number;
  busRatePerSecond?: number;
  ingressConfig?: StackOptions['ingressConfig'];
  dvcqg?: StackOptions['dvcqg'];
  plan?: string;
  mock?: boolean;
  window?: number;
  /** How long to wait for the system under test to connect before the provider checks. */
  connectSeconds: number;
  seed: number;
  junit?: string;
  html?: string;
  json?: string;
  readyFile?: string;
}

/** Thrown when the check cannot run at all (exit 2). */
export class CheckSetupError extends LgspError {
  constructor(message: string) {
    super('CHECK_SETUP', message);
  }
}

export async function check(system: string, options: CheckCommandOptions): Promise<number> {
  const out = process.stdout;
  const rt = await openRuntime(options, true, 'home');
  const stops: Array<() => Promise<void> | void> = [() => rt.close()];
  try {
    if (!rt.catalog.systems.has(system)) throw new CheckSetupError(`${system} is not in the catalog: register it first (lgsp system add ${system} …)`);
    const plan: CheckPlan | undefined = options.plan ? loadPlan(options.plan, rt.catalog) : planFor(system, rt.catalog);
    if (!plan) throw new CheckSetupError(`no plan in plans/ is for ${system}: pass --plan <file>`);
    const faults = new FaultController();
    const traffic = new Traffic(system);
    const stack = await startGatewayStack(rt, {
      command: `check ${system}`, operatorPort: options.operatorPort, ingressPort: options.ingressPort, host: options.host, tls: options.tls,
      ratePerSecond: options.ratePerSecond, busRatePerSecond: options.busRatePerSecond, ingressConfig: options.ingressConfig, dvcqg: options.dvcqg,
      onRecord: (r) => traffic.record(r), journalTap: (tx, entries) => traffic.journal(tx, entries),
    });
    stops.push(() => stack.stop());
    const sim = await startSimulation({ catalog: rt.catalog, connect: (n, s) => rt.connect(n, s), key: (s) => rt.key(s), faults, logger: rt.log }, {
      seed: options.seed, citizens: 20_000, resultDelayMs: 1000, without: options.mock ? [] : [system],
    });
    stops.push(() => sim.stop());
    const clients = new Map<string, Promise<GatewayClient>>();
    const client = (as: string) => {
      if (!clients.has(as)) {
        clients.set(as, (async () => GatewayClient.connect({
          transport: await rt.connect(`check as ${as}`, as), system: as, key: await rt.key(as), keys: rt.catalog.keys, gateway: rt.catalog.gateway, instance: 'check',
        }))());
      }
      return clients.get(as)!;
    };
    stops.push(async () => {
      for (const c of clients.values()) await (await c).close();
    });

    out.write(`lgsp check ${system} — plan ${plan.plan} (${plan.file}), on ${rt.amqp ? `RabbitMQ ${rt.amqp}` : 'the embedded transport'}${options.mock ? ', against the simulator\'s own mock' : ''}\n`);
    if (stack.ingressUrl) out.write(`HTTP ingress and real APIs ${stack.ingressUrl}${stack.operatorUrl ? `; dashboard ${stack.operatorUrl}/` : ''}\n`);
    if (options.readyFile) {
      stops.push(writeReady(options.readyFile, {
        pid: process.pid, command: `check ${system}`, transport: rt.transportKind, amqp: rt.amqp, prefix: rt.prefix, ingressUrl: stack.ingressUrl, operatorUrl: stack.operatorUrl, home: rt.home,
      }));
    }
    if (!options.mock && providesAnything(rt.catalog, system)) {
      // A system registered with --provider-url provides through the door this process opens: no broker needed.
      const door = registeredSystems(rt.home).find((s) => s.id === system)?.providerUrl;
      if (!rt.amqp && !door) throw new CheckSetupError(`${system} provides services, and a provider joins the bus over RabbitMQ: pass --amqp-url, or register it with --provider-url to provide over HTTP (on the embedded transport only this process is on the bus; --mock checks the simulator's own mock)`);
      const transport = await rt.connect('check watch');
      const inbox = transport.names.inbox(system);
      out.write(door ? `waiting up to ${options.connectSeconds} s for ${system} to answer at ${door}…\n` : `waiting up to ${options.connectSeconds} s for ${system} to consume ${inbox}…\n`);
      const connected = await consumerWithin(() => transport.inspect(inbox), options.connectSeconds * 1000);
      if (!connected) throw new CheckSetupError(`${system} did not connect within ${options.connectSeconds} s: nobody consumes ${inbox} (--connect-seconds to wait longer)`);
    }
    const report = await runCheck({
      catalog: rt.catalog, faults, traffic, client, mock: Boolean(options.mock), transport: rt.amqp ? `RabbitMQ ${safeUrl(rt.amqp)}` : 'embedded transport',
      rehearse: options.mock ? ((rehearse) => rehearse && ((s) => rehearse(s.rehearsal)))(rehearsalOf(sim, system)) : undefined,
      say: (line) => out.write(`${line}\n`),
    }, { system, plan, windowSeconds: options.window });
    const kept = keepRun(rt.home, report);
    for (const [wanted, from] of [[options.json, kept.json], [options.junit, kept.junit], [options.html, kept.html]] as const) if (wanted) copyFileSync(from, wanted);
    out.write(summaryOf(report));
    out.write(`reports: ${kept.html}\n         ${kept.junit}\n         ${kept.json}\n`);
    return report.verdict === 'passed' ? 0 : 1;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

/** Polls the inbox (every 200 ms, for at most `ms`) until a consumer is on it. */
async function consumerWithin(inspect: () => Promise<{ consumers: number } | undefined>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (((await inspect())?.consumers ?? 0) > 0) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The terminal's summary: each service's score, each finding, the verdict. */
export function summaryOf(report: CheckReport): string {
  const lines = ['', 'score per service:'];
  for (const [service, s] of Object.entries(report.services)) lines.push(`  ${s.percent === 100 ? '✓' : '✗'} ${service.padEnd(58)} ${`${s.passed}/${s.total}`.padStart(7)}  ${s.percent} %`);
  const failed = report.checks.filter((c) => c.status === 'failed');
  if (failed.length > 0) lines.push('', 'findings:');
  for (const c of failed) {
    lines.push(`  ✗ [${c.part}] ${c.name}`, `      ${c.finding!.message}`, ...c.finding!.details.map((d) => `        ${d}`), `      fix: ${c.finding!.fix}`);
  }
  lines.push('', `${report.verdict === 'passed' ? 'PASSED' : 'FAILED'}: ${report.score.passed} of ${report.score.total} checks, score ${report.score.percent} %`, '');
  return lines.join('\n');
}
