// The operator dashboard: polls the operator API and redraws. No framework, no external files.
const REFRESH_MS = 2000;
const $ = (id) => document.getElementById(id);
const two = (n) => String(n).padStart(2, '0');
const fmtTime = (t) => (t ? new Date(t).toLocaleTimeString() : '–');
const known = { systems: new Set(), outcomes: new Set() };

function cell(text, cls, title) {
  const td = document.createElement('td');
  td.textContent = text;
  td.title = title ?? text;
  if (cls) td.className = cls;
  return td;
}

function fill(tableId, rows, onClick) {
  const body = $(tableId).querySelector('tbody');
  body.replaceChildren(...rows.map((cells, i) => {
    const tr = document.createElement('tr');
    tr.append(...cells);
    if (onClick) {
      tr.className = 'link';
      tr.addEventListener('click', () => onClick(i));
    }
    return tr;
  }));
}

/** ok, business (a declared error the provider answered) or gateway (an error the gateway raised). */
function kindOf(b) {
  if (b.businessError) return 'business';
  return b.outcome === 'ok' ? 'ok' : 'gateway';
}
const labelOf = (b) => (b.businessError ? `business:${b.businessError}` : b.outcome);
const classOf = { ok: 'ok', business: 'biz', gateway: 'err' };

/** The filter query of the controls at the top. */
function filterQuery() {
  const q = new URLSearchParams();
  if ($('system').value) q.set('system', $('system').value);
  const [by, value] = $('outcome').value.split(':');
  if (by === 'kind') q.set('kind', value);
  if (by === 'outcome') q.set('outcome', value);
  return q;
}

function addOptions(select, values, label) {
  const have = new Set([...select.options].map((o) => o.value));
  for (const v of [...values].sort()) {
    const value = label ? `outcome:${v}` : v;
    if (have.has(value)) continue;
    select.append(new Option(label ? label(v) : v, value));
  }
}

function drawChart(stats) {
  const canvas = $('chart');
  const ctx = canvas.getContext('2d');
  const seconds = stats.bucketMs / 1000;
  const byT = new Map();
  for (const b of stats.buckets) {
    const e = byT.get(b.t) ?? { ok: 0, business: 0, gateway: 0 };
    e[kindOf(b)] += b.count;
    byT.set(b.t, e);
  }
  const start = Math.floor(stats.from / stats.bucketMs) * stats.bucketMs;
  const n = Math.max(1, Math.ceil((stats.to - start) / stats.bucketMs));
  const series = Array.from({ length: n }, (_, i) => byT.get(start + i * stats.bucketMs) ?? { ok: 0, business: 0, gateway: 0 });
  const max = Math.max(1, ...series.map((s) => (s.ok + s.business + s.gateway) / seconds));
  const { width, height } = canvas;
  const left = 56;
  const bottom = 26;
  const plotH = height - bottom - 8;
  const plotW = width - left - 8;
  ctx.clearRect(0, 0, width, height);
  ctx.font = '20px system-ui';
  ctx.fillStyle = '#6b7480';
  ctx.strokeStyle = '#e3e6ea';
  // Y axis: zero, half and the top, in transactions per second.
  for (const frac of [0, 0.5, 1]) {
    const y = 8 + plotH * (1 - frac);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(width - 8, y);
    ctx.stroke();
    ctx.fillText(`${(max * frac).toFixed(max < 10 ? 1 : 0)}/s`, 2, y + 6);
  }
  const w = plotW / n;
  series.forEach((s, i) => {
    let y = 8 + plotH;
    for (const [kind, color] of [['ok', '#1f8a4c'], ['business', '#b7791f'], ['gateway', '#c0392b']]) {
      const h = (s[kind] / seconds / max) * plotH;
      ctx.fillStyle = color;
      ctx.fillRect(left + i * w, y - h, Math.max(1, w - 1), h);
      y -= h;
    }
  });
  // X axis: local times at six evenly spaced ticks.
  ctx.fillStyle = '#6b7480';
  const span = stats.to - start;
  const ticks = [];
  for (let k = 0; k <= 5; k++) {
    const t = start + (span * k) / 5;
    const d = new Date(t);
    const text = span <= 900_000 ? `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}` : `${two(d.getHours())}:${two(d.getMinutes())}`;
    const x = left + (plotW * k) / 5;
    ctx.fillText(text, Math.min(Math.max(left, x - 30), width - 90), height - 4);
    ticks.push(text);
  }
  canvas.dataset.ticks = ticks.join(' '); // what the time axis reads, for a test or a screen reader
  canvas.setAttribute('aria-label', `transactions per second from ${ticks[0]} to ${ticks[5]}, up to ${max.toFixed(1)}/s`);
}

