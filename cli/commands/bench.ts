/**
 * `lgsp bench`: in one run against the same RabbitMQ, at the same payload size: raw amqplib
 * request/reply; the durable relay (the gateway's hops, queues, persistence and confirms, no
 * checks: the limit); the floor (the relay plus what no gateway may skip: both signatures verified,
 * each transaction recorded with its answer); and full gateway transactions (signed, checked both
 * ways, attested, recorded in the SQLite ledger). The three each run closed loop, at a fixed rate
 * (open loop) and one at a time, side by side, and the gateway is reported against the relay and
 * the floor.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import amqp from 'amqplib';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { DEFAULT_CONFIG } from '../../gateway/config.ts';
import { ensureSigningKey, registeredPublicKeys } from '../../gateway/home/keys.ts';
import { SqliteLedger } from '../../gateway/ledger/sqlite.ts';
import { verifyChain } from '../../gateway/ledger/verify.ts';
import { createGateway } from '../../gateway/pipeline/gateway.ts';
import { connectRabbit } from '../../gateway/transport/rabbitmq.ts';
import { topologyFor } from '../../gateway/transport/topology.ts';
import { floorWork } from '../bench/floor.ts';
import { startRelay } from '../bench/relay.ts';
import { CLIENT, PROVIDER, type GatewayPeerInput, type PeerMode, type RawPeerInput } from '../bench/scenario.ts';
import { measureSignatures } from '../bench/signatures.ts';
import { eventLoopLoad, rssPeak, type PhaseResult } from '../bench/stats.ts';
import { safeUrl } from '../runtime.ts';

export interface BenchOptions {
  amqpUrl?: string;
  contracts: string;
  count: number;
  concurrency: number;
  rate: number;
  rateSeconds: number;
  serialCount: number;
}

const HERE = import.meta.dirname;

/**
 * Runs the peer scripts, each in its own process, and returns what each reports. Ctrl-C stops the
 * one running and makes every later one fail at once, so the run ends through its clean-up.
 */
