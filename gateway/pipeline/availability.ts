/**
 * Whether a provider is there: somebody consumes its inbox (docs/protocol.md §4,
 * `server.provider_unavailable`). A consumer count is trusted for `ttlMs`, then asked again
 * (once, however many messages wait for the answer), so the hot path asks the broker at most
 * once per provider per `ttlMs`. It also remembers when each provider was last seen served, so
 * that one whose consumer went away a moment ago (a broker event) can be waited for.
 */
import type { Transport } from '../transport/transport.ts';

export interface Availability {
  isUp(system: string): Promise<boolean>;
  /** When `system` was last seen served (epoch ms), if it ever was. */
  lastSeenUp(system: string): number | undefined;
}

export function createAvailability(transport: Transport, ttlMs: number, now: () => number): Availability {
  const cache = new Map<string, { consumers: number; at: number; refreshing?: Promise<number> }>();
  const seenUp = new Map<string, number>();

  const refresh = (system: string): Promise<number> => {
    const entry = cache.get(system);
    if (entry?.refreshing) return entry.refreshing;
    const refreshing = transport.inspect(transport.names.inbox(system)).then(
      (info) => {
        const consumers = info?.consumers ?? 0;
        cache.set(system, { consumers, at: now() });
        if (consumers > 0) seenUp.set(system, now());
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
    lastSeenUp: (system) => seenUp.get(system),
    async isUp(system) {
      const entry = cache.get(system);
      if (entry && !entry.refreshing && now() - entry.at <= ttlMs) return entry.consumers > 0;
      return (await refresh(system)) > 0;
    },
  };
}
