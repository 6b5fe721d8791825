/**
 * The report as JUnit XML, as CI systems read it: one test suite per part of the plan (provider,
 * client, fault), one test case per check (its class the service), a failure carrying the finding
 * — message, each field and rule, the fix — and the transaction.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { CheckReport, CheckResult } from '../result.ts';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true, suppressEmptyNode: true });

function testcase(c: CheckResult) {
  const failure = c.finding && {
    '@message': c.finding.message,
    '@type': c.part,
    '#text': [c.finding.message, ...c.finding.details.map((d) => `  ${d}`), `fix: ${c.finding.fix}`, ...(c.tx ? [`transaction: ${c.tx}`] : [])].join('\n'),
  };
  return { '@name': c.name, '@classname': c.service, '@time': (c.durationMs / 1000).toFixed(3), ...(failure && { failure }) };
}

/** The report as a JUnit XML document. */
export function junitXml(report: CheckReport): string {
  const parts = ['provider', 'client', 'fault'] as const;
  const suites = parts.map((part) => report.checks.filter((c) => c.part === part)).filter((cs) => cs.length > 0).map((cs) => ({
    '@name': `${report.system} — ${cs[0]!.part}`,
    '@tests': cs.length,
    '@failures': cs.filter((c) => c.status === 'failed').length,
    '@errors': 0,
    '@time': (cs.reduce((t, c) => t + c.durationMs, 0) / 1000).toFixed(3),
    '@timestamp': report.startedAt,
    testcase: cs.map(testcase),
  }));
  const doc = {
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    testsuites: {
      '@name': `lgsp check ${report.system} (${report.plan.name})`,
      '@tests': report.score.total,
      '@failures': report.score.total - report.score.passed,
      '@errors': 0,
      '@time': ((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000).toFixed(3),
      testsuite: suites,
    },
  };
  return builder.build(doc) as string;
}
