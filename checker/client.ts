/**
 * The system as a client: from everything it sent and was sent in the window (Traffic), whether
 * it made each interaction of the plan's scenarios correctly and in order for one case (the
 * messages sharing an `issue`, a dossier code), whether every call it made was accepted, whether
 * anything that must be unique was, and how it reacted to each injected fault.
 */
import { isClientFault, isGatewayErrorType } from '../gateway/protocol/errors.ts';
import type { ActiveRule } from '../mocks/faults.ts';
import { serviceOf, type CheckPlan, type PlanFault, type PlanMessage, type PlanScenario, type PlanStep } from './plan.ts';
import type { CheckResult, Finding } from './result.ts';
import type { Seen } from './traffic.ts';

const NO_ISSUE = '';

/** The body and each item of its `data` list, where a real API batches several dossiers. */
const partsOf = (body: Record<string, unknown> | undefined): Record<string, unknown>[] => [
  ...(body ? [body] : []),
  ...(Array.isArray(body?.data) ? body.data.filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null) : []),
];

/** The cases a message belongs to: its issue, else the case fields found in its body (a batch: each of its dossiers). */
function casesOf(s: Seen, fields: readonly string[]): string[] {
  if (s.record.issue) return [s.record.issue];
  const found = partsOf(s.body).map((part) => fields.map((f) => part[f]).find((v) => typeof v === 'string')).filter((v): v is string => v !== undefined);
  return found.length > 0 ? [...new Set(found)] : [NO_ISSUE];
}

function messageMatches(m: PlanMessage, system: string, s: Seen): boolean {
  if (s.record.service !== serviceOf(m.service, system)) return false;
  const where = Object.entries(m.where ?? {});
  return where.length === 0 || partsOf(s.body).some((part) => where.every(([field, values]) => values.includes(part[field] as string)));
}

function matches(step: PlanStep, system: string, s: Seen): boolean {
  return [step, ...(step.or ?? [])].some((m) => messageMatches(m, system, s));
}

const accepted = (s: Seen) => s.record.outcome === 'ok';

const refusalText = (s: Seen) => [
  `${s.record.outcome}${s.refusal ? `: ${s.refusal.message}` : ''} (transaction ${s.record.tx})`,
  ...(s.refusal?.violations ?? []).map((v) => `${v.pointer}: ${v.message}`),
];

interface Walk { found: Array<Seen | undefined>; count: number }

/** Steps found in order in one case's messages; a missing step does not hide the ones after it. */
function walk(scenario: PlanScenario, system: string, messages: readonly Seen[]): Walk {
  let from = 0;
  const found = scenario.steps.map((step) => {
    const i = messages.findIndex((m, j) => j >= from && accepted(m) && matches(step, system, m));
    if (i < 0) return undefined;
    from = i + 1;
    return messages[i];
  });
  return { found, count: found.filter(Boolean).length };
}

function stepFinding(scenario: PlanScenario, k: number, system: string, issue: string, messages: readonly Seen[], w: Walk): Finding {
  const step = scenario.steps[k]!;
  // Named as the system makes it: through the door its other messages of the case came by, if any.
  const door = (step.or ?? []).find((alt) => messages.some((m) => m.record.service === serviceOf(alt.service, system)));
  const service = serviceOf(door?.service ?? step.service, system);
  const where = door ? door.where : step.where;
  const what = `${service}${where ? ` with ${Object.entries(where).map(([f, v]) => `${f} ${v.join(' or ')}`).join(', ')}` : ''}`;
  const before = scenario.steps.slice(0, k).map((s, i) => (w.found[i] ? s.name : undefined)).filter(Boolean).at(-1);
  const previous = w.found.slice(0, k).filter(Boolean).at(-1);
  const made = messages.filter((m) => matches(step, system, m));
  const refused = made.filter((m) => !accepted(m));
  const forCase = issue === NO_ISSUE ? 'for any case' : `for case ${issue}`;
  if (refused.length > 0 && !made.some(accepted)) {
    return { message: `${step.name}: made ${forCase}, but the gateway refused it`, details: refused.flatMap(refusalText), fix: 'correct the fields named above; the transaction page on the dashboard shows the message as sent' };
  }
  // Out of order only for a message no earlier step took: an earlier progress report that stood for
  // another step (any report counts at the adapter's door) is not this step made too early.
  if (previous && made.some((m) => accepted(m) && !w.found.includes(m) && m.record.requestIn <= previous.record.requestIn)) {
    return { message: `${step.name}: made ${forCase}, but before "${before}" (out of order)`, details: [`expected ${what} after "${before}"`], fix: `make it after "${before}", as the plan orders` };
  }
  const none = issue === NO_ISSUE && messages.length > 0
    ? ['the system\'s messages carry no issue: put the dossier code in each message\'s issue (X-Road-Issue) so that one case\'s messages can be told apart']
    : [];
  return { message: `${step.name}: not made ${forCase}${before ? ` after "${before}"` : ''} within the window`, details: [`expected ${what}`, ...none], fix: `make the system send ${service}${where ? ` (${Object.entries(where).map(([f, v]) => `${f}: ${v[0]}`).join(', ')})` : ''} for each dossier` };
}

