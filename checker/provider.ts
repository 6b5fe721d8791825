/**
 * The system as a provider: the checker calls each service it provides, as a system allowed to,
 * through the gateway — every contract example, then the generated cases — and judges each answer
 * by what the gateway found checking it (signature and key owner, binding, response contract,
 * declared business errors, the contract's timeout), with the exact reason from the journal.
 */
import type { GatewayClient } from '../adapters/amqp/client.ts';
import type { Catalog, ContractExample, ServiceEntry } from '../gateway/catalog/catalog.ts';
import type { ErrorBody } from '../gateway/protocol/errors.ts';
import { generatedCases, type GeneratedCase } from './generate.ts';
import type { CheckPlan } from './plan.ts';
import type { CheckResult, Finding } from './result.ts';
import type { Traffic } from './traffic.ts';

export interface ProviderCheckDeps {
  readonly catalog: Catalog;
  readonly traffic: Traffic;
  /** A client on the bus signing as `system`. */
  client(system: string): Promise<GatewayClient>;
}

/** What a case expects: the example's business error, an answer, or (generated) either. */
type Expect = { error: string } | 'answer' | 'answer-or-declared';

interface Case {
  readonly id: string;
  readonly name: string;
  readonly request: Record<string, unknown>;
  readonly userId?: string;
  readonly expect: Expect;
}

/** The services `system` provides, in catalog order. */
export function providedBy(catalog: Catalog, system: string): ServiceEntry[] {
  return [...catalog.services.values()].filter((s) => s.provider === system);
}

/** A catalog system other than `system` with an access right to `service` (the checker calls as it). */
export function callerOf(catalog: Catalog, service: ServiceEntry, system: string): string | undefined {
  return [...catalog.systems.keys()].find((s) => s !== system && catalog.canAccess(s, service.id));
}

function casesOf(service: ServiceEntry, plan: CheckPlan): Case[] {
  const fromExample = (e: ContractExample): Case => ({
    id: `provider/${service.id}/example/${e.name}`, name: `example: ${e.name}`, request: e.request, userId: e.userId,
    expect: e.error ? { error: e.error } : 'answer',
  });
  const generated = (g: GeneratedCase): Case => ({
    id: `provider/${service.id}/generated/${g.name}`, name: `generated: ${g.name}`, request: g.request, userId: g.userId, expect: 'answer-or-declared',
  });
  return [
    ...(plan.provider.examples ? service.contract.examples.valid.map(fromExample) : []),
    ...(plan.provider.generated ? generatedCases(service).map(generated) : []),
  ];
}

/** Runs every provider check of `system`, one service after another. */
export async function providerChecks(deps: ProviderCheckDeps, system: string, plan: CheckPlan): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const service of providedBy(deps.catalog, system)) {
    const caller = callerOf(deps.catalog, service, system);
    for (const c of casesOf(service, plan)) {
      const started = Date.now();
      const base = { id: c.id, part: 'provider' as const, service: service.id, name: c.name };
      if (!caller) {
        results.push({ ...base, status: 'failed', durationMs: 0, finding: { message: `no system in the catalog may call ${service.id}`, details: [], fix: 'give a client an access right to it in contracts/catalog.yaml' } });
        continue;
      }
      const outcome = await runCase(deps, await deps.client(caller), service, c);
      results.push({ ...base, durationMs: Date.now() - started, ...outcome });
    }
  }
  return results;
}

type Outcome = Pick<CheckResult, 'status' | 'tx' | 'finding'>;

async function runCase(deps: ProviderCheckDeps, client: GatewayClient, service: ServiceEntry, c: Case): Promise<Outcome> {
  const options = { ...((c.userId ?? service.contract.personalData) && { userId: c.userId ?? 'CHECK-OFFICER' }) };
  if (service.mode === 'event') {
    const sent = await client.sendEvent(service.id, c.request, options);
    const seen = await deps.traffic.until(() => deps.traffic.all().some((s) => s.record.messageId === sent.id), service.timeoutMs);
    const record = deps.traffic.all().find((s) => s.record.messageId === sent.id)?.record;
    if (!seen || !record) return { status: 'failed', finding: { message: `the event was not recorded within ${service.timeoutMs} ms`, details: [], fix: 'is the gateway running and the system connected?' } };
    if (record.outcome === 'ok') return { status: 'passed', tx: record.tx };
    return { status: 'failed', tx: record.tx, finding: { message: `the event was not delivered: ${record.outcome}`, details: [], fix: fixFor(record.outcome, service) } };
  }
  const reply = await client.request(service.id, c.request, options);
  const tx = reply.tx;
  if (reply.status === 'ok') {
    if (typeof c.expect === 'object') {
      return { status: 'failed', tx, finding: { message: `answered where the contract's example expects the business error ${c.expect.error}`, details: [], fix: `answer ${c.expect.error} for this request (the example is in ${service.contract.file})` } };
    }
    return { status: 'passed', tx };
  }
  if (reply.signedBy === 'provider') {
    if (typeof c.expect === 'object' && c.expect.error === reply.error.type) return { status: 'passed', tx };
    if (c.expect === 'answer-or-declared') return { status: 'passed', tx };
    const wanted = typeof c.expect === 'object' ? `the business error ${c.expect.error}` : 'an answer';
    return {
      status: 'failed', tx,
      finding: { message: `answered the business error ${reply.error.type} where the contract's example expects ${wanted}`, details: [reply.error.message], fix: `the example's data must be in your system: ${service.contract.file}` },
    };
  }
  return { status: 'failed', tx, finding: await gatewayFinding(deps, service, reply.error, tx) };
}

/** A gateway error answered instead of the provider's reply, with what the journal says about it. */
async function gatewayFinding(deps: ProviderCheckDeps, service: ServiceEntry, error: ErrorBody, tx: string | undefined): Promise<Finding> {
  // The journal is written as the transaction ends, just after its answer went out.
  if (tx) await deps.traffic.until(() => deps.traffic.get(tx)?.refusal !== undefined, 2000);
  const seen = tx ? deps.traffic.get(tx) : undefined;
  const details = [
    ...(error.violations ?? []).map((v) => `${v.pointer}: ${v.message}`),
    ...(seen?.setAside ? [seen.setAside] : []),
  ];
  return { message: `${error.type}: ${error.message}`, details, fix: fixFor(error.type, service) };
}

const FIXES: Record<string, (s: ServiceEntry) => string> = {
  'server.provider_timeout': (s) => `answer within ${s.timeoutMs} ms (the contract's timeout), to the reply queue the request names, with its correlation id`,
  'server.provider_bad_signature': (s) => `sign each reply with a key registered for ${s.provider} (lgsp keys register ${s.provider} <jwk>), and bind it to the request (inReplyTo, requestHash)`,
  'server.provider_contract_violation': (s) => `make the reply match the response schema, or answer a business error ${s.contract.file} declares`,
  'server.provider_unavailable': (s) => `connect ${s.provider} and consume its inbox before the check starts`,
};

function fixFor(type: string, service: ServiceEntry): string {
  return FIXES[type]?.(service) ?? 'see the transaction on the dashboard for each step the gateway took';
}
