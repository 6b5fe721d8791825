/**
 * `lgsp bench`: in one run against the same RabbitMQ, raw amqplib request/reply and full
 * gateway transactions (signed, checked both ways, attested, recorded in the SQLite ledger), at
 * the same payload size and concurrency; then the gateway's latency at a fixed rate.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import amqp from 'amqplib';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { ensureSigningKey, registeredPublicKeys } from '../../gateway/home/keys.ts';
import { SqliteLedger } from '../../gateway/ledger/sqlite.ts';
import { verifyChain } from '../../gateway/ledger/verify.ts';
import { createGateway } from '../../gateway/pipeline/gateway.ts';
import { connectRabbit } from '../../gateway/transport/rabbitmq.ts';
import { topologyFor } from '../../gateway/transport/topology.ts';
import { CLIENT, PROVIDER, type GatewayPeerInput, type RawPeerInput } from '../bench/scenario.ts';
import { measureSignatures } from '../bench/signatures.ts';
import { rssPeak, type PhaseResult } from '../bench/stats.ts';
import { safeUrl } from '../runtime.ts';

export interface BenchOptions {
  amqpUrl?: string;
  contracts: string;
  count: number;
  concurrency: number;
  rate: number;
  rateSeconds: number;
}

const HERE = import.meta.dirname;

/** Runs a peer script in its own process and returns what it reports. */
function runPeer<I>(script: string, input: I): Promise<PhaseResult> {
  return new Promise((done, fail) => {
    const child = fork(resolve(HERE, '../bench', script), [], { execArgv: ['--import', import.meta.resolve('tsx')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m: PhaseResult & { error?: string }) => (m.error ? fail(new Error(m.error)) : done(m)));
    child.once('exit', (code) => code !== 0 && fail(new Error(`${script} exited with ${code}`)));
    child.send(input as object);
  });
}

const rate = (r: PhaseResult) => (r.count * 1000) / r.elapsedMs;
const ms = (n: number) => `${n.toFixed(1)} ms`;

export async function bench(options: BenchOptions): Promise<void> {
  const url = options.amqpUrl;
  if (!url) throw new Error('lgsp bench compares against raw RabbitMQ: pass --amqp-url or set AMQP_URL');
  const out = process.stdout;
  const home = mkdtempSync(join(tmpdir(), 'lgsp-bench-'));
  const prefix = `lgsp-bench-${randomBytes(3).toString('hex')}`;
  const payloadBytes = 700; // about the size of a signed citizen.verify request
  out.write(`lgsp bench on ${safeUrl(url)}: ${options.count} round trips per phase, ${options.concurrency} in flight, ${payloadBytes}-byte payloads\n`);
  try {
    out.write('raw amqplib request/reply … ');
    const raw = await runPeer<RawPeerInput>('raw-peer.ts', { url, queue: `${prefix}.raw`, count: options.count, concurrency: options.concurrency, payloadBytes });
    out.write(`${rate(raw).toFixed(0)}/s\n`);

    for (const system of ['VN/GOV/LGSP/GATEWAY', CLIENT, PROVIDER]) await ensureSigningKey(home, system);
    const catalog = await loadCatalog(options.contracts, { extraKeys: registeredPublicKeys(home) });
    const transport = await connectRabbit({ url, prefix, name: 'lgsp bench gateway' });
    const ledger = new SqliteLedger({ file: join(home, 'ledger.sqlite') });
    // One client sends everything here: no per-client limit on the bus, so that the gateway's own cost is measured.
    const gateway = createGateway({ transport, catalog, key: await ensureSigningKey(home, catalog.gateway), ledger, config: { clientRatePerSecond: Number.MAX_SAFE_INTEGER } });
    await gateway.start();
    const peer = { url, prefix, home };

    out.write('gateway transactions … ');
    const memory = rssPeak();
    const full = await runPeer<GatewayPeerInput>('gateway-peer.ts', { ...peer, count: options.count, mode: { concurrency: options.concurrency } });
    const gatewayRss = memory.stop();
    out.write(`${rate(full).toFixed(0)}/s\n`);

    out.write(`gateway at ${options.rate}/s for ${options.rateSeconds} s … `);
    const steady = await runPeer<GatewayPeerInput>('gateway-peer.ts', { ...peer, count: options.rate * options.rateSeconds, mode: { rate: options.rate } });
    out.write(`${rate(steady).toFixed(0)}/s\n`);

    await gateway.stop();
    await ledger.close();
    out.write('signing and verifying alone … ');
    const signatures = await measureSignatures();
    out.write(`${signatures.signPerSecond.toFixed(0)} signatures/s, ${signatures.verifyPerSecond.toFixed(0)} verifications/s\n`);
    const recorded = verifyChain(join(home, 'ledger.sqlite')).records;
    await transport.close();

    const row = (name: string, r: PhaseResult, rss: number) =>
      `  ${name.padEnd(34)} ${rate(r).toFixed(0).padStart(7)}/s  p50 ${ms(r.p50).padStart(9)}  p99 ${ms(r.p99).padStart(9)}  errors ${String(r.errors).padStart(3)}  peak RSS ${rss} MB`;
    out.write(['', row('raw request/reply', raw, raw.peakRssMb), row('gateway transactions', full, gatewayRss),
      row(`gateway at ${options.rate}/s (open loop)`, steady, gatewayRss), '',
      `  ratio gateway / raw: ${((100 * rate(full)) / rate(raw)).toFixed(1)} %   (target ≥ 40 %)`,
      `  p99 at ${options.rate}/s: ${ms(steady.p99)}   (target < 50 ms)`,
      `  signature ceiling: ${signatures.ceiling.toFixed(0)} transactions/s = ${((100 * signatures.ceiling) / rate(raw)).toFixed(1)} % of raw`
        + ' (2 verifications + 2 signatures each, nothing else, every core)',
      `  ledger: ${recorded} records for ${full.count + steady.count} transactions`, ''].join('\n'));
  } finally {
    const conn = await amqp.connect(url);
    const ch = await conn.createChannel();
    const systems = [...(await loadCatalog(options.contracts)).systems.keys()];
    for (const q of topologyFor(systems, { prefix, deliveryLimit: 5 }).queues) await ch.deleteQueue(q.name);
    await conn.close();
    rmSync(home, { recursive: true, force: true });
  }
}
