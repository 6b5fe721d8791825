/** Prometheus metrics (docs/protocol.md §6) with prom-client: one registry per gateway, no globals. */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LedgerHealth, TransactionRecord } from '../ledger/ledger.ts';

export interface GatewayMetrics {
  readonly registry: Registry;
  /** Counts a recorded transaction. */
  observe(record: TransactionRecord): void;
  /** Counts a refusal of a caller that never proved who it is (not a ledger row of its own). */
  unauthenticated(door: string, type: string): void;
}

export interface MetricSources {
  inflight(): number;
  brokerUp(): boolean;
  /** The ledger's health (ledger/outage.ts), when there is one to watch. */
  ledger?(): LedgerHealth;
}

/** The duration the ledger would show: request in to answer out (or forward out, for events). */
export function durationMs(record: TransactionRecord): number | undefined {
  const end = record.responseOut ?? record.requestOut;
  return end === null ? undefined : end - record.requestIn;
}

export function createMetrics(sources: MetricSources): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges `_total`, which Prometheus reserves for counters (promtool
  // refuses them); the per-type gauges without the suffix carry the same counts.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  const transactions = new Counter({
    name: 'lgsp_transactions_total', help: 'Transactions recorded, by client, service and outcome (ok or the error type).',
    labelNames: ['client', 'service', 'outcome'] as const, registers: [registry],
  });
  const duration = new Histogram({
    name: 'lgsp_transaction_duration_seconds', help: 'Time from receiving a request to delivering its answer.',
    labelNames: ['service'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
  });
  new Gauge({
    name: 'lgsp_inflight_transactions', help: 'Transactions being handled or waiting for a provider.', registers: [registry],
    collect() { this.set(sources.inflight()); },
  });
  new Gauge({
    name: 'lgsp_broker_up', help: '1 while the gateway is connected to its broker.', registers: [registry],
    collect() { this.set(sources.brokerUp() ? 1 : 0); },
  });
  if (sources.ledger) {
    const health = sources.ledger;
    new Gauge({
      name: 'lgsp_ledger_up', help: '1 while the ledger can be written; 0 while the gateway waits for it and takes no new messages.', registers: [registry],
      collect() { this.set(health().ok ? 1 : 0); },
    });
    // The ledger counts its failed writes itself; the counter shows that count as it grows.
    let shown = 0;
    new Counter({
      name: 'lgsp_ledger_write_failures_total', help: 'Ledger writes (or reads) that failed and were tried again after a pause.', registers: [registry],
      collect() {
        const failures = health().failures;
        if (failures > shown) this.inc(failures - shown);
        shown = failures;
      },
    });
  }
  const unauthenticated = new Counter({
    name: 'lgsp_unauthenticated_refusals_total', help: 'Refusals of callers that never proved who they are, by door and error type (counted here, not written to the ledger one by one).',
    labelNames: ['door', 'type'] as const, registers: [registry],
  });
  return {
    registry,
    unauthenticated: (door, type) => unauthenticated.inc({ door, type }),
    observe(record) {
      const service = record.service ?? 'unknown';
      transactions.inc({ client: record.client ?? 'unknown', service, outcome: record.outcome });
      const ms = durationMs(record);
      if (ms !== undefined) duration.observe({ service }, ms / 1000);
    },
  };
}