function scenarioChecks(scenario: PlanScenario, system: string, seen: readonly Seen[], fields: readonly string[]): CheckResult[] {
  const cases = new Map<string, Seen[]>();
  for (const s of seen) for (const c of casesOf(s, fields)) cases.set(c, [...(cases.get(c) ?? []), s]);
  let best: { issue: string; messages: Seen[]; w: Walk } = { issue: NO_ISSUE, messages: [], w: { found: scenario.steps.map(() => undefined), count: 0 } };
  for (const [issue, messages] of cases) {
    const w = walk(scenario, system, messages);
    if (w.count > best.w.count) best = { issue, messages, w };
  }
  return scenario.steps.map((step, k) => {
    const found = best.w.found[k];
    const base = { id: `client/${scenario.name}/${step.name}`, part: 'client' as const, service: serviceOf(step.service, system), name: `${scenario.name}: ${step.name}`, durationMs: 0 };
    // A step made through another door counts for the service it came on.
    return found
      ? { ...base, service: found.record.service ?? base.service, status: 'passed' as const, tx: found.record.tx }
      : { ...base, status: 'failed' as const, finding: stepFinding(scenario, k, system, best.issue, best.messages, best.w) };
  });
}

/** One check per service the system called: every call accepted by the gateway. */
function callChecks(system: string, seen: readonly Seen[]): CheckResult[] {
  const calls = seen.filter((s) => s.record.client === system);
  const services = [...new Set(calls.map((s) => s.record.service ?? '(no service)'))].sort();
  return services.map((service) => {
    const mine = calls.filter((s) => (s.record.service ?? '(no service)') === service);
    const refused = mine.filter((s) => isGatewayErrorType(s.record.outcome) && isClientFault(s.record.outcome));
    const base = { id: `client/calls/${service}`, part: 'client' as const, service, name: `every call to ${service} made correctly (${mine.length})`, durationMs: 0 };
    if (refused.length === 0) return { ...base, status: 'passed' as const };
    return {
      ...base, status: 'failed' as const, tx: refused[0]!.record.tx,
      finding: { message: `${refused.length} of ${mine.length} calls refused by the gateway`, details: refused.slice(0, 20).flatMap(refusalText), fix: 'correct what each refusal names; the contract is in contracts/ (lgsp contracts export shows them all)' },
    };
  });
}

