/**
 * `lgsp bench` as an operator runs it, scaled down: raw request/reply, then the relay, the floor
 * and the gateway in each phase, every round trip answered, the gateway's ledger chain verified,
 * and nothing of the run left on the broker. Figures are printed, never asserted.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import amqp from 'amqplib';
import { expect, it } from 'vitest';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { DEFAULT_CONFIG } from '../../gateway/config.ts';
import { topologyFor } from '../../gateway/transport/topology.ts';
import { AMQP_URL, describeRabbit } from '../helpers/broker.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function bench(args: readonly string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['bin/lgsp.mjs', 'bench', ...args], { cwd: ROOT, env: { ...process.env, AMQP_URL } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((done) => child.once('close', (code) => done({ code, out })));
}

/** Whether a queue exists, asked on a channel of its own (a missing queue closes the channel). */
async function queueExists(conn: amqp.ChannelModel, name: string): Promise<boolean> {
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  try {
    await ch.checkQueue(name);
    await ch.close();
    return true;
  } catch {
    return false;
  }
}

describeRabbit('lgsp bench', () => {
  it('measures the relay, the floor and the gateway in every phase and leaves nothing behind', { timeout: 180_000 }, async () => {
    const { code, out } = await bench(['--count', '300', '--concurrency', '20', '--rate', '100', '--rate-seconds', '2', '--serial-count', '30']);
    expect(code, out).toBe(0);
    for (const phase of ['20 in flight', 'at 100/s (open loop)', 'one at a time']) {
      for (const subject of ['relay', 'floor', 'gateway']) {
        expect(out, `${subject}, ${phase}`).toMatch(new RegExp(`${subject}, ${phase.replace(/[()/]/g, '\\$&')} +\\d+/s .* errors +0 `));
      }
    }
    expect(out).toMatch(/the floor \(the relay, both signatures verified, each transaction recorded\): [\d.]+ % of the relay/);
    expect(out).toContain("ledger: 530 records for 530 gateway transactions, chain verified; the floor's: 530 records for 530 transactions, chain verified");

    const prefix = /its queues are named (lgsp-bench-[0-9a-f]+)\*/.exec(out)?.[1];
    expect(prefix, out).toBeDefined();
    const systems = [...(await loadCatalog('contracts')).systems.keys()];
    const queues = [`${prefix}.raw`, ...['', '-relay', '-floor'].flatMap((tail) =>
      topologyFor(systems, { prefix: `${prefix}${tail}`, deliveryLimit: 5 }, undefined, DEFAULT_CONFIG.instance).queues.map((q) => q.name))];
    const conn = await amqp.connect(AMQP_URL!);
    try {
      const left = [];
      for (const q of queues) if (await queueExists(conn, q)) left.push(q);
      expect(left).toEqual([]);
    } finally {
      await conn.close();
    }
  });
});
