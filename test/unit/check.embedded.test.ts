/**
 * `lgsp check` over the embedded transport: every mock as the system under test passes with 100 %,
 * and a province written in the test, broken one way at a time, fails with exactly the findings
 * its break causes — the same in the JSON report, the JUnit XML and the HTML page.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlan, planFor, type CheckPlan } from '../../checker/plan.ts';
import { htmlReport } from '../../checker/reports/html.ts';
import { junitXml } from '../../checker/reports/junit.ts';
import type { CheckReport } from '../../checker/result.ts';
import { runCheck, type CheckEnv } from '../../checker/run.ts';
import { Traffic } from '../../checker/traffic.ts';
import { MemoryJournal, tappedJournal } from '../../gateway/ledger/journal.ts';
import { NATIONAL_SYSTEMS } from '../../mocks/national/systems.ts';
import { rehearsalOf } from '../../mocks/rehearsal.ts';
import { embeddedBroker, type BrokerHandle } from '../helpers/broker.ts';
import { CAOBANG } from '../helpers/bus.ts';
import { realCatalog, startSimulationBus, type SimulationBus } from '../helpers/simulation-bus.ts';
import { startTestProvince, type Breaks } from '../helpers/test-province.ts';

const { catalog } = await realCatalog();
const PROVINCE_PLAN = planFor(CAOBANG, catalog)!;
const SCENARIO = 'a judicial record certificate dossier, from reception to completion';
const RECEIVE = `${CAOBANG}/dossier.receive/v1`;

/** A bus whose every record and journal entry reach the traffic of the check running now. */
async function checkBus(broker: BrokerHandle, without: readonly string[]) {
  let traffic = new Traffic('');
  const journal = tappedJournal(new MemoryJournal(), (tx, entries) => traffic.journal(tx, entries));
  const bus = await startSimulationBus(broker, { without, journal, onRecord: (r) => traffic.record(r), resultDelayMs: 300 });
  const envFor = (system: string, extra: Partial<CheckEnv> = {}): CheckEnv => {
    traffic = new Traffic(system);
    return { catalog: bus.catalog, faults: bus.faults, traffic, client: (s) => bus.client(s), mock: false, transport: 'embedded transport', ...extra };
  };
  return { bus, envFor };
}

/** The failed checks' ids as each report format has them. */
function failedIn(report: CheckReport) {
  const json = report.checks.filter((c) => c.status === 'failed').map((c) => c.id).sort();
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(junitXml(report)) as { testsuites: { testsuite: unknown } };
  const suites = [xml.testsuites.testsuite].flat() as Array<{ name: string; testcase: unknown }>;
  const cases = suites.flatMap((s) => [s.testcase].flat() as Array<{ name: string; classname: string; failure?: { message: string } }>);
  const junit = cases.filter((c) => c.failure).map((c) => report.checks.find((k) => k.name === c.name && k.service === c.classname)!.id).sort();
  const html = [...htmlReport(report).matchAll(/<section class="finding" id="([^"]+)">/g)].map((m) => m[1]!.replaceAll('&#39;', "'").replaceAll('&#34;', '"').replaceAll('&#38;', '&')).sort();
  return { json, junit, html };
}

function expectFindings(report: CheckReport, expected: readonly string[]) {
  const { json, junit, html } = failedIn(report);
  expect(json).toEqual([...expected].sort());
  expect(junit).toEqual(json);
  expect(html).toEqual(json);
  expect(report.verdict).toBe('failed');
}

describe('lgsp check against every mock', { timeout: 60_000 }, () => {
  let bus: SimulationBus;
  let envFor: (system: string, extra?: Partial<CheckEnv>) => CheckEnv;
  beforeAll(async () => ({ bus, envFor } = await checkBus(embeddedBroker(), [])));
  afterAll(() => bus?.stop());

  it.each([...NATIONAL_SYSTEMS, 'VN/PROV/CAOBANG/MOTCUA', 'VN/PROV/CAMAU/MOTCUA'])('%s passes its plan with a score of 100', async (system) => {
    const plan = planFor(system, catalog)!;
    const rehearse = rehearsalOf(bus.sim, system);
    const report = await runCheck(envFor(system, { mock: true, rehearse: rehearse && ((s) => rehearse(s.rehearsal)) }), { system, plan, windowSeconds: 30 });
    expect(report.checks.filter((c) => c.status === 'failed').map((c) => `${c.id}: ${c.finding?.message} ${c.finding?.details.join('; ')}`)).toEqual([]);
    expect(report.score.percent).toBe(100);
    expect(report.verdict).toBe('passed');
    expect(report.checks.length).toBeGreaterThan(0);
    if (plan.client) expect(report.checks.some((c) => c.part === 'fault')).toBe(true);
  });
});

