/**
 * `lgsp stats` and `lgsp tail`: counts and live transactions from a running gateway's operator
 * API — `--url`, else the one the running gateway on this state directory names.
 */
import { lgspHome } from '../../gateway/home/keys.ts';
import type { TransactionRecord } from '../../gateway/ledger/ledger.ts';
import { outcomeLabel } from '../../gateway/ledger/outcome.ts';
import { trustingFetch } from '../../adapters/http/trusting-fetch.ts';
import { trustedCa } from '../../gateway/home/tls.ts';
import { operatorUrlFor } from '../bus-caller.ts';

interface WatchOptions {
  url?: string;
  home?: string;
}

/** The operator server to read, and a fetch that trusts the state directory's authority (for HTTPS). */
function target(options: WatchOptions): { url: string; fetch: typeof fetch } {
  const home = options.home ?? lgspHome();
  const { url, via } = operatorUrlFor(home, options.url);
  process.stderr.write(`from ${via}\n`);
  return { url, fetch: trustingFetch(url.startsWith('https:') ? trustedCa(home) : undefined) };
}

async function getJson<T>(get: typeof fetch, url: string): Promise<T> {
  let res: Response;
  try {
    res = await get(url);
  } catch (err) {
    throw new Error(`cannot reach ${new URL(url).origin} (is lgsp up or lgsp gateway running?): ${(err as Error).message}`);
  }
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Stats {
  totals: { byClient: Record<string, number>; byService: Record<string, number>; byOutcome: Record<string, number> };
  latency: { p50: number | null; p95: number | null; p99: number | null; count: number };
}

function table(title: string, counts: Record<string, number>): string {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const width = Math.max(10, ...rows.map(([k]) => k.length));
  return [title, ...rows.map(([k, n]) => `  ${k.padEnd(width)} ${String(n).padStart(8)}`)].join('\n');
}

export async function stats(options: WatchOptions & { minutes: number; client?: string; service?: string; json?: boolean }): Promise<void> {
  const { url, fetch: get } = target(options);
  const params = new URLSearchParams({ bucket: String(options.minutes * 60_000), from: String(Date.now() - options.minutes * 60_000) });
  if (options.client) params.set('client', options.client);
  if (options.service) params.set('service', options.service);
  const s = await getJson<Stats>(get, `${url}/api/stats?${params}`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(s.totals, null, 2)}\n`);
    return;
  }
  const total = Object.values(s.totals.byOutcome).reduce((a, b) => a + b, 0);
  const l = s.latency;
  process.stdout.write([
    `last ${options.minutes} min: ${total} transactions${l.count ? `, latency p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms (last minute)` : ''}`,
    table('by service', s.totals.byService), table('by client', s.totals.byClient), table('by outcome', s.totals.byOutcome),
  ].join('\n\n') + '\n');
}

/** `text` in exactly `width` columns: padded, or cut at the front (a service id's end names it). */
export function fit(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `…${text.slice(text.length - width + 1)}`;
}

/** Local time, as the dashboard shows it: `2025-06-28 03:00:00.123`. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function line(t: TransactionRecord): string {
  const ms = (t.responseOut ?? t.requestOut ?? t.requestIn) - t.requestIn;
  return `${localTime(t.requestIn)}  ${fit(t.client ?? '-', 24)} ${fit(t.service ?? '-', 44)} ${fit(outcomeLabel(t), 32)} ${String(ms).padStart(5)} ms  ${t.tx}`;
}

/** Prints transactions as they are recorded until Ctrl-C (or `count` lines). */
export async function tail(options: WatchOptions & { count?: number; intervalMs?: number }): Promise<void> {
  const { url, fetch: get } = target(options);
  let since = 0;
  let printed = 0;
  let running = true;
  process.once('SIGINT', () => (running = false));
  while (running) {
    const page = await getJson<{ items: (TransactionRecord & { seq: number })[] }>(get, `${url}/api/transactions?limit=200`);
    const fresh = page.items.filter((t) => t.seq > since).reverse();
    if (since === 0 && fresh.length > 10) fresh.splice(0, fresh.length - 10);
    for (const t of fresh) {
      process.stdout.write(`${line(t)}\n`);
      if (options.count && ++printed >= options.count) return;
    }
    if (page.items[0]) since = Math.max(since, page.items[0].seq);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 1000));
  }
}