async function getJson(path, allow = []) {
  const res = await fetch(path);
  if (!res.ok && res.status !== 503 && !allow.includes(res.status)) throw new Error(`${path}: ${res.status}`);
  return res.ok || res.status === 503 ? res.json() : undefined;
}

function showFaults(faults) {
  const list = $('faults');
  if (!faults) {
    list.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'not reported by this gateway', className: 'muted' }));
    return;
  }
  const items = faults.activeProfiles.map((name) => {
    const li = document.createElement('li');
    li.textContent = `${name}: ${faults.profiles[name]}`;
    li.className = 'err';
    return li;
  });
  list.replaceChildren(...(items.length ? items : [Object.assign(document.createElement('li'), { textContent: 'none', className: 'ok' })]));
}

async function refresh() {
  const now = Date.now();
  const range = Number($('range').value);
  const q = filterQuery();
  const with_ = (extra) => `${new URLSearchParams([...q, ...Object.entries(extra)])}`;
  const [ready, totals, lastTen, chart, recent, health, queues, faults] = await Promise.all([
    getJson('/readyz'),
    getJson(`/api/stats?${with_({ bucket: Math.min(range, 86_400_000), from: now - range })}`),
    getJson(`/api/stats?${with_({ bucket: 10_000, from: now - 10_000 })}`),
    getJson(`/api/stats?${with_({ bucket: Math.max(1000, Math.round(range / 120 / 1000) * 1000), from: now - range })}`),
    getJson(`/api/transactions?${with_({ limit: 25 })}`),
    getJson('/api/services/health'),
    getJson('/api/queues'),
    getJson('/api/faults', [404]),
  ]);
  const up = ready.broker && ready.ledger;
  $('status').textContent = up ? 'broker and ledger up' : `not ready: ${ready.broker ? '' : 'broker '}${ready.ledger ? '' : 'ledger'}`;
  $('status').className = `pill ${up ? 'up' : 'down'}`;
  $('updated').textContent = `updated ${new Date(now).toLocaleTimeString()}`;
  for (const el of document.querySelectorAll('.range-name')) el.textContent = $('range').selectedOptions[0].textContent;

  $('rate').textContent = (lastTen.buckets.reduce((n, b) => n + b.count, 0) / 10).toFixed(1);
  const count = { ok: 0, business: 0, gateway: 0 };
  const perService = new Map();
  const perOutcome = new Map();
  const perClient = new Map();
  for (const b of totals.buckets) {
    const kind = kindOf(b);
    count[kind] += b.count;
    const service = b.service ?? '(unreadable)';
    const e = perService.get(service) ?? { ok: 0, business: 0, gateway: 0, errors: new Map() };
    e[kind] += b.count;
    if (kind !== 'ok') e.errors.set(labelOf(b), (e.errors.get(labelOf(b)) ?? 0) + b.count);
    perService.set(service, e);
    const o = perOutcome.get(labelOf(b)) ?? { kind, count: 0 };
    o.count += b.count;
    perOutcome.set(labelOf(b), o);
    perClient.set(b.client ?? '(unknown)', (perClient.get(b.client ?? '(unknown)') ?? 0) + b.count);
    if (b.client) known.systems.add(b.client);
    if (b.service) known.systems.add(b.service.split('/').slice(0, 4).join('/'));
    if (kind === 'gateway') known.outcomes.add(b.outcome);
  }
  addOptions($('system'), known.systems);
  addOptions($('outcome'), known.outcomes, (o) => `only ${o}`);
  $('total').textContent = String(count.ok + count.business + count.gateway);
  $('ok').textContent = String(count.ok);
  $('business').textContent = String(count.business);
  $('errors').textContent = String(count.gateway);
  const l = totals.latency;
  $('latency').textContent = l.count ? `${l.p50} / ${l.p95} / ${l.p99} ms` : '–';

  fill('services', [...perService].sort((a, b) => a[0].localeCompare(b[0])).map(([s, e]) => {
    const top = [...e.errors].sort((a, b) => b[1] - a[1])[0];
    return [cell(s), cell(String(e.ok), 'num ok'), cell(String(e.business), `num ${e.business ? 'biz' : ''}`), cell(String(e.gateway), `num ${e.gateway ? 'err' : ''}`),
      cell(top ? `${top[0]} (${top[1]})` : '–', top ? (top[0].startsWith('business:') ? 'biz' : 'err') : 'muted')];
  }));
  fill('clients', [...perClient].sort((a, b) => b[1] - a[1]).map(([c, n]) => [cell(c), cell(String(n), 'num')]));
  fill('outcomes', [...perOutcome].sort((a, b) => b[1].count - a[1].count).map(([o, e]) => [cell(o, classOf[e.kind]), cell(String(e.count), 'num')]));
  showFaults(faults);
  const dead = queues.queues.find((x) => x.role === 'dead letters');
  $('dead').textContent = dead ? String(dead.messages) : '–';
  $('dead').className = `big ${dead?.messages ? 'err' : 'ok'}`;
  fill('queues', queues.queues.map((x) => [
    cell(x.queue), cell(x.role),
    cell(String(x.messages), `num ${x.messages > 0 && x.role !== 'inbox' ? 'err' : ''}`),
    cell(String(x.consumers), `num ${x.consumers === 0 && (x.role === 'inbox' || x.role === 'ingress') ? 'err' : ''}`),
  ]));
  fill('health', health.services.map((s) => {
    const bars = document.createElement('td');
    const max = Math.max(1, ...s.buckets.map((b) => b.ok + b.business + b.failed));
    for (const b of s.buckets) {
      const group = document.createElement('span');
      group.className = 'bars';
      group.title = `${fmtTime(b.t)}: ${b.ok} ok, ${b.business} business errors, ${b.failed} gateway errors`;
      for (const [n, cls] of [[b.ok, 'bar'], [b.business, 'bar biz'], [b.failed, 'bar failed']]) {
        const span = document.createElement('span');
        span.className = cls;
        span.style.height = `${Math.round((n / max) * 18)}px`;
        group.append(span);
      }
      bars.append(group);
    }
    return [cell(s.service), cell(fmtTime(s.lastSuccess), 'ok'), cell(fmtTime(s.lastFailure), s.lastFailure ? 'err' : ''), bars];
  }));
  fill('recent', recent.items.map((t) => [
    cell(fmtTime(t.requestIn)), cell(t.client ?? '–'), cell(t.service ?? '–'), cell(labelOf(t), classOf[kindOf(t)]),
    cell(String((t.responseOut ?? t.requestOut ?? t.requestIn) - t.requestIn), 'num'), cell(t.tx.slice(0, 8), '', t.tx),
  ]), (i) => void (location.href = `tx.html?tx=${encodeURIComponent(recent.items[i].tx)}`));
  drawChart(chart);
}

// One refresh at a time, so an answer to an older filter never overwrites a newer one.
let timer;
let running = false;
let again = false;
async function loop() {
  clearTimeout(timer);
  if (running) {
    again = true;
    return;
  }
  running = true;
  try {
    await refresh();
  } catch (err) {
    $('status').textContent = `cannot reach the gateway: ${err.message}`;
    $('status').className = 'pill down';
  }
  running = false;
  if (again) {
    again = false;
    loop();
  } else {
    timer = setTimeout(loop, REFRESH_MS);
  }
}
for (const id of ['range', 'system', 'outcome']) $(id).addEventListener('change', loop);
loop();
