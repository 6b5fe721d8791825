/** Starts every national system of SYSTEMS.md as a mock provider on the bus. */
import { GatewayClient } from '../../adapters/amqp/client.ts';
import type { NationalData } from '../data/national.ts';
import { seededRandom } from '../data/random.ts';
import { withFaults } from '../faults.ts';
import { runSystem, type MockEnv, type RunningSystem } from '../system.ts';
import { dancuHandlers } from './dancu.ts';
import { createDvcqg } from './dvcqg.ts';
import { dkkdHandlers } from './dkkd.ts';
import { hotichHandlers } from './hotich.ts';
import { createLltp } from './lltp.ts';
import { DANCU, DKKD, DVCQG, HOTICH, LLTP, THUE } from './systems.ts';
import { thueHandlers } from './thue.ts';

export interface NationalOptions {
  readonly data: NationalData;
  /** How long a judicial record certificate takes (10 days by law, compressed). */
  readonly resultDelayMs: number;
  readonly seed: number;
  /** Only these systems (default: all six). */
  readonly only?: readonly string[];
}

export interface NationalMocks {
  readonly portal: ReturnType<typeof createDvcqg>;
  readonly judicial: ReturnType<typeof createLltp>;
  stop(): Promise<void>;
}

export async function startNational(env: MockEnv, options: NationalOptions): Promise<NationalMocks> {
  const random = seededRandom(options.seed + 7);
  const timeoutOf = (system: string) => (method: string) => env.catalog.services.get(`${system}/${method}`)?.timeoutMs ?? 5000;
  const portal = createDvcqg(options.data, () => env.faults.get(DVCQG).manualRefunds === true, (client) => env.catalog.systems.get(client)?.agencyCode);
  let lltpClient: GatewayClient | undefined;
  const judicial = createLltp({
    data: options.data, resultDelayMs: options.resultDelayMs,
    sendResult: async (province, result, issue) => {
      await lltpClient?.sendEvent(`${province}/criminal-record.result/v1`, result, { userId: 'LLTP-SYSTEM', ...(issue && { issue }) });
    },
  });
  const all: Record<string, Record<string, import('../../adapters/amqp/provider.ts').Handler>> = {
    [DVCQG]: portal.handlers, [DANCU]: dancuHandlers(options.data), [HOTICH]: hotichHandlers(options.data),
    [LLTP]: judicial.handlers, [THUE]: thueHandlers(options.data), [DKKD]: dkkdHandlers(options.data),
  };
  const running: RunningSystem[] = [];
  for (const [system, handlers] of Object.entries(all)) {
    if (options.only && !options.only.includes(system)) continue;
    running.push(await runSystem(env, system, withFaults(system, handlers, env.faults, random, timeoutOf(system))));
  }
  if (!options.only || options.only.includes(LLTP)) {
    lltpClient = await GatewayClient.connect({
      transport: await env.connect(`${LLTP} client`, LLTP), system: LLTP, key: await env.key(LLTP), keys: env.catalog.keys, gateway: env.catalog.gateway,
    });
  }
  return {
    portal, judicial,
    async stop() {
      judicial.stop();
      await lltpClient?.close();
      for (const r of running) await r.stop();
    },
  };
}
