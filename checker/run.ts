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
  say(`provider checks: every service ${system} provides`);
  const checks = await providerChecks(env, system, plan);
  if (plan.client && callsAnything(env.catalog, system)) {
    const window = (options.windowSeconds ?? plan.client.windowSeconds) * 1000;
    const ruleIds = new Map<PlanFault, string>(plan.client.faults.map((f) => [f, env.faults.addRule({ ...f.inject, service: f.service, client: system })]));
    const since = Date.now();
    const done = () => clientChecks(plan, system, env.traffic.all().filter((s) => s.record.requestIn >= since), activeRules(env, ruleIds)).every((c) => c.status === 'passed');
    say(`client checks: waiting up to ${window / 1000} s for ${system} to make ${plan.client.scenarios.map((s) => `"${s.name}"`).join(', ')}`);
    try {
      const rehearsal = env.rehearse ? rehearseAll(env, plan.client.scenarios) : undefined;
      await env.traffic.until(done, window);
      await rehearsal;
      checks.push(...clientChecks(plan, system, env.traffic.all().filter((s) => s.record.requestIn >= since), activeRules(env, ruleIds)));
    } finally {
      for (const id of ruleIds.values()) env.faults.removeRule(id);
    }
  }
  return reportOf({
    system, plan: { name: plan.plan, file: plan.file, title: plan.title }, startedAt, finishedAt: new Date().toISOString(), checks,
    environment: { transport: env.transport, mock: env.mock },
  });
}

function activeRules(env: CheckEnv, ids: ReadonlyMap<PlanFault, string>) {
  const rules = env.faults.activeRules();
  return new Map([...ids].map(([fault, id]) => [fault, rules.find((r) => r.id === id)]));
}

async function rehearseAll(env: CheckEnv, scenarios: readonly PlanScenario[]): Promise<void> {
  for (const s of scenarios) await env.rehearse!(s);
}
