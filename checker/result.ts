/** What a check run produces: one result per check, a score per service and overall, a verdict. */

/** What is wrong, in words a person can act on. */
export interface Finding {
  /** One line: what was expected and what happened. */
  readonly message: string;
  /** Each field and the rule it broke (`/body/idNumber: must match …`), or other particulars. */
  readonly details: readonly string[];
  /** What to try. */
  readonly fix: string;
}

export type Part = 'provider' | 'client' | 'fault';

export interface CheckResult {
  /** Stable across runs: `provider/<service>/example/<name>`, `client/<scenario>/<step>`, … */
  readonly id: string;
  readonly part: Part;
  /** The service the check is about (scores are kept per service). */
  readonly service: string;
  readonly name: string;
  readonly status: 'passed' | 'failed';
  readonly durationMs: number;
  /** The transaction to open on the dashboard, where there is one. */
  readonly tx?: string;
  readonly finding?: Finding;
}

export interface Score {
  readonly passed: number;
  readonly total: number;
  /** Passed checks as a percentage, one decimal. */
  readonly percent: number;
}

export interface CheckReport {
  readonly system: string;
  readonly plan: { readonly name: string; readonly file: string; readonly title: { readonly vi: string; readonly en: string } };
  readonly startedAt: string;
  readonly finishedAt: string;
  /** `passed` only when every check passed. */
  readonly verdict: 'passed' | 'failed';
  readonly score: Score;
  readonly services: Readonly<Record<string, Score>>;
  readonly checks: readonly CheckResult[];
  /** Where it ran: the transport, and whether the system under test was the simulator's own mock. */
  readonly environment: { readonly transport: string; readonly mock: boolean };
}

const scoreOf = (checks: readonly CheckResult[]): Score => {
  const passed = checks.filter((c) => c.status === 'passed').length;
  return { passed, total: checks.length, percent: checks.length === 0 ? 100 : Math.round((1000 * passed) / checks.length) / 10 };
};

/** The report of a run: scores per service and overall, and the verdict. */
export function reportOf(base: Omit<CheckReport, 'verdict' | 'score' | 'services'>): CheckReport {
  const byService = new Map<string, CheckResult[]>();
  for (const c of base.checks) byService.set(c.service, [...(byService.get(c.service) ?? []), c]);
  const score = scoreOf(base.checks);
  return {
    ...base,
    verdict: base.checks.length > 0 && score.passed === score.total ? 'passed' : 'failed',
    score,
    services: Object.fromEntries([...byService].sort(([a], [b]) => a.localeCompare(b)).map(([s, checks]) => [s, scoreOf(checks)])),
  };
}