function peerRunner() {
  const running = new Set<ChildProcess>();
  let interrupted = false;
  const interruption = () => new Error("interrupted; the run's queues were removed");
  const interrupt = () => {
    interrupted = true;
    for (const child of running) child.kill('SIGINT');
  };
  process.once('SIGINT', interrupt);
  return {
    run<I>(script: string, input: I): Promise<PhaseResult> {
      if (interrupted) return Promise.reject(interruption());
      return new Promise((done, fail) => {
        // From the build, the compiled peer; from the sources, the TypeScript one under tsx.
        const compiled = resolve(HERE, '../bench', script.replace(/\.ts$/, '.js'));
        const child = existsSync(compiled) && import.meta.url.endsWith('.js')
          ? fork(compiled, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
          : fork(resolve(HERE, '../bench', script), [], { execArgv: ['--import', import.meta.resolve('tsx')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        running.add(child);
        child.once('message', (m: PhaseResult & { error?: string }) => (m.error ? fail(new Error(m.error)) : done(m)));
        child.once('exit', (code, signal) => {
          running.delete(child);
          if (interrupted || signal === 'SIGINT') fail(interruption());
          else if (code !== 0) fail(new Error(`${script} exited with ${code ?? signal}`));
        });
        child.send(input as object);
      });
    },
    close: () => process.off('SIGINT', interrupt),
  };
}

const rate = (r: PhaseResult) => (r.count * 1000) / r.elapsedMs;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)} %`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

type Subject = 'relay' | 'floor' | 'gateway';
type Measured = PhaseResult & { readonly cpuUs: number };

interface Phase {
  readonly label: string;
  readonly count: number;
  readonly mode: PeerMode;
}

export async function bench(options: BenchOptions): Promise<void> {
  const url = options.amqpUrl;
  if (!url) throw new Error('lgsp bench compares against raw RabbitMQ: pass --amqp-url or set AMQP_URL');
  const out = process.stdout;
  const home = mkdtempSync(join(tmpdir(), 'lgsp-bench-'));
  const run = randomBytes(3).toString('hex');
  const prefixes = { gateway: `lgsp-bench-${run}`, relay: `lgsp-bench-${run}-relay`, floor: `lgsp-bench-${run}-floor` };
  const payloadBytes = 700; // about the size of a signed citizen.verify request
  const phases: Phase[] = [
    { label: `${options.concurrency} in flight`, count: options.count, mode: { concurrency: options.concurrency } },
    { label: `at ${options.rate}/s (open loop)`, count: options.rate * options.rateSeconds, mode: { rate: options.rate } },
    { label: 'one at a time', count: options.serialCount, mode: { concurrency: 1 } },
  ];
  out.write(`lgsp bench on ${safeUrl(url)}: ${payloadBytes}-byte payloads; ${options.count} round trips at ${options.concurrency} in flight, `
    + `${options.rateSeconds} s at ${options.rate}/s, ${options.serialCount} one at a time; its queues are named ${prefixes.gateway}* and removed at the end\n`);
  const peers = peerRunner();
  const transports = [] as { close(): Promise<void> }[];
  const ledgers = [] as SqliteLedger[];
  const connect = async (subject: Subject) => {
    const transport = await connectRabbit({ url, prefix: prefixes[subject], name: `lgsp bench ${subject}` });
    transports.push(transport);
    return transport;
  };
  const openLedger = (file: string) => {
    const ledger = new SqliteLedger({ file: join(home, file) });
    ledgers.push(ledger);
    return ledger;
  };
  try {
    out.write('raw amqplib request/reply … ');
    const raw = await peers.run<RawPeerInput>('raw-peer.ts', { url, queue: `${prefixes.gateway}.raw`, count: options.count, concurrency: options.concurrency, payloadBytes });
    out.write(`${rate(raw).toFixed(0)}/s\n`);

    for (const system of ['VN/GOV/LGSP/GATEWAY', CLIENT, PROVIDER]) await ensureSigningKey(home, system);
    const catalog = await loadCatalog(options.contracts, { extraKeys: registeredPublicKeys(home) });
    const prefetch = { requests: DEFAULT_CONFIG.prefetch, replies: DEFAULT_CONFIG.responsePrefetch };
    const relay = await startRelay(await connect('relay'), CLIENT, PROVIDER, prefetch);
    const floor = await startRelay(await connect('floor'), CLIENT, PROVIDER, prefetch, floorWork(catalog, openLedger('floor.sqlite'), PROVIDER, 'floor'));
    // One client sends everything here: no per-client limit on the bus, so that the gateway's own cost is measured.
    const gateway = createGateway({
      transport: await connect('gateway'), catalog, key: await ensureSigningKey(home, catalog.gateway), ledger: openLedger('ledger.sqlite'),
      config: { clientRatePerSecond: Number.MAX_SAFE_INTEGER },
    });
    await gateway.start();

    const results: { phase: Phase; runs: Record<Subject, Measured>; gatewayRssMb: number; loop: { busyPct: number; delayP99Ms: number } }[] = [];
    /** Drives one subject through a phase, with this process's CPU (every thread: the event loop, libuv's crypto, SQLite) per round trip, in µs. */
    const measure = async (subject: Subject, phase: Phase): Promise<Measured> => {
      const since = process.cpuUsage();
      const result = await peers.run<GatewayPeerInput>('gateway-peer.ts', { url, prefix: prefixes[subject], home, count: phase.count, mode: phase.mode });
      const used = process.cpuUsage(since);
      out.write(`${subject} ${rate(result).toFixed(0)}/s${subject === 'gateway' ? '\n' : ', '}`);
      return { ...result, cpuUs: (used.user + used.system) / phase.count };
    };
    for (const phase of phases) {
      out.write(`${phase.label}: `);
      const relayRun = await measure('relay', phase);
      const floorRun = await measure('floor', phase);
      const memory = rssPeak();
      const loop = eventLoopLoad();
      const gatewayRun = await measure('gateway', phase);
      results.push({ phase, runs: { relay: relayRun, floor: floorRun, gateway: gatewayRun }, gatewayRssMb: memory.stop(), loop: loop.stop() });
    }

    await gateway.stop();
    await relay.stop();
    await floor.stop();
    for (const ledger of ledgers) await ledger.close();
    out.write('signing and verifying alone … ');
    const signatures = await measureSignatures();
    out.write(`${signatures.signPerSecond.toFixed(0)} signatures/s, ${signatures.verifyPerSecond.toFixed(0)} verifications/s\n`);
    const recorded = { gateway: (await verifyChain(join(home, 'ledger.sqlite'))).records, floor: (await verifyChain(join(home, 'floor.sqlite'))).records };

    const row = (name: string, r: PhaseResult) =>
      `  ${name.padEnd(38)} ${rate(r).toFixed(0).padStart(7)}/s  p50 ${ms(r.p50).padStart(9)}  p99 ${ms(r.p99).padStart(9)}  errors ${String(r.errors).padStart(3)}`;
    const [closed, open, serial] = results.map((r) => r.runs) as [Record<Subject, Measured>, Record<Subject, Measured>, Record<Subject, Measured>];
    const lines = ['', row(`raw request/reply, ${options.concurrency} in flight`, raw) + `  peak RSS ${raw.peakRssMb} MB`];
    for (const r of results) {
      lines.push(row(`relay, ${r.phase.label}`, r.runs.relay) + `  CPU ${r.runs.relay.cpuUs.toFixed(0)} µs each`,
        row(`floor, ${r.phase.label}`, r.runs.floor) + `  CPU ${r.runs.floor.cpuUs.toFixed(0)} µs each`,
        row(`gateway, ${r.phase.label}`, r.runs.gateway) + `  peak RSS ${r.gatewayRssMb} MB`
          + `  CPU ${r.runs.gateway.cpuUs.toFixed(0)} µs each; event loop ${r.loop.busyPct.toFixed(0)} % busy, delay p99 ${ms(r.loop.delayP99Ms)}`);
    }
    const throughput = rate(closed.gateway) / rate(closed.relay);
    const p99Times = open.gateway.p99 / open.relay.p99;
    const addedSerial = serial.gateway.p50 - serial.relay.p50;
    lines.push('',
      `  throughput: gateway / relay ${pct(rate(closed.gateway), rate(closed.relay))} (target ≥ 50 %: ${verdict(throughput >= 0.5)}); gateway / raw ${pct(rate(closed.gateway), rate(raw))}; relay / raw ${pct(rate(closed.relay), rate(raw))}`,
      `  at ${options.rate}/s: the gateway adds p50 ${ms(open.gateway.p50 - open.relay.p50)}, p99 ${ms(open.gateway.p99 - open.relay.p99)}; `
        + `its p99 is ${p99Times.toFixed(2)}× the relay's (target ≤ 2×: ${verdict(p99Times <= 2)})`,
      `  one at a time: the gateway adds p50 ${ms(addedSerial)}, p99 ${ms(serial.gateway.p99 - serial.relay.p99)} (target ≤ 1.5 ms at p50: ${verdict(addedSerial <= 1.5)})`,
      `  the floor (the relay, both signatures verified, each transaction recorded): ${pct(rate(closed.floor), rate(closed.relay))} of the relay; `
        + `at ${options.rate}/s its p99 is ${(open.floor.p99 / open.relay.p99).toFixed(2)}× the relay's; the gateway reaches ${pct(rate(closed.gateway), rate(closed.floor))} of it`,
      `  signature ceiling: ${signatures.ceiling.toFixed(0)} transactions/s (2 verifications each, the attestations signed a batch at a time; nothing else, every core)`,
      `  ledger: ${recorded.gateway} records for ${results.reduce((n, r) => n + r.runs.gateway.count, 0)} gateway transactions, chain verified; `
        + `the floor's: ${recorded.floor} records for ${results.reduce((n, r) => n + r.runs.floor.count, 0)} transactions, chain verified`, '');
    out.write(lines.join('\n'));
  } finally {
    for (const t of transports) await t.close();
    await removeTopology(url, options.contracts, Object.values(prefixes));
    rmSync(home, { recursive: true, force: true });
    peers.close();
  }
}

/** Deletes the queues and exchanges the run declared, under its own prefixes only. */
async function removeTopology(url: string, contracts: string, prefixes: readonly string[]): Promise<void> {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  const systems = [...(await loadCatalog(contracts)).systems.keys()];
  for (const prefix of prefixes) {
    const topology = topologyFor(systems, { prefix, deliveryLimit: 5 }, undefined, DEFAULT_CONFIG.instance);
    for (const q of topology.queues) await ch.deleteQueue(q.name);
    for (const e of topology.exchanges) await ch.deleteExchange(e.name);
  }
  await conn.close();
}
