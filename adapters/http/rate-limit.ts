/**
 * The ingress's per-client rate (rate-limiter-flexible, in memory): each calling system gets
 * `perSecond` requests a second; beyond that it is answered `client.rate_limited` (429) with
 * `Retry-After`. Only requests proved to be the caller's own are charged — so nobody spends another
 * system's budget: in credential mode the door proves it (the bearer token) and charges at once;
 * in signed mode the gateway proves it (the signature), and the door charges once the gateway's
 * answer shows it did.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { GatewayError, type ErrorType } from '../../gateway/protocol/errors.ts';
import { UNVERIFIED } from '../../gateway/pipeline/publishers.ts';

/** A refusal for being over the rate, with the seconds to wait. */
export class OverRate extends GatewayError {
  constructor(client: string, perSecond: number, readonly retryAfterSeconds: number) {
    super('client.rate_limited', `${client} is over its rate of ${perSecond} requests a second.`);
  }
}

export interface DoorRate {
  /** Throws OverRate for a caller over its rate; charges this request when the door has proved the caller. */
  admit(client: string, proven: boolean): Promise<void>;
  /** Charges a request once the gateway's answer of `type` shows its signature proved the caller (signed mode). */
  settle(client: string, type: ErrorType | 'ok'): Promise<void>;
}

export function createDoorRate(perSecond: number): DoorRate {
  const limiter = new RateLimiterMemory({ points: perSecond, duration: 1 });
  const over = (client: string, res: RateLimiterRes) => new OverRate(client, perSecond, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
  return {
    async admit(client, proven) {
      if (!proven) {
        const spent = await limiter.get(client);
        if (spent && spent.consumedPoints >= perSecond) throw over(client, spent);
        return;
      }
      try {
        await limiter.consume(client);
      } catch (err) {
        if (err instanceof RateLimiterRes) throw over(client, err);
        throw err;
      }
    },
    async settle(client, type) {
      if (type === 'ok' || !UNVERIFIED.has(type)) await limiter.penalty(client, 1);
    },
  };
}
