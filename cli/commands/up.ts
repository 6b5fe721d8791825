/**
 * `lgsp up`: the gateway, every mocked national and provincial system and a live provincial
 * workload in one process, with a live summary. Embedded transport unless an AMQP URL is given.
 * Ctrl-C stops it cleanly.
 */
import { FaultController } from '../../mocks/faults.ts';
import { startLiveWorkload, startSimulation, type Simulation } from '../../mocks/simulation.ts';
import { simulatorControls } from '../controls.ts';
import { startGatewayStack } from '../gateway-stack.ts';
import { openRuntime, safeUrl, type CommonOptions } from '../runtime.ts';
import { Summary } from '../summary.ts';

export interface UpOptions extends CommonOptions {
  operatorPort: number | false;
  rate: number;
  seed: number;
  citizens: number;
  faults: string[];
  resultDelay: number;
  duration?: number;
}

export async function up(options: UpOptions): Promise<void> {
  const faults = new FaultController();
  for (const profile of options.faults) faults.apply(profile);
  const rt = await openRuntime(options, true);
  const { catalog } = rt;
  const summary = new Summary();
  const out = process.stdout;
  out.write(`LGSP Simulator — ${catalog.systems.size} systems, ${catalog.services.size} services, on ${options.amqpUrl ? `RabbitMQ ${safeUrl(options.amqpUrl)}` : 'the embedded transport'}\n`);

  let sim: Simulation | undefined;
  const stack = await startGatewayStack(rt, { operatorPort: options.operatorPort, onRecord: (r) => summary.add(r), routes: simulatorControls(faults, () => sim) });
  out.write(`state and ledger in ${rt.home}${stack.operatorUrl ? `; dashboard ${stack.operatorUrl}/` : ''}; Ctrl-C stops\n`);
  if (options.faults.length > 0) out.write(`faults: ${options.faults.join(', ')}\n`);
  out.write('\n');

  sim = await startSimulation({ catalog, connect: (n) => rt.connect(n), key: (s) => rt.key(s), faults, logger: rt.log }, {
    seed: options.seed, citizens: options.citizens, resultDelayMs: options.resultDelay,
  });
  const stopWorkload = startLiveWorkload(sim, options.rate, options.seed);

  const ticker = setInterval(() => summary.draw(), 1000);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(ticker);
    summary.release();
    out.write('\nstopping…\n');
    await stopWorkload();
    await sim?.stop();
    await stack.stop();
    await rt.close();
    summary.draw();
    out.write('stopped.\n');
  };
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => void stop().then(resolve));
    process.once('SIGTERM', () => void stop().then(resolve));
    if (options.duration) setTimeout(() => void stop().then(resolve), options.duration * 1000).unref();
  });
}
