/** Gateway settings: defaults from docs/protocol.md, validated once and frozen. */
import { hostname } from 'node:os';
import { isIdPart } from './protocol/ids.ts';

export interface GatewayConfig {
  /** Largest message accepted, in bytes (docs/protocol.md §4: 1 MiB). */
  readonly maxBytes: number;
  /** Accepted clock skew either way, in seconds. */
  readonly skewSeconds: number;
  /**
   * Unacknowledged ingress deliveries the gateway holds at once. A request stays unacknowledged
   * until its transaction ends, so this bounds the transactions in flight.
   */
  readonly prefetch: number;
  /**
   * Unacknowledged provider replies the gateway holds at once; by default as many as `prefetch`.
   * A reply is acknowledged once its transaction is recorded, so with fewer, replies that came in
   * time could wait on the broker behind slow ledger writes until their requests' deadlines fired
   * (a reply taken off its queue ends its deadline at once). Each of this instance's replies
   * answers one of at most `prefetch` requests it holds, so `prefetch` slots are always enough.
   */
  readonly responsePrefetch: number;
  /** How long `stop()` waits for transactions in flight. */
  readonly drainMs: number;
  /** How long a provider's consumer count is trusted before it is asked again. */
  readonly availabilityTtlMs: number;
  /**
   * This gateway instance's name: in the ledger, and in its own responses queue's name (so an
   * identifier part: letters, digits, `.`, `_`, `-`).
   */
  readonly instance: string;
  /**
   * Messages a second each client system may send on the bus, counted once its signature is
   * verified (so only its own messages count); beyond that, `client.rate_limited`.
   */
  readonly clientRatePerSecond: number;
  /**
   * How long a message handed out again after a fault waits for its provider to be served, before
   * it is answered `server.provider_unavailable` (a gateway back before its providers fails nothing).
   */
  readonly redeliveryGraceMs: number;
  /**
   * Refusals a second each publisher (broker user) may cause before a signature vouches for it
   * (junk: unreadable, unknown key, bad signature), recorded and answered; past it they are only
   * counted (pipeline/publishers.ts).
   */
  readonly junkPerSecond: number;
}

export const DEFAULT_CONFIG: GatewayConfig = Object.freeze({
  maxBytes: 1024 * 1024,
  skewSeconds: 300,
  prefetch: 1000,
  responsePrefetch: 1000,
  drainMs: 5000,
  availabilityTtlMs: 1000,
  instance: `${hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 50)}-${process.pid}`,
  clientRatePerSecond: 2000,
  redeliveryGraceMs: 10_000,
  junkPerSecond: 50,
});

/** Merges overrides onto the defaults, checks them and freezes the result. */
export function gatewayConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const config = { ...DEFAULT_CONFIG, responsePrefetch: overrides.prefetch ?? DEFAULT_CONFIG.responsePrefetch, ...overrides };
  for (const key of ['maxBytes', 'skewSeconds', 'prefetch', 'responsePrefetch', 'drainMs', 'availabilityTtlMs', 'clientRatePerSecond', 'redeliveryGraceMs', 'junkPerSecond'] as const) {
    const v = config[key];
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`gateway config ${key} must be a positive integer, got ${String(v)}`);
  }
  if (!isIdPart(config.instance)) throw new RangeError(`gateway config instance must be 1 to 64 letters, digits, '.', '_' or '-', got ${JSON.stringify(config.instance)}`);
  return Object.freeze(config);
}
