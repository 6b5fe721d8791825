/**
 * Every publisher on the ingress has a budget before its first byte is trusted (docs/protocol.md §4):
 * a message refused before its signature could vouch for a sender — unreadable, too large, an
 * unknown key, a bad signature — counts against the system whose broker user published it. Within
 * the budget such a refusal is recorded and answered as any other; past it, the message is only
 * counted (metrics) and acknowledged, so a flood of junk from one system costs the ledger and the
 * other systems next to nothing. On a bus without per-system users nobody can be charged (the
 * broker vouches for no publisher), and every refusal is recorded and answered.
 *
 * A message an HTTP door hands over (it carries `x-lgsp-door`) was published by the gateway's own
 * user for a caller the door could not charge: in signed mode the door leaves the signature to the
 * gateway. Its refusals before a signature vouched are answered and counted, not recorded — as
 * the doors answer the callers that never proved who they are. The header cannot hurt anyone
 * else: it only keeps its own publisher's junk out of the ledger.
 *
 * When the bus runs with a broker user per system (the gateway logged in as its own), a message
 * whose publisher the broker does not vouch for (no `user-id`) is refused unattributed: to the dead
 * letters, never answered to whatever `appId` it names.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { ErrorType } from '../protocol/errors.ts';
import { DOOR_HEADER } from '../protocol/headers.ts';
import { publisherOf } from '../transport/broker-users.ts';
import type { Delivery, Transport } from '../transport/transport.ts';

/** The refusals that come before a signature vouches for anyone: what junk is answered with. */
export const UNVERIFIED: ReadonlySet<ErrorType> = new Set<ErrorType>([
  'client.malformed', 'client.too_large', 'client.bad_algorithm', 'client.unknown_key', 'client.key_mismatch', 'client.bad_signature',
]);

/** What becomes of a refusal: recorded and answered; answered and counted only; or counted only (junk past its budget). */
export type RefusalFate = 'record' | 'answer' | 'count';

export interface PublisherBudget {
  /** What becomes of this refusal of a message from `delivery`'s publisher. */
  refusalFate(delivery: Delivery, type: ErrorType): Promise<RefusalFate>;
  /** True when the broker vouches for nobody as this message's publisher, on a bus where it must. */
  unattributed(delivery: Delivery): boolean;
}


export function createPublisherBudget(transport: Transport, junkPerSecond: number): PublisherBudget {
  const limiter = new RateLimiterMemory({ points: junkPerSecond, duration: 1 });
  const { prefix } = transport.names;
  // The gateway logged in as its own broker user: per-system users are in force on this bus.
  const usersInForce = publisherOf(prefix, transport.login)?.kind === 'gateway';
  return {
    async refusalFate(delivery, type) {
      if (!UNVERIFIED.has(type)) return 'record';
      if (typeof delivery.props.headers?.[DOOR_HEADER] === 'string') return 'answer';
      // The gateway's own user publishes for the HTTP doors, each with limits of its own.
      const publisher = publisherOf(prefix, delivery.props.userId);
      if (publisher?.kind !== 'system') return 'record';
      try {
        await limiter.consume(publisher.system);
        return 'record';
      } catch (err) {
        if (err instanceof RateLimiterRes) return 'count';
        throw err;
      }
    },
    unattributed: (delivery) => usersInForce && !publisherOf(prefix, delivery.props.userId),
  };
}
