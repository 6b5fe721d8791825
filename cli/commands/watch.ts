/** `lgsp stats` and `lgsp tail`: counts and live transactions from a running gateway's operator API. */
import type { TransactionRecord } from '../../gateway/ledger/ledger.ts';

async function getJson<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url);
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

export async function stats(options: { url: string; minutes: number; client?: string; service?: string; json?: boolean }): Promise<void> {
  const params = new URLSearchParams({ bucket: String(options.minutes * 60_000), from: String(Date.now() - options.minutes * 60_000) });
  if (options.client) params.set('client', options.client);
  if (options.service) params.set('service', options.service);
  const s = await getJson<Stats>(`${options.url}/api/stats?${params}`);
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

function line(t: TransactionRecord): string {
  const ms = (t.responseOut ?? t.requestOut ?? t.requestIn) - t.requestIn;
  const outcome = t.businessError ? `ok(${t.businessError})` : t.outcome;
  return `${new Date(t.requestIn).toISOString()}  ${(t.client ?? '-').padEnd(24)} ${(t.service ?? '-').padEnd(44)} ${outcome.padEnd(28)} ${String(ms).padStart(5)} ms  ${t.tx}`;
}

/** Prints transactions as they are recorded until Ctrl-C (or `count` lines). */
export async function tail(options: { url: string; count?: number; intervalMs?: number }): Promise<void> {
  let since = 0;
  let printed = 0;
  let running = true;
  process.once('SIGINT', () => (running = false));
  while (running) {
    const page = await getJson<{ items: (TransactionRecord & { seq: number })[] }>(`${options.url}/api/transactions?limit=200`);
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
