/**
 * `lgsp up`: the gateway, every mocked national and provincial system and a live provincial
 * workload in one process, with a live summary. Embedded transport unless an AMQP URL is given.
 * Ctrl-C stops it cleanly.
 */
import { startBridge } from '../../adapters/http/bridge/bridge.ts';
import { loadBridgeConfig } from '../../adapters/http/bridge/config.ts';
import { FaultController } from '../../mocks/faults.ts';
import { startLiveWorkload, startSimulation, type Simulation } from '../../mocks/simulation.ts';
import { expectedCounts, planProfile, replay, WORKLOAD_PROFILES } from '../../mocks/workload.ts';
import { simulatorControls } from '../controls.ts';
import { startGatewayStack } from '../gateway-stack.ts';
import { LOG_FILE, openRuntime, safeUrl, type CommonOptions } from '../runtime.ts';
import { Summary } from '../summary.ts';

export interface UpOptions extends CommonOptions {
  operatorPort: number | false;
  ingressPort: number | false;
  ratePerSecond: number;
  host: string;
  rate: number;
  seed: number;
  citizens: number;
  faults: string[];
  resultDelay: number;
  duration?: number;
  /** Replay this workload profile instead of the live workload. */
  profile?: string;
  profileSeconds: number;
  /** REST bridge configuration files: these national systems' HTTP APIs replace their mocks. */
  bridge: string[];
}

/** Replays a profile on its province and prints the counts it ends with beside the profile's. */
async function replayProfile(sim: Simulation, name: string, seconds: number, out: NodeJS.WriteStream): Promise<void> {
  const profile = WORKLOAD_PROFILES[name]!;
  const province = sim.provinces.get(profile.province)!;
  const plans = planProfile(profile, [...sim.data.citizens.values()], 1);
  out.write(`replaying ${name}: ${profile.description}\n  ${plans.length} dossiers over ${seconds} s\n\n`);
  const counts = await replay(province, plans, { durationMs: seconds * 1000, concurrency: 64 });
  const expected = expectedCounts(profile);
  out.write(`\nreplay of ${name} ended:\n`);
  for (const [k, v] of Object.entries(counts)) out.write(`  ${k.padEnd(12)} ${String(v).padStart(6)}   profile ${String(expected[k as keyof typeof expected]).padStart(6)}  ${v === expected[k as keyof typeof expected] ? '✓' : '✗'}\n`);
}

export async function up(options: UpOptions): Promise<void> {
  const faults = new FaultController();
  for (const profile of options.faults) faults.apply(profile);
  const rt = await openRuntime(options, true, 'home');
  const { catalog } = rt;
  const bridges = options.bridge.map((file) => loadBridgeConfig(file, catalog));
  const summary = new Summary();
  const out = process.stdout;

  let sim: Simulation | undefined;
  const stack = await startGatewayStack(rt, {
    command: 'up', operatorPort: options.operatorPort, ingressPort: options.ingressPort, ratePerSecond: options.ratePerSecond, host: options.host,
    onRecord: (r) => summary.add(r), routes: simulatorControls(faults, () => sim),
  }).catch(async (err: Error) => {
    await rt.close();
    throw err;
  });
  out.write(`LGSP Simulator — ${catalog.systems.size} systems, ${catalog.services.size} services, on ${options.amqpUrl ? `RabbitMQ ${safeUrl(options.amqpUrl)}` : 'the embedded transport'}\n`);
  out.write(`state, ledger and logs (${LOG_FILE}) in ${rt.home}${stack.operatorUrl ? `; dashboard ${stack.operatorUrl}/` : ''}${stack.ingressUrl ? `; HTTP ingress ${stack.ingressUrl}` : ''}; Ctrl-C stops\n`);
  if (options.faults.length > 0) out.write(`faults: ${options.faults.join(', ')}\n`);
  out.write('\n');

  sim = await startSimulation({ catalog, connect: (n) => rt.connect(n), key: (s) => rt.key(s), faults, logger: rt.log }, {
    seed: options.seed, citizens: options.citizens, resultDelayMs: options.resultDelay, without: bridges.map((b) => b.system),
  });
  const bridged = await Promise.all(bridges.map(async (config) => {
    out.write(`bridge: ${config.system} → ${config.baseUrl}\n`);
    return startBridge({ transport: await rt.connect(`${config.system} bridge`), catalog, key: await rt.key(config.system), config, logger: rt.log });
  }));
  const ticker = setInterval(() => summary.draw(), 1000);
  let stopWorkload = async () => {};
  if (options.profile) {
    const done = replayProfile(sim, options.profile, options.profileSeconds, out);
    stopWorkload = () => done;
    void done.then(() => process.kill(process.pid, 'SIGINT'));
  } else {
    stopWorkload = startLiveWorkload(sim, options.rate, options.seed);
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(ticker);
    await stopWorkload();
    summary.release();
    out.write('\nstopping…\n');
    await sim?.stop();
    for (const b of bridged) await b.stop();
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
