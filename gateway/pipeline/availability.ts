/**
 * Whether a provider is there: somebody consumes its inbox (DESIGN §4,
 * `server.provider_unavailable`). Consumer counts are cached briefly and refreshed in the
 * background, so the hot path asks the broker only when a provider looks absent.
 */
import type { Transport } from '../transport/transport.ts';

export interface Availability {
  isUp(system: string): Promise<boolean>;
}

export function createAvailability(transport: Transport, ttlMs: number, now: () => number): Availability {
  const cache = new Map<string, { consumers: number; at: number; refreshing?: Promise<number> }>();

  const refresh = (system: string): Promise<number> => {
    const entry = cache.get(system);
    if (entry?.refreshing) return entry.refreshing;
    const refreshing = transport.inspect(transport.names.inbox(system)).then(
      (info) => {
        const consumers = info?.consumers ?? 0;
        cache.set(system, { consumers, at: now() });
        return consumers;
      },
      () => {
        cache.delete(system);
        return 0;
      },
    );
    cache.set(system, { consumers: entry?.consumers ?? 0, at: entry?.at ?? 0, refreshing });
    return refreshing;
  };

  return {
    async isUp(system) {
      const entry = cache.get(system);
      if (entry && entry.consumers > 0) {
        if (now() - entry.at > ttlMs) void refresh(system);
        return true;
      }
      return (await refresh(system)) > 0;
    },
  };
}
