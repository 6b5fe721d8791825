/**
 * `lgsp load`: sends a service's requests at a steady rate for a while through a running
 * gateway (over RabbitMQ, or the HTTP ingress of the `lgsp up` on this state directory), as one
 * client system (signing each request and verifying each reply), with a progress line, then
 * prints the achieved rate, latency percentiles and errors by type.
 */
import { parseServiceId } from '../../gateway/protocol/ids.ts';
import { percentile } from '../bench/stats.ts';
import { openCaller } from '../bus-caller.ts';
import { openRuntime, type CommonOptions } from '../runtime.ts';

export interface LoadOptions extends CommonOptions {
  client: string;
  service: string;
  rate: number;
  duration: number;
  body?: string;
}

export async function load(options: LoadOptions): Promise<void> {
  const rt = await openRuntime(options, false, 'stderr', true);
  const service = rt.catalog.services.get(options.service);
  if (!service || !parseServiceId(options.service)) throw new Error(`no service ${options.service} in the catalog`);
  if (!rt.catalog.systems.has(options.client)) throw new Error(`no system ${options.client} in the catalog`);
  const example = service.contract.examples.valid[0];
  const body = options.body ? (JSON.parse(options.body) as Record<string, unknown>) : example?.request;
  if (!body) throw new Error(`${options.service} has no example request: pass --body '<json>'`);
  const client = await openCaller(rt, { system: options.client, amqpUrl: options.amqpUrl, timeoutMs: 60_000, purpose: 'load' });
  const total = Math.round(options.rate * options.duration);
  const latencies: number[] = [];
  const outcomes = new Map<string, number>();
  let sent = 0;
  const out = process.stdout;
  out.write(`via ${client.via}\n`);
  const errors = () => [...outcomes].filter(([o]) => o !== 'ok' && !o.startsWith('business:')).reduce((n, [, c]) => n + c, 0);
  const progress = setInterval(() => {
    out.write(`\r  sent ${sent}/${total}  answered ${latencies.length}  gateway errors ${errors()}   `);
  }, 500);
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / options.rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    sent += 1;
    inflight.push(client.request(options.service, body, { userId: example?.userId ?? (service.contract.personalData ? 'LOAD-01' : undefined) }).then(
      (reply) => {
        latencies.push(performance.now() - t0);
        const outcome = reply.status === 'ok' ? 'ok' : `${reply.signedBy === 'provider' ? 'business:' : ''}${reply.error.type}`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      },
      (err: Error) => void outcomes.set(`failed: ${err.message}`, (outcomes.get(`failed: ${err.message}`) ?? 0) + 1),
    ));
  }
  await Promise.all(inflight);
  clearInterval(progress);
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => `${percentile(latencies, q).toFixed(1)} ms`;
  out.write(`\r${' '.repeat(70)}\r${total} requests to ${options.service} as ${options.client} in ${seconds.toFixed(1)} s: ${(total / seconds).toFixed(1)}/s\n`);
  out.write(`  latency p50 ${p(50)}  p95 ${p(95)}  p99 ${p(99)}  max ${p(100)}\n`);
  for (const [outcome, n] of [...outcomes].sort((a, b) => b[1] - a[1])) out.write(`  ${outcome.padEnd(40)} ${n}\n`);
  await client.close();
  await rt.close();
}
