// The operator dashboard: polls the operator API and redraws. No framework, no external files.
const REFRESH_MS = 2000;
const $ = (id) => document.getElementById(id);
const fmtTime = (t) => (t ? new Date(t).toLocaleTimeString() : '–');

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function fill(tableId, rows) {
  const body = $(tableId).querySelector('tbody');
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement('tr');
    tr.append(...cells);
    return tr;
  }));
}

function sorted(obj) {
  return Object.entries(obj).sort((a, b) => b[1] - a[1]);
}

function drawChart(stats) {
  const canvas = $('chart');
  const ctx = canvas.getContext('2d');
  const seconds = stats.bucketMs / 1000;
  const byT = new Map();
  for (const b of stats.buckets) {
    const e = byT.get(b.t) ?? { ok: 0, err: 0 };
    if (b.outcome === 'ok') e.ok += b.count; else e.err += b.count;
    byT.set(b.t, e);
  }
  const n = Math.ceil((stats.to - stats.from) / stats.bucketMs);
  const start = Math.floor(stats.from / stats.bucketMs) * stats.bucketMs;
  const series = Array.from({ length: n }, (_, i) => byT.get(start + i * stats.bucketMs) ?? { ok: 0, err: 0 });
  const max = Math.max(1, ...series.map((s) => (s.ok + s.err) / seconds));
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#6b7480';
  ctx.font = '12px system-ui';
  ctx.fillText(`${max.toFixed(0)}/s`, 4, 12);
  const w = width / n;
  series.forEach((s, i) => {
    const hOk = (s.ok / seconds / max) * (height - 16);
    const hErr = (s.err / seconds / max) * (height - 16);
    ctx.fillStyle = '#1f8a4c';
    ctx.fillRect(i * w, height - hOk, Math.max(1, w - 1), hOk);
    ctx.fillStyle = '#c0392b';
    ctx.fillRect(i * w, height - hOk - hErr, Math.max(1, w - 1), hErr);
  });
}

async function getJson(path) {
  const res = await fetch(path);
  if (!res.ok && res.status !== 503) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

async function refresh() {
  const now = Date.now();
  const [ready, hour, recentStats, chart, recent, health] = await Promise.all([
    getJson('/readyz'),
    getJson('/api/stats?bucket=3600000'),
    getJson(`/api/stats?bucket=10000&from=${now - 10000}`),
    getJson(`/api/stats?bucket=5000&from=${now - 600000}`),
    getJson('/api/transactions?limit=20'),
    getJson('/api/services/health'),
  ]);
  const up = ready.broker && ready.ledger;
  $('status').textContent = up ? 'broker and ledger up' : `not ready: ${ready.broker ? '' : 'broker '}${ready.ledger ? '' : 'ledger'}`;
  $('status').className = `pill ${up ? 'up' : 'down'}`;
  $('updated').textContent = `updated ${new Date(now).toLocaleTimeString()}`;

  const lastTen = recentStats.buckets.reduce((n, b) => n + b.count, 0);
  $('rate').textContent = (lastTen / 10).toFixed(1);
  const total = Object.values(hour.totals.byOutcome).reduce((a, b) => a + b, 0);
  $('total').textContent = String(total);
  $('errors').textContent = String(total - (hour.totals.byOutcome.ok ?? 0));
  const l = hour.latency;
  $('latency').textContent = l.count ? `${l.p50} / ${l.p95} / ${l.p99} ms` : '–';

  const perService = new Map();
  for (const b of hour.buckets) {
    const e = perService.get(b.service ?? 'unknown') ?? { ok: 0, err: 0 };
    if (b.outcome === 'ok') e.ok += b.count; else e.err += b.count;
    perService.set(b.service ?? 'unknown', e);
  }
  fill('services', [...perService].sort((a, b) => a[0].localeCompare(b[0])).map(([s, e]) => [cell(s), cell(String(e.ok), 'num ok'), cell(String(e.err), `num ${e.err ? 'err' : ''}`)]));
  fill('clients', sorted(hour.totals.byClient).map(([c, n]) => [cell(c), cell(String(n), 'num')]));
  fill('outcomes', sorted(hour.totals.byOutcome).map(([o, n]) => [cell(o, o === 'ok' ? 'ok' : 'err'), cell(String(n), 'num')]));
  fill('health', health.services.map((s) => {
    const bars = document.createElement('td');
    const max = Math.max(1, ...s.buckets.map((b) => b.ok + b.failed));
    for (const b of s.buckets) {
      for (const [count, cls] of [[b.ok, 'bar'], [b.failed, 'bar failed']]) {
        const span = document.createElement('span');
        span.className = cls;
        span.style.height = `${Math.round((count / max) * 18)}px`;
        span.title = `${fmtTime(b.t)}: ${count}`;
        bars.append(span);
      }
    }
    return [cell(s.service), cell(fmtTime(s.lastSuccess), 'ok'), cell(fmtTime(s.lastFailure), s.lastFailure ? 'err' : ''), bars];
  }));
  fill('recent', recent.items.map((t) => [
    cell(fmtTime(t.requestIn)), cell(t.client ?? '–'), cell(t.service ?? '–'),
    cell(t.businessError ? `ok (${t.businessError})` : t.outcome, t.outcome === 'ok' ? 'ok' : 'err'),
    cell(String((t.responseOut ?? t.requestOut ?? t.requestIn) - t.requestIn), 'num'), cell(t.tx.slice(0, 8)),
  ]));
  drawChart(chart);
}

async function loop() {
  try {
    await refresh();
  } catch (err) {
    $('status').textContent = `cannot reach the gateway: ${err.message}`;
    $('status').className = 'pill down';
  }
  setTimeout(loop, REFRESH_MS);
}
loop();
