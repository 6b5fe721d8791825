/**
 * A gateway killed with SIGKILL during load over real RabbitMQ loses no record: after a
 * restart every accepted message id has exactly one ledger record, and every request is answered.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { GatewayClient, type Reply } from '../../adapters/amqp/client.ts';
import { ServiceProvider } from '../../adapters/amqp/provider.ts';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { ensureSigningKey, registeredPublicKeys } from '../../gateway/home/keys.ts';
import { verifyChain } from '../../gateway/ledger/verify.ts';
import { sha256 } from '../../gateway/protocol/jws.ts';
import { AMQP_URL, describeRabbit, rabbitBroker } from '../helpers/broker.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DANCU = 'VN/GOV/BCA/DANCU';
const CAOBANG = 'VN/PROV/CAOBANG/MOTCUA';
const VERIFY = `${DANCU}/citizen.verify/v1`;
const TOTAL = 600;

describeRabbit('ledger when the gateway is killed', () => {
  const home = mkdtempSync(join(tmpdir(), 'lgsp-kill-'));
  const broker = rabbitBroker();
  const stops: Array<() => Promise<unknown>> = [];

  function startGateway(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['bin/lgsp.mjs', 'gateway', '--amqp-url', AMQP_URL!, '--prefix', broker.prefix, '--no-operator'], {
      cwd: ROOT, env: { ...process.env, LGSP_HOME: home }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    return new Promise((ready, fail) => {
      child.stdout!.once('data', () => ready(child));
      child.once('exit', (code) => fail(new Error(`the gateway exited (${code}) before it started`)));
    });
  }

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await broker.cleanup([...(await loadCatalog(join(ROOT, 'contracts'))).systems.keys()]);
    rmSync(home, { recursive: true, force: true });
  });

  it('finds exactly one record per accepted message id after a SIGKILL mid-load and a restart', async () => {
    for (const system of ['VN/GOV/LGSP/GATEWAY', DANCU, CAOBANG]) await ensureSigningKey(home, system);
    const catalog = await loadCatalog(join(ROOT, 'contracts'), { extraKeys: registeredPublicKeys(home) });
    const common = { keys: catalog.keys, gateway: catalog.gateway };

    let gateway = await startGateway();
    stops.push(async () => gateway.kill('SIGTERM'));
    const deliveries: Array<{ id: string; tx?: string; redelivery: boolean }> = [];
    const provider = await ServiceProvider.start({
      ...common, transport: await broker.connect('provider'), system: DANCU, key: await ensureSigningKey(home, DANCU),
      handlers: {
        'citizen.verify/v1': async (m) => {
          deliveries.push({ id: m.envelope.id, tx: m.tx, redelivery: m.redelivery });
          await new Promise((r) => setTimeout(r, 2));
          return { body: { match: true, differences: [] } };
        },
      },
    });
    stops.push(() => provider.stop());
    const client = await GatewayClient.connect({
      ...common, transport: await broker.connect('client'), system: CAOBANG, key: await ensureSigningKey(home, CAOBANG), timeoutMs: 60_000,
    });
    stops.push(() => client.close());

    // 600 requests, 40 in flight at a time, so that the kill lands in the middle of the load.
    const accepted: string[] = [];
    const replies: Reply[] = [];
    let next = 0;
    const worker = async () => {
      while (next < TOTAL) {
        next += 1;
        const { envelope, jws } = await client.sign('request', VERIFY, { idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14' });
        accepted.push(envelope.id);
        replies.push(await client.sendSigned(jws, envelope));
      }
    };
    const load = Promise.all(Array.from({ length: 40 }, worker));

    await expect.poll(() => replies.length, { timeout: 20_000, interval: 10 }).toBeGreaterThanOrEqual(150);
    const answeredBeforeKill = replies.length;
    gateway.kill('SIGKILL');
    await new Promise((r) => gateway.once('exit', r));
    gateway = await startGateway();
    await load;

    expect(answeredBeforeKill).toBeLessThan(TOTAL);
    expect(replies.filter((r) => r.status !== 'ok')).toEqual([]);
    expect(accepted).toHaveLength(TOTAL);

    // Let the restarted gateway finish anything redelivered, then stop it gracefully.
    await new Promise((r) => setTimeout(r, 500));
    gateway.kill('SIGTERM');
    await new Promise((r) => gateway.once('exit', r));
    const file = join(home, 'ledger.sqlite');
    const db = new Database(file, { readonly: true });
    const counts = new Map((db.prepare('SELECT message_id AS id, count(*) AS n FROM transactions GROUP BY message_id').all() as { id: string; n: number }[]).map((r) => [r.id, r.n]));
    db.close();
    expect(accepted.filter((id) => counts.get(id) !== 1)).toEqual([]);
    expect(counts.size).toBe(TOTAL);
    expect(await verifyChain(file)).toEqual({ records: TOTAL });

    // What each client received is what the ledger holds: the reply's transaction, and the hash of the very reply.
    const ledger = new Database(file, { readonly: true });
    const held = new Map((ledger.prepare('SELECT tx, response_hash AS hash FROM transactions').all() as { tx: string; hash: string }[]).map((r) => [r.tx, r.hash]));
    ledger.close();
    expect(replies.filter((r) => held.get(r.tx!) !== sha256(r.jws))).toEqual([]);
    // A request the provider got twice came under one transaction, the second time marked as a redelivery.
    const byId = new Map<string, typeof deliveries>();
    for (const d of deliveries) byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
    const twice = [...byId.values()].filter((d) => d.length > 1);
    for (const copies of twice) {
      expect(new Set(copies.map((c) => c.tx)).size).toBe(1);
      expect(copies.slice(1).every((c) => c.redelivery)).toBe(true);
    }
    console.log(`SIGKILL mid-load: ${answeredBeforeKill} answered before the kill; ${twice.length} requests delivered twice to the provider, each flagged`);
  });
});
