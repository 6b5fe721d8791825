/**
 * One conformance run of one system against a plan: the provider checks, then the client window
 * (faults injected into the system's own traffic, a mock under test rehearsing its scenarios),
 * then the scores and the verdict.
 */
import type { GatewayClient } from '../adapters/amqp/client.ts';
import type { Catalog } from '../gateway/catalog/catalog.ts';
import { callsAnything } from '../gateway/catalog/catalog.ts';
import type { FaultController } from '../mocks/faults.ts';
import { clientChecks } from './client.ts';
import type { CheckPlan, PlanFault, PlanScenario } from './plan.ts';
import { providerChecks } from './provider.ts';
import { reportOf, type CheckReport } from './result.ts';
import type { Traffic } from './traffic.ts';

export interface CheckEnv {
  readonly catalog: Catalog;
  readonly faults: FaultController;
  /** The system's traffic, fed by the gateway's records and journal. */
  readonly traffic: Traffic;
  /** A client on the bus signing as `system` (the checker acts as any other system). */
  client(system: string): Promise<GatewayClient>;
  /** True when the system under test is the simulator's own mock of it. */
  readonly mock: boolean;
  /** With a mock under test that acts as a client: makes it run a scenario's rehearsal (the dossiers it names). */
  rehearse?(scenario: PlanScenario): Promise<void>;
  /** Progress for a person watching. */
  say?(line: string): void;
  /** The transport's name for the report. */
  readonly transport: string;
}

export interface CheckOptions {
  readonly system: string;
  readonly plan: CheckPlan;
  /** Overrides the plan's client window (seconds). */
  readonly windowSeconds?: number;
}

/**
 * Runs the plan against `options.system` and returns the report.
 * @example const report = await runCheck(env, { system: 'VN/GOV/BCA/DANCU', plan });
 */
export async function runCheck(env: CheckEnv, options: CheckOptions): Promise<CheckReport> {
  const { system, plan } = options;
  const say = env.say ?? (() => {});
  const startedAt = new Date().toISOString();
  // The system may act as a client from the moment it connects, during the provider checks too:
  // its traffic counts from the start, and the faults strike its calls from the start.
  const client = plan.client && callsAnything(env.catalog, system) ? plan.client : undefined;
  const since = Date.now();
  const ruleIds = new Map<PlanFault, string>((client?.faults ?? []).map((f) => [f, env.faults.addRule({ ...f.inject, service: f.service, client: system })]));
  try {
    say(`provider checks: every service ${system} provides`);
    const checks = await providerChecks(env, system, plan);
    if (client) checks.push(...await clientWindow(env, options, client, since, ruleIds));
    return reportOf({
      system, plan: { name: plan.plan, file: plan.file, title: plan.title }, startedAt, finishedAt: new Date().toISOString(), checks,
      environment: { transport: env.transport, mock: env.mock },
    });
  } finally {
    for (const id of ruleIds.values()) env.faults.removeRule(id);
  }
}

/** Waits (with a mock under test, rehearsing) until every client check holds or the window ends; then the client checks. */
async function clientWindow(env: CheckEnv, options: CheckOptions, client: NonNullable<CheckPlan['client']>, since: number, ruleIds: ReadonlyMap<PlanFault, string>) {
  const { system, plan } = options;
  const say = env.say ?? (() => {});
  const window = (options.windowSeconds ?? client.windowSeconds) * 1000;
  const checksNow = () => clientChecks(plan, system, env.traffic.all().filter((s) => s.record.requestIn >= since), activeRules(env, ruleIds));
  say(`client checks: waiting up to ${window / 1000} s for ${system} to make ${client.scenarios.map((s) => `"${s.name}"`).join(', ')}`);
  const rehearsal = env.rehearse ? rehearseAll(env, client.scenarios) : undefined;
  await env.traffic.until(() => checksNow().every((c) => c.status === 'passed'), window);
  await rehearsal;
  return checksNow();
}

function activeRules(env: CheckEnv, ids: ReadonlyMap<PlanFault, string>) {
  const rules = env.faults.activeRules();
  return new Map([...ids].map(([fault, id]) => [fault, rules.find((r) => r.id === id)]));
}

async function rehearseAll(env: CheckEnv, scenarios: readonly PlanScenario[]): Promise<void> {
  for (const s of scenarios) await env.rehearse!(s);
}
