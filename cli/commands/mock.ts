/** `lgsp mock <system...>`: mocked national or provincial systems on RabbitMQ, in a process of their own (`all`: every one). */
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

const MOCKS: readonly string[] = [...NATIONAL_SYSTEMS, ...PROVINCES.map(provincialSystem)];

export async function mock(wanted: readonly string[], options: MockOptions): Promise<void> {
  if (!options.amqpUrl) throw new Error('lgsp mock joins a bus on RabbitMQ: pass --amqp-url or set AMQP_URL (lgsp up runs every mock in one process)');
  const systems = wanted.includes('all') ? MOCKS : [...new Set(wanted)];
  const unknown = systems.find((s) => !MOCKS.includes(s));
  if (unknown) throw new Error(`no mock of ${unknown}; the mocks are ${MOCKS.join(', ')} (or all)`);
  const rt = await openRuntime(options, true);
  const faults = new FaultController();
  for (const f of options.faults) faults.apply(f);
  const env = { catalog: rt.catalog, connect: (n: string, s: string) => rt.connect(n, s), key: (s: string) => rt.key(s), faults, logger: rt.log };
  const data = nationalData(options.seed, options.citizens);
  const national = systems.filter((s) => (NATIONAL_SYSTEMS as readonly string[]).includes(s));
  const running: Array<{ stop(): Promise<void> }> = national.length > 0 ? [await startNational(env, { data, resultDelayMs: options.resultDelay, seed: options.seed, only: national })] : [];
  for (const province of PROVINCES.filter((p) => systems.includes(provincialSystem(p)))) {
    running.push(await startProvince(env, { province, data, seed: options.seed, certificateWaitMs: options.resultDelay * 3 }));
  }
  const names = systems.map((s) => `${s} (${rt.catalog.systems.get(s)?.name.en})`).join(', ');
  process.stdout.write(`mock ${names} on ${safeUrl(options.amqpUrl)}, queue prefix "${options.prefix}"; Ctrl-C stops\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void Promise.all(running.map((r) => r.stop())).then(() => rt.close()).then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
