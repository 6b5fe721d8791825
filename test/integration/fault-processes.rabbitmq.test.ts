/**
 * Faults on a bus of separate processes, on a RabbitMQ node the suite starts itself: the gateway
 * (`lgsp gateway`) and two providers (recording-providers.ts) each run as their own process, a
 * province's client runs here. Under each fault — the gateway killed, the providers killed, the
 * broker restarted, every connection closed — 2,000 requests and 1,000 events are sent open
 * loop, and the suite checks: nothing lost (each request answered; each event delivered, or
 * refused to its sender while its provider was away); every reply a client received is in the
 * ledger with its very hash; every second delivery to a provider came under the same transaction, flagged as
 * one; no client got two different answers to one request. Last, two gateway instances sharing a
 * PostgreSQL ledger take over the bus and one is killed under load: the same guarantees hold.
 */
import Database from 'better-sqlite3';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GatewayClient, type Reply } from '../../adapters/amqp/client.ts';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { ensureSigningKey, registeredPublicKeys } from '../../gateway/home/keys.ts';
import type { JsonObject } from '../../gateway/protocol/envelope.ts';
import { sha256 } from '../../gateway/protocol/jws.ts';
import { connectRabbit } from '../../gateway/transport/rabbitmq.ts';
import { lateAnswers } from '../helpers/late-answers.ts';
import { describeOwnRabbit, startRabbitNode, type RabbitNode } from '../helpers/rabbit-node.ts';
import { longSuite } from '../helpers/needs.ts';
import { dropSchema, itWithPostgres, ownSchema, sqlIn } from '../helpers/postgres.ts';
import { verifyPgChain } from '../../gateway/ledger/postgres-verify.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DANCU = 'VN/GOV/BCA/DANCU';
const DVCQG = 'VN/GOV/VPCP/DVCQG';
const CAOBANG = 'VN/PROV/CAOBANG/MOTCUA';
const VERIFY = `${DANCU}/citizen.verify/v1`;
const SYNC = `${DVCQG}/dossier.sync/v1`;
const REQUESTS = 2400;
const EVENTS = 900;
/** Every 10 ms: 4 requests and 1.5 events (400 and 150 a second). */
const TICK_MS = 10;
const PREFIX = 'lgsp';
const run = promisify(execFile);

interface Delivery { system: string; id: string; tx: string; redelivery: boolean }

