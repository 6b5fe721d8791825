/**
 * The bus's per-client rate limit (rate-limiter-flexible, in memory): each client system may send
 * `perSecond` messages a second, counted after its signature verified — so nobody spends another
 * system's budget — and answered `client.rate_limited` beyond that, like the HTTP door's 429.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { GatewayError } from '../protocol/errors.ts';

export interface ClientRate {
  /** Counts one message of `client`; throws `client.rate_limited` when it is over its rate. */
  consume(client: string): Promise<void>;
}

export function createClientRate(perSecond: number): ClientRate {
  const limiter = new RateLimiterMemory({ points: perSecond, duration: 1 });
  return {
    async consume(client) {
      try {
        await limiter.consume(client);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        throw new GatewayError('client.rate_limited', `${client} is over its rate of ${perSecond} messages a second; retry in ${Math.ceil(err.msBeforeNext / 1000)} s.`);
      }
    },
  };
}
