/**
 * Reading the ledger for operators: counts over time buckets, pages of transactions, and each
 * service's health. A read-only connection beside the writer (WAL lets both work at once).
 */
import Database from 'better-sqlite3';
import { journalOf, type JournalEntry } from './journal.ts';
import type { TransactionRecord } from './ledger.ts';
import type { OutcomeKind } from './outcome.ts';
import { column, FIELDS } from './schema.ts';

export interface Filter {
  readonly client?: string;
  /** A system on either side: the client or the provider. */
  readonly system?: string;
  readonly service?: string;
  readonly outcome?: string;
  /** `ok`, `business` (a declared error the provider answered) or `gateway` (an error the gateway raised). */
  readonly kind?: OutcomeKind;
  /** Epoch ms, inclusive. */
  readonly from?: number;
  /** Epoch ms, exclusive. */
  readonly to?: number;
}

export interface Bucket {
  t: number;
  client: string | null;
  service: string | null;
  outcome: string;
  businessError: string | null;
  count: number;
}

export interface ServiceHealth {
  service: string;
  lastSuccess: number | null;
  lastFailure: number | null;
  /** Ten-minute buckets over the last hour, oldest first: ok, business errors, gateway errors. */
  buckets: { t: number; ok: number; business: number; failed: number }[];
}

const TEN_MINUTES = 600_000;
const KIND_SQL: Record<OutcomeKind, string> = {
  ok: "(outcome = 'ok' AND business_error IS NULL)",
  business: 'business_error IS NOT NULL',
  gateway: "outcome <> 'ok'",
};
const SELECT_RECORD = `SELECT seq, ${FIELDS.map((f) => `${column(f)} AS "${f}"`).join(', ')} FROM transactions`;

function where(filter: Filter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const key of ['client', 'service', 'outcome'] as const) {
    if (filter[key] !== undefined) {
      parts.push(`${key} = ?`);
      params.push(filter[key]);
    }
  }
  if (filter.system !== undefined) {
    // The provider is the service id's first four parts, also when a refusal never reached it.
    parts.push("(client = ? OR substr(service, 1, length(?) + 1) = ? || '/')");
    params.push(filter.system, filter.system, filter.system);
  }
  if (filter.kind !== undefined) parts.push(KIND_SQL[filter.kind]);
  if (filter.from !== undefined) { parts.push('request_in >= ?'); params.push(filter.from); }
  if (filter.to !== undefined) { parts.push('request_in < ?'); params.push(filter.to); }
  return { sql: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', params };
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export class LedgerReader {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
  }

  /** Counts by client, service and outcome in buckets of `bucketMs`. */
  stats(filter: Filter, bucketMs: number): Bucket[] {
    const w = where(filter);
    // Numbers bind as REAL, so `request_in / ?` would not truncate: a modulo does.
    return this.db.prepare(`SELECT request_in - (request_in % ?) AS t, client, service, outcome, business_error AS businessError, count(*) AS count
      FROM transactions ${w.sql} GROUP BY t, client, service, outcome, business_error ORDER BY t`).all(bucketMs, ...w.params) as Bucket[];
  }

  /** Latency percentiles (ms) of the newest `sample` transactions in the filter. */
  latency(filter: Filter, sample = 5000): { p50: number | null; p95: number | null; p99: number | null; count: number } {
    const w = where(filter);
    const rows = this.db.prepare(`SELECT coalesce(response_out, request_out) - request_in AS ms FROM transactions ${w.sql}
      ${w.sql ? 'AND' : 'WHERE'} coalesce(response_out, request_out) IS NOT NULL ORDER BY seq DESC LIMIT ?`).all(...w.params, sample) as { ms: number }[];
    const sorted = rows.map((r) => r.ms).sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), count: sorted.length };
  }

  /** Newest first, `limit` at a time; pass the returned `next` as `before` for the page after. */
  transactions(filter: Filter, limit: number, before?: number): { items: (TransactionRecord & { seq: number })[]; next: number | null } {
    const w = where(filter);
    const cursor = before !== undefined ? `${w.sql ? `${w.sql} AND` : 'WHERE'} seq < ?` : w.sql;
    const params = before !== undefined ? [...w.params, before] : w.params;
    const items = this.db.prepare(`${SELECT_RECORD} ${cursor} ORDER BY seq DESC LIMIT ?`).all(...params, limit) as (TransactionRecord & { seq: number })[];
    return { items, next: items.length === limit ? items[items.length - 1]!.seq : null };
  }

  /** One transaction by its id, or undefined. */
  transaction(tx: string): (TransactionRecord & { seq: number }) | undefined {
    return this.db.prepare(`${SELECT_RECORD} WHERE tx = ?`).get(tx) as (TransactionRecord & { seq: number }) | undefined;
  }

  /** The journal of `tx`, where journaling is on (empty otherwise). */
  journal(tx: string): JournalEntry[] {
    return journalOf(this.db, tx);
  }

  /** After X-Road's health data: last success and failure, and counts per 10 minutes over the last hour. */
  health(now: number): ServiceHealth[] {
    const since = Math.floor(now / TEN_MINUTES) * TEN_MINUTES - 5 * TEN_MINUTES;
    const last = this.db.prepare(`SELECT service,
        max(CASE WHEN outcome = 'ok' THEN coalesce(response_out, request_out) END) AS lastSuccess,
        max(CASE WHEN outcome <> 'ok' THEN coalesce(response_out, request_in) END) AS lastFailure
      FROM transactions WHERE service IS NOT NULL GROUP BY service ORDER BY service`).all() as Omit<ServiceHealth, 'buckets'>[];
    const counts = this.db.prepare(`SELECT service, request_in - (request_in % ?) AS t, sum(outcome = 'ok' AND business_error IS NULL) AS ok,
        sum(business_error IS NOT NULL) AS business, sum(outcome <> 'ok') AS failed
      FROM transactions WHERE request_in >= ? AND service IS NOT NULL GROUP BY service, t`).all(TEN_MINUTES, since) as { service: string; t: number; ok: number; business: number; failed: number }[];
    return last.map((s) => ({
      ...s,
      buckets: Array.from({ length: 6 }, (_, i) => {
        const t = since + i * TEN_MINUTES;
        const c = counts.find((x) => x.service === s.service && x.t === t);
        return { t, ok: c?.ok ?? 0, business: c?.business ?? 0, failed: c?.failed ?? 0 };
      }),
    }));
  }

  close(): void {
    this.db.close();
  }
}