function uniqueChecks(plan: CheckPlan, system: string, seen: readonly Seen[]): CheckResult[] {
  return (plan.client?.unique ?? []).map((u) => {
    const service = serviceOf(u.service, system);
    const counts = new Map<string, number>();
    for (const s of seen) {
      if (s.record.client !== system || s.record.service !== service || !accepted(s)) continue;
      const value = JSON.stringify(s.body?.[u.field] ?? null);
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    const twice = [...counts].filter(([, n]) => n > 1);
    const base = { id: `client/unique/${u.name}`, part: 'client' as const, service, name: u.name, durationMs: 0 };
    if (twice.length === 0) return { ...base, status: 'passed' as const };
    return { ...base, status: 'failed' as const, finding: { message: `${twice.length} ${u.field} sent more than once to ${service}`, details: twice.map(([v, n]) => `${u.field} ${v}: ${n} times`), fix: `send ${service} once per ${u.field}; a retry after a fault must not make a second one` } };
  });
}

/**
 * The calls a fault struck: of the system's calls on the service that reached its provider, in
 * order, those that got the injected answer — as many as the rule says it affected. The rule
 * counts the calls its mock took, which may include one the system made just before the check
 * began; so struck calls are told by their answer, not by their place. Rules on one service with
 * the same injection share them in the order of their `after`.
 */
function hitBy(fault: PlanFault, system: string, seen: readonly Seen[], rules: ReadonlyMap<PlanFault, ActiveRule | undefined>): Seen[] {
  const sameInjection = (f: PlanFault) => f.service === fault.service && f.inject.error === fault.inject.error && Boolean(f.inject.outage) === Boolean(fault.inject.outage);
  const struck = (s: Seen) => (fault.inject.error ? s.record.businessError === fault.inject.error : fault.inject.outage ? s.record.outcome === 'server.provider_timeout' : false);
  const calls = seen.filter((s) => s.record.client === system && s.record.service === fault.service && (s.record.outcome === 'ok' || s.record.outcome === 'server.provider_timeout') && struck(s));
  const before = [...rules].filter(([f]) => f !== fault && sameInjection(f) && (f.inject.after ?? 0) < (fault.inject.after ?? 0)).reduce((n, [, r]) => n + (r?.affected ?? 0), 0);
  return calls.slice(before, before + (rules.get(fault)?.affected ?? 0));
}

function faultChecks(plan: CheckPlan, system: string, seen: readonly Seen[], rules: ReadonlyMap<PlanFault, ActiveRule | undefined>): CheckResult[] {
  const issueOf = (s: Seen) => casesOf(s, plan.client?.caseFields ?? [])[0]!;
  return (plan.client?.faults ?? []).map((fault) => {
    const rule = rules.get(fault);
    const base = { id: `fault/${fault.name}`, part: 'fault' as const, service: fault.service, name: fault.name, durationMs: 0 };
    const calls = seen.filter((s) => s.record.client === system && s.record.service === fault.service).length;
    const hit = hitBy(fault, system, seen, rules);
    if (!rule || rule.affected === 0 || hit.length === 0) {
      return { ...base, status: 'failed' as const, finding: { message: `the fault never struck: the system called ${fault.service} ${calls} times`, details: [`it strikes call ${(fault.inject.after ?? 0) + 1}`], fix: 'run more cases in the window so that the call the fault strikes is made' } };
    }
    const what = fault.inject.error ?? (fault.inject.outage ? 'no answer' : 'latency');
    const at = (h: Seen) => new Date(h.record.requestIn).toISOString();
    if ('report' in fault.expect) {
      const { report, reportWithinSeconds } = fault.expect;
      const cases = [...new Map(hit.map((h) => [issueOf(h), h])).values()];
      const missed = cases.filter((h) => !seen.some((s) => s.record.client === system && accepted(s) && matches(report, system, s)
        && s.record.requestIn > h.record.requestIn && s.record.requestIn - h.record.requestIn <= reportWithinSeconds * 1000 && issueOf(s) === issueOf(h)));
      if (missed.length === 0) return { ...base, status: 'passed' as const, tx: hit[0]!.record.tx };
      const service = serviceOf(report.service, system);
      return {
        ...base, status: 'failed' as const, tx: missed[0]!.record.tx,
        finding: {
          message: `no ${report.name} within ${reportWithinSeconds} s after the injected ${what}`,
          details: missed.map((h) => `case ${issueOf(h) || '(no issue)'}: ${fault.service} answered ${what} at ${at(h)}; expected ${service}${report.where ? ` with ${Object.entries(report.where).map(([f, v]) => `${f} ${v.join(' or ')}`).join(', ')}` : ''} for it`),
          fix: `when ${fault.service} stays unavailable, tell the officer: send ${service} for the dossier`,
        },
      };
    }
    const within = fault.expect.retryWithinSeconds * 1000;
    const missed = hit.filter((h) => !seen.some((s) => s.record.client === system && s.record.service === fault.service && accepted(s) && s.record.businessError === null
      && s.record.requestIn > h.record.requestIn && s.record.requestIn - h.record.requestIn <= within && issueOf(s) === issueOf(h)));
    if (missed.length === 0) return { ...base, status: 'passed' as const, tx: hit[0]!.record.tx };
    return {
      ...base, status: 'failed' as const, tx: missed[0]!.record.tx,
      finding: {
        message: `no retry within ${fault.expect.retryWithinSeconds} s after the injected ${what}`,
        details: missed.map((h) => `case ${issueOf(h) || '(no issue)'}: ${fault.service} answered ${what} at ${at(h)}, not asked again`),
        fix: `after ${what}, ask ${fault.service} again (a new message, the same issue) after a pause, a bounded number of times`,
      },
    };
  });
}

/** Every client check of the plan over what was seen. */
export function clientChecks(plan: CheckPlan, system: string, seen: readonly Seen[], rules: ReadonlyMap<PlanFault, ActiveRule | undefined>): CheckResult[] {
  if (!plan.client) return [];
  return [
    ...plan.client.scenarios.flatMap((s) => scenarioChecks(s, system, seen, plan.client!.caseFields)),
    ...callChecks(system, seen),
    ...uniqueChecks(plan, system, seen),
    ...faultChecks(plan, system, seen, rules),
  ];
}