const SUITE = 'faults on a bus of separate processes';
longSuite(SUITE, 'about 70 s', () => describeOwnRabbit(SUITE, () => {
  const home = mkdtempSync(join(tmpdir(), 'lgsp-faults-'));
  const log = join(home, 'deliveries.jsonl');
  let node: RabbitNode;
  let catalog: Catalog;
  let gateway: ChildProcess;
  let providers: ChildProcess;
  let client: GatewayClient;
  /** Replies that answer no waiting request, by request id: a second answer would show here. */
  let late = new Map<string, string[]>();

  /** The processes' last log lines (they are also passed on to stderr): what a failed run shows of them. */
  const logTail: string[] = [];
  function spawnReady(args: string[], extraEnv: NodeJS.ProcessEnv, what: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, LGSP_HOME: home, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      for (const line of chunk.toString('utf8').split('\n')) if (line) logTail.push(`${what} ${child.pid}: ${line.slice(0, 300)}`);
      logTail.splice(0, Math.max(0, logTail.length - 40));
    });
    return new Promise((ready, fail) => {
      child.stdout!.once('data', () => ready(child));
      child.once('exit', (code) => fail(new Error(`${what} exited (${code}) before it was ready`)));
    });
  }
  const startGateway = (env: NodeJS.ProcessEnv = {}, args: string[] = []) =>
    spawnReady(['bin/lgsp.mjs', 'gateway', '--amqp-url', node.url, '--prefix', PREFIX, '--no-operator', '--no-ingress', ...args], env, 'the gateway');
  type Row = { id: string; tx: string; outcome: string; hash: string | null };
  /** The client's records in the first gateway's SQLite ledger. */
  const sqliteRows = async (): Promise<Row[]> => {
    const db = new Database(join(home, 'ledger.sqlite'), { readonly: true });
    try {
      return db.prepare('SELECT message_id AS id, tx, outcome, response_hash AS hash FROM transactions WHERE client = ?').all(CAOBANG) as Row[];
    } finally {
      db.close();
    }
  };
  /** Where the run's gateways record: the first gateway's ledger, and a shared one while instances share it. */
  const ledgers: Array<() => Promise<Row[]>> = [sqliteRows];
  const startProviders = () => spawnReady(['--import', 'tsx', 'test/helpers/recording-providers.ts'], { AMQP_URL: node.url, LGSP_PREFIX: PREFIX, LOG_FILE: log }, 'the providers');

  async function kill(child: ChildProcess): Promise<void> {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  beforeAll(async () => {
    node = await startRabbitNode();
    for (const system of ['VN/GOV/LGSP/GATEWAY', DANCU, DVCQG, CAOBANG]) await ensureSigningKey(home, system);
    catalog = await loadCatalog(join(ROOT, 'contracts'), { extraKeys: registeredPublicKeys(home) });
    gateway = await startGateway();
    providers = await startProviders();
    client = await GatewayClient.connect({
      transport: await connectRabbit({ url: node.url, prefix: PREFIX, name: 'faults client' }), system: CAOBANG, key: await ensureSigningKey(home, CAOBANG),
      keys: catalog.keys, gateway: catalog.gateway, timeoutMs: 120_000,
    });
    late = lateAnswers(client);
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    for (const child of [gateway, providers]) if (child && child.exitCode === null) await kill(child);
    await node?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  /**
   * Sends the load open loop, applying `fault` once a quarter of it is out; resolves when every
   * request is answered and every event published, with what was sent and received.
   */
  async function underLoad(fault: () => Promise<void>) {
    const verifyBody = catalog.services.get(VERIFY)!.contract.examples.valid[0]!.request;
    const syncBody = catalog.services.get(SYNC)!.contract.examples.valid[0]!.request;
    const replies = new Map<string, Reply>();
    const events: string[] = [];
    const pending: Promise<unknown>[] = [];
    let faulted: Promise<void> | undefined;
    let sentRequests = 0;
    let sentEvents = 0;
    await new Promise<void>((done) => {
      const timer = setInterval(() => {
        for (let i = 0; i < 4 && sentRequests < REQUESTS; i++, sentRequests++) {
          pending.push(client.sign('request', VERIFY, verifyBody as JsonObject, { userId: 'CB-0042' }).then(({ envelope, jws }) =>
            client.sendSigned(jws, envelope).then((r) => void replies.set(envelope.id, r))));
        }
        const evs = sentRequests % 8 === 0 ? 2 : 1;
        for (let i = 0; i < evs && sentEvents < EVENTS; i++, sentEvents++) {
          pending.push(client.sendEvent(SYNC, syncBody as JsonObject).then((e) => void events.push(e.id)));
        }
        if (!faulted && sentRequests >= REQUESTS / 4) faulted = fault();
        if (sentRequests >= REQUESTS && sentEvents >= EVENTS) {
          clearInterval(timer);
          done();
        }
      }, TICK_MS);
    });
    await faulted;
    const results = await Promise.allSettled(pending);
    return { replies, events, failures: results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)) };
  }

  /** The bus's guarantees for one run, checked against the ledger and the providers' log. */
  async function expectNothingLostOrDoubled(outcome: Awaited<ReturnType<typeof underLoad>>, label: string): Promise<void> {
    const { replies, events, failures } = outcome;
    // Told compactly, with what the broker holds and what the processes last logged: a CI log keeps only its tail.
    if (failures.length > 0) {
      const queues = await run('rabbitmqctl', ['-n', node.name, 'list_queues', 'name', 'messages_ready', 'messages_unacknowledged', 'consumers', '-q'])
        .then((r) => r.stdout, (err: Error) => `(queues not listed: ${err.message})`);
      const said = [`${label}: ${failures.length} unanswered`, 'queues (ready, unacknowledged, consumers):', queues.trim(), 'last log lines:', ...logTail].join('\n');
      expect({ unanswered: failures.length, first: failures.slice(0, 3) }, said).toEqual({ unanswered: 0, first: [] });
    }
    expect(replies.size).toBe(REQUESTS);
    expect(events.length).toBe(EVENTS);

    // What each client received is what the ledger holds (records are written in batches: wait for them).
    const held = async () => {
      const rows = (await Promise.all(ledgers.map((rowsOf) => rowsOf()))).flat();
      // One message, one record, whichever gateway instance handled it: a second is a message answered twice.
      const twiceRecorded = rows.filter((r, i) => rows.findIndex((o) => o.id === r.id) !== i);
      expect(twiceRecorded.map((r) => r.id), 'no message recorded twice').toEqual([]);
      return new Map(rows.map((r) => [r.id, r]));
    };
    await expect.poll(async () => { const h = await held(); return [...replies.keys(), ...events].filter((id) => !h.has(id)).length; }, { timeout: 30_000 }).toBe(0);
    const ledger = await held();
    expect([...replies].filter(([id, r]) => ledger.get(id)!.tx !== r.tx || ledger.get(id)!.hash !== sha256(r.jws)).map(([id]) => id)).toEqual([]);
    // An event not taken (its provider away) was refused to its sender, who got that very error.
    const refusedTo = (id: string) => (late.get(id) ?? []).map((jws) => (JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as { error?: { type: string } }).error?.type);
    expect(events.filter((id) => ledger.get(id)!.outcome !== 'ok' && !refusedTo(id).includes(ledger.get(id)!.outcome))).toEqual([]);

    // No client got two different answers: any late copy of an answer is the very same bytes.
    for (const [id, reply] of replies) for (const copy of late.get(id) ?? []) expect(copy, id).toBe(reply.jws);

    // Every event reached the portal; a second delivery anywhere came under the same transaction, flagged.
    const deliveries = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Delivery) : [];
    const ours = new Set([...replies.keys(), ...events]);
    const byId = new Map<string, Delivery[]>();
    for (const d of deliveries) if (ours.has(d.id)) byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
    expect(events.filter((id) => ledger.get(id)!.outcome === 'ok' && !byId.get(id)?.some((d) => d.system === DVCQG))).toEqual([]);
    const twice = [...byId.values()].filter((d) => d.length > 1);
    for (const copies of twice) {
      expect(new Set(copies.map((c) => c.tx)).size, copies[0]!.id).toBe(1);
      expect(copies.slice(1).every((c) => c.redelivery), copies[0]!.id).toBe(true);
    }
    const tally = (outcomes: string[]) => {
      const n = new Map<string, number>();
      for (const o of outcomes) n.set(o, (n.get(o) ?? 0) + 1);
      return [...n].map(([o, count]) => `${o} ${count}`).join(', ');
    };
    console.log(`${label}: ${REQUESTS} requests (${tally([...replies.values()].map((r) => (r.status === 'ok' ? 'ok' : r.error.type)))}), `
      + `${EVENTS} events (${tally(events.map((id) => ledger.get(id)!.outcome))}); `
      + `${twice.length} delivered twice to a provider, each flagged; ${[...late.values()].flat().length} late copies so far, each the same bytes`);
  }

  it('loses nothing and doubles nothing when the gateway is killed (SIGKILL) and restarted', async () => {
    const result = await underLoad(async () => {
      await kill(gateway);
      await new Promise((r) => setTimeout(r, 1000));
      gateway = await startGateway();
    });
    await expectNothingLostOrDoubled(result, 'gateway SIGKILL');
  }, 180_000);

  it('loses nothing and doubles nothing when the providers are killed (SIGKILL) and restarted', async () => {
    const result = await underLoad(async () => {
      await kill(providers);
      await new Promise((r) => setTimeout(r, 1000));
      providers = await startProviders();
    });
    await expectNothingLostOrDoubled(result, 'providers SIGKILL');
  }, 180_000);

  it('loses nothing and doubles nothing when the broker restarts', async () => {
    const result = await underLoad(() => node.restart());
    await expectNothingLostOrDoubled(result, 'broker restart');
  }, 180_000);

  it('loses nothing and doubles nothing when the broker is killed (SIGKILL) and started again', async () => {
    const result = await underLoad(() => node.killAndStart());
    await expectNothingLostOrDoubled(result, 'broker SIGKILL');
  }, 180_000);

  it('loses nothing and doubles nothing when every connection is closed', async () => {
    const result = await underLoad(async () => {
      await run('rabbitmqctl', ['-n', node.name, 'close_all_connections', 'fault test']);
    });
    await expectNothingLostOrDoubled(result, 'connections closed');
  }, 180_000);

  itWithPostgres('loses nothing and answers nothing twice when one of two gateway instances sharing a PostgreSQL ledger is killed (SIGKILL) under load', async () => {
    // The first gateway leaves; two instances take the bus over, each with its own state directory
    // (the same keys) and one shared ledger in a schema of this test's own.
    const { schema, url } = ownSchema();
    await kill(gateway);
    const homes = [0, 1].map(() => {
      const dir = mkdtempSync(join(tmpdir(), 'lgsp-faults-instance-'));
      cpSync(join(home, 'keys'), join(dir, 'keys'), { recursive: true });
      return dir;
    });
    const [first, second] = [await startGateway({ LGSP_HOME: homes[0] }, ['--ledger', url]), await startGateway({ LGSP_HOME: homes[1] }, ['--ledger', url])];
    ledgers.push(async () => (await sqlIn(schema, 'SELECT message_id AS id, tx, outcome, response_hash AS hash FROM transactions WHERE client = ?', CAOBANG)) as Row[]);
    try {
      const result = await underLoad(() => kill(second!));
      await expectNothingLostOrDoubled(result, 'one of two gateways on a shared ledger SIGKILL');
      // The survivor served the killed one's load without timing out what its provider answered.
      expect([...result.replies.values()].filter((r) => r.status === 'error' && r.error.type === 'server.provider_timeout').length).toBe(0);
      // Both instances carried the load: the shared ledger holds this run's records of two instances, in one chain.
      const instances = await sqlIn(schema, 'SELECT instance, count(*) AS n FROM transactions WHERE client = ? GROUP BY instance', CAOBANG);
      expect(instances).toHaveLength(2);
      expect(await verifyPgChain(url)).toEqual({ records: expect.any(Number) });
      console.log(`two gateways on a shared ledger: ${instances.map((r) => `${String(r.instance)} recorded ${String(r.n)}`).join(', ')}`);
    } finally {
      for (const child of [first!, second!]) if (child.exitCode === null && child.signalCode === null) await kill(child);
      ledgers.pop();
      gateway = await startGateway();
      await dropSchema(schema);
      for (const dir of homes) rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
}));