describe('lgsp check against a province written in the test', { timeout: 60_000 }, () => {
  const broker = embeddedBroker();
  let bus: SimulationBus;
  let envFor: (system: string, extra?: Partial<CheckEnv>) => CheckEnv;
  beforeAll(async () => ({ bus, envFor } = await checkBus(broker, [CAOBANG])));
  afterAll(() => bus?.stop());

  /** Three dossiers strike each fault of the plan once: the second's first verify, the third's every verify, the first judicial record request. */
  async function checkProvince(breaks: Breaks, plan: CheckPlan = PROVINCE_PLAN, windowSeconds = 20, dossiers = 3): Promise<CheckReport> {
    const province = await startTestProvince(bus, broker, breaks);
    try {
      return await runCheck(envFor(CAOBANG, { rehearse: () => province.run(dossiers) }), { system: CAOBANG, plan, windowSeconds });
    } finally {
      await province.stop();
    }
  }

  it('passes with 100 % when nothing is broken', async () => {
    const report = await checkProvince({});
    expect(report.checks.filter((c) => c.status === 'failed').map((c) => `${c.id}: ${c.finding?.message}`)).toEqual([]);
    expect(report.verdict).toBe('passed');
  });

  it('a reply with a wrong field: each dossier.receive answered fails, naming /body/status', async () => {
    const report = await checkProvince({ wrongField: true });
    const answered = report.checks.filter((c) => c.service === RECEIVE && !c.name.includes('does not offer'));
    expect(answered.length).toBeGreaterThanOrEqual(3);
    expectFindings(report, answered.map((c) => c.id));
    for (const c of answered) {
      expect(c.finding!.message).toMatch(/^server\.provider_contract_violation/);
      expect(c.finding!.details.join('\n')).toContain('/body/status');
    }
  });

  it('a reply signed with a key the catalog does not know: each request fails as not signed by the province', async () => {
    const plan = loadPlan(planFile({ ...PROVINCE_PLAN, provider: { examples: true, generated: false } }), catalog);
    const report = await checkProvince({ wrongKey: true }, plan);
    const requests = report.checks.filter((c) => c.service === RECEIVE);
    expect(requests).toHaveLength(2);
    expectFindings(report, requests.map((c) => c.id));
    for (const c of requests) {
      expect(c.finding!.message).toMatch(/^server\.provider_bad_signature/);
      expect(c.finding!.details.join('\n')).toContain('not-registered');
    }
  });

  it('a missing progress step: exactly that step fails', async () => {
    const report = await checkProvince({ skipProcessing: true }, PROVINCE_PLAN, 4);
    expectFindings(report, [`client/${SCENARIO}/report it in processing`]);
    expect(report.checks.find((c) => c.status === 'failed')!.finding!.message).toMatch(/not made for case 000\.00\.04\.H04-251124-\d{4} after "synchronise the dossier to the national portal"/);
  });

  it('no retry after the injected fault: exactly the fault check fails', async () => {
    const report = await checkProvince({ noRetry: true }, PROVINCE_PLAN, 4, 4); // without retries, the fourth dossier's verify is the one the lasting outage strikes
    expectFindings(report, ["fault/the population database is unavailable on the system's second call"]);
    expect(report.checks.find((c) => c.status === 'failed')!.finding!.details[0]).toMatch(/case 000\.00\.04\.H04-251124-\d{4}: .*citizen\.verify\/v1 answered database\.unavailable/);
  });

  it('no status to the officer when the population database stays unavailable: exactly that fault check fails', async () => {
    const report = await checkProvince({ silent: true }, PROVINCE_PLAN, 4);
    expectFindings(report, ['fault/the population database stays unavailable for a dossier, and the officer is told']);
    expect(report.checks.find((c) => c.status === 'failed')!.finding!.details[0]).toMatch(/expected VN\/GOV\/VPCP\/DVCQG\/dossier\.progress\/v1 with status supplement_required for it/);
  });

  it('a message with a wrong field: the step and the calls to that service fail, naming /body/channel', async () => {
    const report = await checkProvince({ badChannel: true }, PROVINCE_PLAN, 4);
    expectFindings(report, [`client/${SCENARIO}/synchronise the dossier to the national portal`, 'client/calls/VN/GOV/VPCP/DVCQG/dossier.sync/v1']);
    for (const c of report.checks.filter((k) => k.status === 'failed')) expect(c.finding!.details.join('\n')).toContain('/body/channel');
  });
});

function planFile(plan: CheckPlan): string {
  const { file: _, ...data } = plan;
  const file = join(mkdtempSync(join(tmpdir(), 'lgsp-plan-')), 'plan.yaml');
  writeFileSync(file, stringify(data));
  return file;
}
