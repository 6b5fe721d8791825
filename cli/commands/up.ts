/**
 * `lgsp up`: the gateway, every mocked national and provincial system and a live provincial
 * workload in one process, with a live summary. Embedded transport unless an AMQP URL is given.
 * Ctrl-C stops it cleanly.
 */
import express from 'express';
import { join } from 'node:path';
import { DEFAULT_DVCQG_CONFIG } from '../../adapters/dvcqg/facade.ts';
import { startBridge } from '../../adapters/http/bridge/bridge.ts';
import { DEFAULT_INGRESS_CONFIG } from '../../adapters/http/ingress.ts';
import { loadBridgeConfig } from '../../adapters/http/bridge/config.ts';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { lgspHome } from '../../gateway/home/keys.ts';
import { systemsFileOf } from '../../gateway/home/systems.ts';
import { provisionBus } from '../../gateway/transport/provision.ts';
import { FaultController } from '../../mocks/faults.ts';
import { startLiveWorkload, startSimulation, type Simulation } from '../../mocks/simulation.ts';
import { defaultReplaySeconds, WORKLOAD_PROFILES } from '../../mocks/workload.ts';
import { adminRoutes } from '../admin.ts';
import { simulatorControls } from '../controls.ts';
import { replayProfile, scaleProfile } from '../profile-run.ts';
import { startGatewayStack, type StackOptions } from '../gateway-stack.ts';
import { LOG_FILE, openRuntime, safeUrl, type CommonOptions } from '../runtime.ts';
import { Summary } from '../summary.ts';
import { writeReady } from '../ready.ts';

export interface UpOptions extends CommonOptions {
  operatorPort: number | false;
  ingressPort: number | false;
  ratePerSecond: number;
  busRatePerSecond?: number;
  host: string;
  /** HTTPS for the ingress and the operator server. */
  tls?: boolean;
  /** Journal each transaction (default on: `--no-journal` turns it off). */
  journal?: boolean;
  ingressConfig?: StackOptions['ingressConfig'];
  dvcqg?: StackOptions['dvcqg'];
  rate: number;
  seed: number;
  citizens: number;
  faults: string[];
  resultDelay: number;
  duration?: number;
  /** Replay this workload profile instead of the live workload. */
  profile?: string;
  profileSeconds?: number;
  /** With `profile`: stream its shares until this many transactions are recorded. */
  scale?: number;
  /** REST bridge configuration files: these national systems' HTTP APIs replace their mocks. */
  bridge: string[];
  /** On RabbitMQ: make the broker users first, then connect each part as its own. */
  provision?: boolean;
  managementUrl?: string;
  /** False: no live workload (`--no-workload`). */
  workload?: boolean;
  /** Written once every part is connected; removed on stop. */
  readyFile?: string;
}

