/** `lgsp mock <system>`: one mocked national or provincial system on RabbitMQ, as its own process. */
import { nationalData } from '../../mocks/data/national.ts';
import { PROVINCES, provincialSystem } from '../../mocks/data/places.ts';
import { FaultController } from '../../mocks/faults.ts';
import { startNational } from '../../mocks/national/index.ts';
import { NATIONAL_SYSTEMS } from '../../mocks/national/systems.ts';
import { startProvince } from '../../mocks/provincial/province.ts';
import { openRuntime, safeUrl, type CommonOptions } from '../runtime.ts';

export interface MockOptions extends CommonOptions {
  seed: number;
  citizens: number;
  faults: string[];
  resultDelay: number;
}

export async function mock(system: string, options: MockOptions): Promise<void> {
  if (!options.amqpUrl) throw new Error('lgsp mock joins a bus on RabbitMQ: pass --amqp-url or set AMQP_URL (lgsp up runs every mock in one process)');
  const province = PROVINCES.find((p) => provincialSystem(p) === system);
  if (!province && !(NATIONAL_SYSTEMS as readonly string[]).includes(system)) {
    throw new Error(`no mock of ${system}; the mocks are ${[...NATIONAL_SYSTEMS, ...PROVINCES.map(provincialSystem)].join(', ')}`);
  }
  const rt = await openRuntime(options, true);
  const faults = new FaultController();
  for (const f of options.faults) faults.apply(f);
  const env = { catalog: rt.catalog, connect: (n: string, s: string) => rt.connect(n, s), key: (s: string) => rt.key(s), faults, logger: rt.log };
  const data = nationalData(options.seed, options.citizens);
  const running = province
    ? await startProvince(env, { province, data, seed: options.seed, certificateWaitMs: options.resultDelay * 3 })
    : await startNational(env, { data, resultDelayMs: options.resultDelay, seed: options.seed, only: [system] });
  process.stdout.write(`mock ${system} (${rt.catalog.systems.get(system)?.name.en}) on ${safeUrl(options.amqpUrl)}, queue prefix "${options.prefix}"; Ctrl-C stops\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void running.stop().then(() => rt.close()).then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
