/**
 * One mocked system on the bus, kept in step with its faults: not connected while `absent`,
 * away during outage windows, signing with a rotated key while `rotatedKey` — each change
 * taking effect at once.
 */
import type { Logger } from 'pino';
import { ServiceProvider, type Handler } from '../adapters/amqp/provider.ts';
import type { Catalog } from '../gateway/catalog/catalog.ts';
import { generateSigningKey, type SigningKey } from '../gateway/protocol/keys.ts';
import type { Transport } from '../gateway/transport/transport.ts';
import type { FaultController } from './faults.ts';

/** What mocks need from their surroundings: the catalog, connections and keys. */
export interface MockEnv {
  readonly catalog: Catalog;
  /** A connection for `system` (its own broker user, where the bus has them). */
  connect(name: string, system: string): Promise<Transport>;
  key(system: string): Promise<SigningKey>;
  readonly faults: FaultController;
  readonly logger?: Logger;
}

export interface RunningSystem {
  readonly system: string;
  stop(): Promise<void>;
}

export async function runSystem(env: MockEnv, system: string, handlers: Record<string, Handler>): Promise<RunningSystem> {
  const key = await env.key(system);
  const rotated = (await generateSigningKey(system, 'rotated-2025')).signing;
  const provider = await ServiceProvider.start({
    transport: await env.connect(system, system), system, key, keys: env.catalog.keys, gateway: env.catalog.gateway, handlers, logger: env.logger,
  });
  let outageTimer: NodeJS.Timeout | undefined;
  let backTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const sync = async () => {
    const f = env.faults.get(system);
    provider.setSigningKey(f.rotatedKey ? rotated : key);
    clearInterval(outageTimer);
    outageTimer = undefined;
    if (f.absent) return provider.pause();
    if (f.outage) {
      const { everyMs, forMs } = f.outage;
      outageTimer = setInterval(() => {
        void provider.pause();
        backTimer = setTimeout(() => void (stopped || env.faults.get(system).absent ? undefined : provider.resume()), forMs);
      }, everyMs);
      outageTimer.unref();
    }
    await provider.resume();
  };
  const unsubscribe = env.faults.onChange((s) => {
    if (s === system && !stopped) void sync();
  });
  await sync();
  return {
    system,
    async stop() {
      stopped = true;
      unsubscribe();
      clearInterval(outageTimer);
      clearTimeout(backTimer);
      await provider.stop();
    },
  };
}
