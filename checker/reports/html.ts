/**
 * The report as one self-contained HTML page a person reads: the verdict and score, each service's
 * score, every failed check with what happened, each field and rule, and the fix to try; then every
 * check. No script, no outside file: it opens from a CI artifact as it is.
 */
import type { CheckReport, CheckResult, Score } from '../result.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1d2433;background:#f4f6f9}
main{max-width:1100px;margin:0 auto;padding:24px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.sub{color:#5a6478;margin:0}.verdict{display:flex;align-items:center;gap:24px;padding:18px 22px;border-radius:8px;color:#fff;margin:18px 0}
.verdict.passed{background:#1f7a4d}.verdict.failed{background:#b3261e}.verdict b{font-size:28px}.verdict span{font-size:15px}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:8px;overflow:hidden;table-layout:fixed}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid #e4e8ef;vertical-align:top;overflow-wrap:anywhere}th{background:#e9edf3;font-weight:600}
.bar{height:8px;background:#e4e8ef;border-radius:4px}.bar i{display:block;height:8px;border-radius:4px;background:#1f7a4d}.bar.low i{background:#b3261e}
.finding{background:#fff;border-left:5px solid #b3261e;border-radius:6px;padding:12px 16px;margin:0 0 12px}
.finding h3{margin:0 0 4px;font-size:15px}.finding .svc{color:#5a6478;font-size:13px}.finding p{margin:6px 0}
code,pre{font:13px/1.45 ui-monospace,monospace}pre{background:#f4f6f9;padding:8px 10px;border-radius:4px;white-space:pre-wrap;margin:6px 0}
.fix{color:#1f4f7a}.ok{color:#1f7a4d;font-weight:600}.no{color:#b3261e;font-weight:600}.muted{color:#5a6478}
`;

function bar(score: Score): string {
  return `<div class="bar${score.percent < 100 ? ' low' : ''}"><i style="width:${score.percent}%"></i></div>`;
}

function finding(c: CheckResult): string {
  const f = c.finding!;
  return `<section class="finding" id="${esc(c.id)}">
<h3>${esc(c.name)}</h3><div class="svc">${esc(c.part)} · ${esc(c.service)}${c.tx ? ` · transaction <code>${esc(c.tx)}</code>` : ''}</div>
<p>${esc(f.message)}</p>${f.details.length > 0 ? `<pre>${f.details.map(esc).join('\n')}</pre>` : ''}
<p class="fix">Fix to try: ${esc(f.fix)}</p></section>`;
}

/** The report as a self-contained HTML page. */
export function htmlReport(report: CheckReport): string {
  const failed = report.checks.filter((c) => c.status === 'failed');
  const services = Object.entries(report.services).map(([s, sc]) => `<tr><td><code>${esc(s)}</code></td><td>${sc.passed} / ${sc.total}</td><td>${sc.percent} %</td><td>${bar(sc)}</td></tr>`).join('\n');
  const all = report.checks.map((c) => `<tr><td class="${c.status === 'passed' ? 'ok' : 'no'}">${c.status}</td><td>${esc(c.part)}</td><td><code>${esc(c.service)}</code></td><td>${esc(c.name)}</td><td class="muted">${c.durationMs} ms</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>lgsp check ${esc(report.system)}: ${report.verdict}</title><style>${STYLE}</style></head>
<body><main>
<h1>${esc(report.plan.title.en)}</h1>
<p class="sub">${esc(report.plan.title.vi)}</p>
<p class="sub">System under test <code>${esc(report.system)}</code>${report.environment.mock ? ' (the simulator\'s own mock)' : ''} · plan <code>${esc(report.plan.name)}</code> · ${esc(report.startedAt)} → ${esc(report.finishedAt)} · ${esc(report.environment.transport)}</p>
<div class="verdict ${report.verdict}" id="verdict"><b>${report.verdict === 'passed' ? 'PASSED' : 'FAILED'}</b><span>${report.score.passed} of ${report.score.total} checks passed — score ${report.score.percent} %</span></div>
<h2>Score per service</h2>
<table><colgroup><col style="width:52%"><col style="width:12%"><col style="width:10%"><col></colgroup>
<tr><th>service</th><th>passed</th><th>score</th><th></th></tr>
${services}</table>
<h2>${failed.length === 0 ? 'No findings' : `Findings (${failed.length})`}</h2>
${failed.map(finding).join('\n')}
<h2>Every check</h2>
<table><colgroup><col style="width:8%"><col style="width:8%"><col style="width:34%"><col><col style="width:9%"></colgroup>
<tr><th>status</th><th>part</th><th>service</th><th>check</th><th>time</th></tr>
${all}</table>
</main></body></html>
`;
}
