/**
 * `lgsp bench` as an operator runs it, scaled down: raw request/reply, then the relay, the floor
 * and the gateway in each phase, every round trip answered, the gateway's ledger chain verified,
 * and nothing of the run left on the broker. Figures are printed, never asserted.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { DEFAULT_CONFIG } from '../../gateway/config.ts';
import { connectRabbit } from '../../gateway/transport/rabbitmq.ts';
import { topologyFor } from '../../gateway/transport/topology.ts';
import { AMQP_URL, describeRabbit } from '../helpers/broker.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Starts `lgsp bench`; `until` resolves with the output so far once it matches. */
function bench(args: readonly string[]) {
  const child = spawn(process.execPath, ['bin/lgsp.mjs', 'bench', ...args], { cwd: ROOT, env: { ...process.env, AMQP_URL } });
  let out = '';
  const seen: { pattern: RegExp; found(): void }[] = [];
  const take = (d: Buffer) => {
    out += d;
    for (const s of seen) if (s.pattern.test(out)) s.found();
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const ended = new Promise<{ code: number | null; out: string }>((done) => child.once('close', (code) => done({ code, out })));
  return {
    child,
    ended,
    until: (pattern: RegExp) => new Promise<void>((found) => seen.push({ pattern, found })),
  };
}

/** The processes whose parent is `pid` (Linux: /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      // The fourth field of /proc/<pid>/stat is the parent's pid; the second, the name in parentheses, may hold spaces.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(d)] : [];
    } catch {
      return []; // gone meanwhile
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The queues of a bench run (its three topologies and the raw queue) still on the broker. Its
 * gateway's instance is named after the bench's process (`<host>-<pid>`, as DEFAULT_CONFIG names this one).
 */
async function queuesLeft(out: string, benchPid: number): Promise<string[]> {
  const instance = DEFAULT_CONFIG.instance.replace(/-\d+$/, `-${benchPid}`);
  const prefix = /its queues are named (lgsp-bench-[0-9a-f]+)\*/.exec(out)?.[1];
  expect(prefix, out).toBeDefined();
  const systems = [...(await loadCatalog('contracts')).systems.keys()];
  const queues = [`${prefix}.raw`, ...['', '-relay', '-floor'].flatMap((tail) =>
    topologyFor(systems, { prefix: `${prefix}${tail}`, deliveryLimit: 5 }, undefined, instance).queues.map((q) => q.name))];
  // The transport only asks (passively): it declares nothing under its own prefix.
  const transport = await connectRabbit({ url: AMQP_URL!, prefix: `${prefix}-check` });
  try {
    const left = [];
    for (const q of queues) if (await transport.inspect(q)) left.push(q);
    return left;
  } finally {
    await transport.close();
  }
}

describeRabbit('lgsp bench', () => {
  it('measures the relay, the floor and the gateway in every phase and leaves nothing behind', { timeout: 180_000 }, async () => {
    const run = bench(['--count', '300', '--concurrency', '20', '--rate', '100', '--rate-seconds', '2', '--serial-count', '30']);
    const { code, out } = await run.ended;
    expect(code, out).toBe(0);
    for (const phase of ['20 in flight', 'at 100/s (open loop)', 'one at a time']) {
      for (const subject of ['relay', 'floor', 'gateway']) {
        expect(out, `${subject}, ${phase}`).toMatch(new RegExp(`${subject}, ${phase.replace(/[()/]/g, '\\$&')} +\\d+/s .* errors +0 `));
      }
    }
    expect(out).toMatch(/the floor \(the relay, both signatures verified, each transaction recorded\): [\d.]+ % of the relay/);
    expect(out).toContain("ledger: 530 records for 530 gateway transactions, chain verified; the floor's: 530 records for 530 transactions, chain verified");

    expect(await queuesLeft(out, run.child.pid!)).toEqual([]);
  });

  it('stops on Ctrl-C, its peers with it, and removes what it declared', { timeout: 120_000 }, async () => {
    // One at a time, so that the relay's phase lasts long enough to be interrupted in.
    const run = bench(['--count', '3000', '--concurrency', '1', '--rate', '100', '--rate-seconds', '2', '--serial-count', '30']);
    await run.until(/1 in flight: /);
    await expect.poll(() => childrenOf(run.child.pid!), { timeout: 30_000 }).not.toEqual([]);
    const peers = childrenOf(run.child.pid!);
    run.child.kill('SIGINT'); // to the bench alone, as `kill -INT` does: it stops its peers itself
    const { code, out } = await run.ended;
    expect(peers.filter(isAlive)).toEqual([]);
    expect(code, out).toBe(1);
    expect(out).toContain("lgsp: interrupted; the run's queues were removed");
    expect(out).not.toMatch(/relay \d+\/s/);
    expect(await queuesLeft(out, run.child.pid!)).toEqual([]);
  });
});
