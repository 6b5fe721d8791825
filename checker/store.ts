/**
 * Check runs kept in the state directory, one folder each:
 * `LGSP_HOME/checks/<system, / as ~>/<start time>/` with report.json, junit.xml and report.html.
 * The operator server lists them per system (the dashboard's history).
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { homeName } from '../gateway/home/keys.ts';
import { htmlReport } from './reports/html.ts';
import { junitXml } from './reports/junit.ts';
import type { CheckReport } from './result.ts';

export const CHECKS_DIR = 'checks';

export interface KeptRun {
  readonly dir: string;
  readonly json: string;
  readonly junit: string;
  readonly html: string;
}

/** Writes the run's three reports into a folder of its own and returns their paths. */
export function keepRun(home: string, report: CheckReport): KeptRun {
  const dir = join(home, CHECKS_DIR, homeName(report.system), report.startedAt.replaceAll(':', '-'));
  mkdirSync(dir, { recursive: true });
  const run = { dir, json: join(dir, 'report.json'), junit: join(dir, 'junit.xml'), html: join(dir, 'report.html') };
  writeFileSync(run.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(run.junit, junitXml(report));
  writeFileSync(run.html, htmlReport(report));
  return run;
}

/** A kept run in a list: when, which plan, the verdict and score. */
export interface RunSummary {
  readonly system: string;
  readonly run: string;
  readonly plan: string;
  readonly startedAt: string;
  readonly verdict: CheckReport['verdict'];
  readonly score: CheckReport['score'];
  readonly failed: number;
  readonly mock: boolean;
}

/** Every kept run, newest first (at most `limit`). */
export function keptRuns(home: string, limit = 200): RunSummary[] {
  const root = join(home, CHECKS_DIR);
  if (!existsSync(root)) return [];
  const runs: RunSummary[] = [];
  for (const system of readdirSync(root)) {
    for (const run of readdirSync(join(root, system))) {
      try {
        const r = JSON.parse(readFileSync(join(root, system, run, 'report.json'), 'utf8')) as CheckReport;
        runs.push({ system: r.system, run: `${system}/${run}`, plan: r.plan.name, startedAt: r.startedAt, verdict: r.verdict, score: r.score, failed: r.score.total - r.score.passed, mock: r.environment.mock });
      } catch {
        // a run still being written, or a file someone changed: not listed
      }
    }
  }
  return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
}

/** One kept run's file (`report.json`, `junit.xml` or `report.html`), by the `run` a summary names. */
export function keptFile(home: string, run: string, file: 'report.json' | 'junit.xml' | 'report.html'): string | undefined {
  if (!/^[A-Za-z0-9~._-]+\/[0-9TZ.-]+$/.test(run)) return undefined;
  const path = join(home, CHECKS_DIR, run, file);
  if (!existsSync(path)) return undefined;
  // A report is a file the check wrote inside the state directory: a link (to anywhere) is none.
  const root = realpathSync(join(home, CHECKS_DIR));
  const real = realpathSync(path);
  return lstatSync(path).isFile() && real.startsWith(`${root}/`) && real === join(root, run, file) ? real : undefined;
}