export async function up(options: UpOptions): Promise<void> {
  const faults = new FaultController();
  for (const profile of options.faults) faults.apply(profile);
  if (options.provision) {
    if (!options.amqpUrl) throw new Error('--provision makes broker users on RabbitMQ: pass --amqp-url (an administrator\'s login) too');
    const home = options.home ?? lgspHome();
    await provisionBus({ amqpUrl: options.amqpUrl, managementUrl: options.managementUrl, prefix: options.prefix, catalog: await loadCatalog(options.contracts, { systemsFile: systemsFileOf(home) }), home });
  }
  const rt = await openRuntime({ ...options, brokerUsers: options.brokerUsers || options.provision }, true, 'home');
  const { catalog } = rt;
  const bridges = options.bridge.map((file) => loadBridgeConfig(file, catalog));
  const summary = new Summary();
  const out = process.stdout;

  let sim: Simulation | undefined;
  const admin = adminRoutes({ faults, catalog, ledgerFile: join(rt.home, 'ledger.sqlite') });
  const stack = await startGatewayStack(rt, {
    command: 'up', operatorPort: options.operatorPort, ingressPort: options.ingressPort, ratePerSecond: options.ratePerSecond, host: options.host, tls: options.tls, journal: options.journal !== false, ingressConfig: options.ingressConfig, dvcqg: options.dvcqg,
    // A --scale stream comes from one province as fast as the bus carries it: no per-client limit on the bus then.
    busRatePerSecond: options.scale ? Number.MAX_SAFE_INTEGER : options.busRatePerSecond,
    onRecord: (r) => summary.add(r), routes: express.Router().use(simulatorControls(faults, () => sim), admin.router),
  }).catch(async (err: Error) => {
    await rt.close();
    throw err;
  });
  const users = options.amqpUrl && (options.brokerUsers || options.provision) ? ', each system as its own broker user' : '';
  out.write(`LGSP Simulator — ${catalog.systems.size} systems, ${catalog.services.size} services, on ${options.amqpUrl ? `RabbitMQ ${safeUrl(options.amqpUrl)}${users}` : 'the embedded transport'}\n`);
  out.write(`state, ledger and logs (${LOG_FILE}) in ${rt.home}${stack.operatorUrl ? `; dashboard ${stack.operatorUrl}/` : ''}${stack.ingressUrl ? `; HTTP ingress ${stack.ingressUrl}` : ''}; Ctrl-C stops\n`);
  if (stack.ingressUrl) {
    const at = stack.ingressUrl;
    const d = { ...DEFAULT_DVCQG_CONFIG, ...options.dvcqg };
    const i = { ...DEFAULT_INGRESS_CONFIG, ...options.ingressConfig };
    out.write(`real APIs (docs/real-apis.md): DVCQG adapter ${at}${d.authPath}, ${at}${d.apiPath}; LGSP ${at}${i.tokenPath}, ${at}${i.lgspBase}/Document/…; `
      + `population database SOAP ${at}${i.dancuSoapPath} (?wsdl)\n`);
  }
  if (options.faults.length > 0) out.write(`faults: ${options.faults.join(', ')}\n`);
  out.write('\n');

  sim = await startSimulation({ catalog, connect: (n, s) => rt.connect(n, s), key: (s) => rt.key(s), faults, logger: rt.log }, {
    seed: options.seed, citizens: options.citizens, resultDelayMs: options.resultDelay, without: bridges.map((b) => b.system),
  });
  const bridged = await Promise.all(bridges.map(async (config) => {
    out.write(`bridge: ${config.system} → ${config.baseUrl}\n`);
    return startBridge({ transport: await rt.connect(`${config.system} bridge`, config.system), catalog, key: await rt.key(config.system), config, logger: rt.log });
  }));
  const unready = options.readyFile
    ? writeReady(options.readyFile, { pid: process.pid, command: 'up', transport: rt.transportKind, amqp: rt.amqp, prefix: rt.prefix, ingressUrl: stack.ingressUrl, operatorUrl: stack.operatorUrl, home: rt.home })
    : () => {};
  // A scale run draws its own progress bar in place of the summary.
  const ticker = options.scale ? undefined : setInterval(() => summary.draw(), 1000);
  let stopWorkload = async () => {};
  if (options.profile) {
    const done = options.scale
      ? scaleProfile(sim, options.profile, options.scale, () => summary.total, out)
      : replayProfile(sim, options.profile, options.profileSeconds ?? defaultReplaySeconds(WORKLOAD_PROFILES[options.profile]!), () => summary.total, out);
    stopWorkload = () => done;
    void done.then(() => process.kill(process.pid, 'SIGINT'));
  } else if (options.workload !== false) {
    stopWorkload = startLiveWorkload(sim, options.rate, options.seed);
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    unready();
    if (ticker) clearInterval(ticker);
    await stopWorkload();
    summary.release();
    out.write('\nstopping…\n');
    await sim?.stop();
    for (const b of bridged) await b.stop();
    admin.close();
    await stack.stop();
    await rt.close();
    if (!options.scale) summary.draw();
    out.write('stopped.\n');
  };
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => void stop().then(resolve));
    process.once('SIGTERM', () => void stop().then(resolve));
    if (options.duration) setTimeout(() => void stop().then(resolve), options.duration * 1000).unref();
  });
}
