/**
 * The gateway as its own process (`lgsp gateway`) when its ledger fails under load, on a queue
 * prefix of the suite's own: its state directory on a small tmpfs of the suite's own, filled for
 * 5 s and then freed; and a PostgreSQL ledger behind a TCP proxy of the suite's own that resets
 * every connection for 5 s. Each run sends 3,000 citizen.verify at 400 a second from a province's
 * client (the SDK), with the providers in a process of their own, and checks: `/readyz` not ready
 * during the outage, with why, and ready after; every request answered once, with what the ledger
 * holds; nothing dead-lettered; the same gateway process throughout, never restarted.
 */
import Database from 'better-sqlite3';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GatewayClient, type Reply } from '../../adapters/amqp/client.ts';
import type { Catalog } from '../../gateway/catalog/catalog.ts';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { ensureSigningKey, registeredPublicKeys } from '../../gateway/home/keys.ts';
import type { JsonObject } from '../../gateway/protocol/envelope.ts';
import { sha256 } from '../../gateway/protocol/jws.ts';
import { rabbitBroker, type BrokerHandle } from '../helpers/broker.ts';
import { lateAnswers } from '../helpers/late-answers.ts';
import { describeNeeding } from '../helpers/needs.ts';
import { dropSchema, itWithPostgres, ownSchema, sqlIn } from '../helpers/postgres.ts';
import { AMQP_URL } from '../helpers/broker.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DANCU = 'VN/GOV/BCA/DANCU';
const DVCQG = 'VN/GOV/VPCP/DVCQG';
const CAOBANG = 'VN/PROV/CAOBANG/MOTCUA';
const VERIFY = `${DANCU}/citizen.verify/v1`;
const REQUESTS = 3000;
/** Every 10 ms, 4 requests: 400 a second. */
const TICK_MS = 10;
const OUTAGE_MS = 5000;

/** Whether this process may mount a tmpfs of its own (root, and a kernel that lets it). */
function canMountTmpfs(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'lgsp-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describeNeeding({
  available: AMQP_URL !== undefined && canMountTmpfs(),
  inCi: 'CI=true but this suite needs RabbitMQ (AMQP_URL) and the right to mount a tmpfs of its own (root): see .ci/run',
  notice: 'needs RabbitMQ (AMQP_URL) and to mount a small tmpfs of its own (run as root).',
  missing: 'no RabbitMQ or no tmpfs mount',
  placeholder: 'needs RabbitMQ and a tmpfs of its own',
}, 'the gateway process when its ledger fails under load', () => {
  let broker: BrokerHandle;
  let catalog: Catalog;
  const keysHome = mkdtempSync(join(tmpdir(), 'lgsp-ledger-outage-keys-'));
  const children: ChildProcess[] = [];
  let providers: ChildProcess;
  let client: GatewayClient;
  let late = new Map<string, string[]>();

  function spawnUntil(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    return new Promise((found, failed) => {
      child.stdout!.on('data', (d) => {
        out += d;
        const m = ready.exec(out);
        if (m) found({ child, match: m });
      });
      child.once('exit', (code) => failed(new Error(`${args.join(' ')} exited (${code}) before it was ready: ${out}`)));
    });
  }

  /** `lgsp gateway` on `home`, its operator server on a free port; resolves with its operator URL. */
  async function startGateway(home: string, extra: string[] = []): Promise<{ child: ChildProcess; operator: string }> {
    const { child, match } = await spawnUntil(
      ['bin/lgsp.mjs', 'gateway', '--amqp-url', AMQP_URL!, '--prefix', broker.prefix, '--operator-port', '0', '--no-ingress', ...extra],
      { LGSP_HOME: home }, /operator (http:\/\/[^\s,;]+)/,
    );
    return { child, operator: match[1]! };
  }

  async function readiness(operator: string): Promise<{ status: number; body: { ledger?: boolean; ledgerDown?: string } }> {
    const res = await fetch(`${operator}/readyz`);
    return { status: res.status, body: await res.json() as { ledger?: boolean; ledgerDown?: string } };
  }

  /** Copies the systems' keys made for this suite into a gateway's state directory. */
  function withKeys(home: string): void {
    execFileSync('cp', ['-r', `${keysHome}/.`, home]);
  }

  beforeAll(async () => {
    broker = rabbitBroker();
    for (const system of ['VN/GOV/LGSP/GATEWAY', DANCU, DVCQG, CAOBANG]) await ensureSigningKey(keysHome, system);
    catalog = await loadCatalog(join(ROOT, 'contracts'), { extraKeys: registeredPublicKeys(keysHome) });
  }, 60_000);

  /** Starts the providers and the client once the first gateway has declared the bus. */
  async function startParties(): Promise<void> {
    if (client) return;
    ({ child: providers } = await spawnUntil(['--import', 'tsx', 'test/helpers/recording-providers.ts'],
      { AMQP_URL, LGSP_PREFIX: broker.prefix, LGSP_HOME: keysHome, LOG_FILE: join(keysHome, 'deliveries.jsonl') }, /ready/));
    client = await GatewayClient.connect({
      transport: await broker.connect('ledger-outage client'), system: CAOBANG, key: await ensureSigningKey(keysHome, CAOBANG),
      keys: catalog.keys, gateway: catalog.gateway, timeoutMs: 120_000,
    });
    late = lateAnswers(client);
  }

  afterAll(async () => {
    await client?.close();
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await broker?.cleanup([...catalog.systems.keys()]);
    rmSync(keysHome, { recursive: true, force: true });
  }, 60_000);

  /**
   * Sends the load, runs `outage` once a quarter of it is out, and resolves with every reply and
   * what `/readyz` said while the outage lasted.
   */
  async function underLoad(operator: string, outage: { begin(): void | Promise<void>; end(): void | Promise<void> }) {
    const body = catalog.services.get(VERIFY)!.contract.examples.valid[0]!.request as JsonObject;
    const replies = new Map<string, Reply>();
    const sent: Promise<void>[] = [];
    let during: Awaited<ReturnType<typeof readiness>> | undefined;
    let after: Awaited<ReturnType<typeof readiness>> | undefined;
    let faulted: Promise<void> | undefined;
    let resumedMs = 0;
    const fault = async () => {
      await outage.begin();
      // The outage is seen: not ready, with why.
      await expect.poll(async () => (during = await readiness(operator)).status, { timeout: 30_000 }).toBe(503);
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      await outage.end();
      const endedAt = performance.now();
      await expect.poll(async () => (after = await readiness(operator)).status, { timeout: 60_000, interval: 20 }).toBe(200);
      resumedMs = performance.now() - endedAt;
    };
    await new Promise<void>((done) => {
      let n = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < 4 && n < REQUESTS; i++, n++) sent.push(client.request(VERIFY, body).then((r) => void replies.set(r.envelope.inReplyTo, r)));
        if (!faulted && n >= REQUESTS / 4) faulted = fault();
        if (n >= REQUESTS) {
          clearInterval(timer);
          done();
        }
      }, TICK_MS);
    });
    await faulted;
    const outcomes = await Promise.allSettled(sent);
    return { replies, during, after, resumedMs, failures: outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason)) };
  }

  /** Every request answered once, ok, with the answer the ledger holds; nothing dead-lettered; the gateway never restarted. */
  async function expectAnsweredAsRecorded(run: Awaited<ReturnType<typeof underLoad>>, rows: () => Promise<{ id: string; hash: string | null }[]>, gateway: ChildProcess, label: string): Promise<void> {
    expect(run.failures).toEqual([]);
    expect(run.replies.size).toBe(REQUESTS);
    const outcomes = [...run.replies.values()].map((r) => (r.status === 'ok' ? 'ok' : r.error.type));
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
    const held = new Map((await rows()).map((r) => [r.id, r.hash]));
    expect([...run.replies].filter(([id, r]) => held.get(id) !== sha256(r.jws)).map(([id]) => id)).toEqual([]);
    for (const [id, reply] of run.replies) for (const copy of late.get(id) ?? []) expect(copy, id).toBe(reply.jws);
    const inspector = await broker.connect('ledger-outage inspector');
    expect((await inspector.inspect(inspector.names.dead))?.messages).toBe(0);
    await inspector.close();
    expect(gateway.exitCode).toBeNull();
    console.log(`${label}: ${REQUESTS} requests at 400/s, every one answered ok once with what the ledger holds; /readyz during: ${run.during!.status} ${JSON.stringify(run.during!.body)}, after: ${run.after!.status}, ready again ${Math.round(run.resumedMs)} ms after the outage ended`);
  }

  it('stops taking messages while its state directory\'s disk is full, says so, and answers every request once it is freed, without a restart', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lgsp-ledger-outage-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', home]);
    try {
      withKeys(home);
      const { child: gateway, operator } = await startGateway(home);
      await startParties();
      const filler = join(home, 'filler');
      const run = await underLoad(operator, {
        begin: () => {
          const { bavail, bsize } = statfsSync(home);
          // dd stops at the end of the space (exit 1); the disk is then full.
          try {
            execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k', `count=${Math.ceil((bavail * bsize) / 65536) + 16}`], { stdio: 'ignore' });
          } catch { /* no space left: what we wanted */ }
        },
        end: () => rmSync(filler, { force: true }),
      });
      expect(run.during!.body).toMatchObject({ ledger: false, ledgerDown: expect.stringMatching(/full/i) });
      const rows = async () => {
        const db = new Database(join(home, 'ledger.sqlite'), { readonly: true });
        try {
          return db.prepare('SELECT message_id AS id, response_hash AS hash FROM transactions WHERE client = ?').all(CAOBANG) as { id: string; hash: string | null }[];
        } finally {
          db.close();
        }
      };
      await expectAnsweredAsRecorded(run, rows, gateway, 'disk full for 5 s');
      gateway.kill('SIGINT');
      await new Promise((r) => gateway.once('exit', r));
    } finally {
      execFileSync('umount', ['-l', home]);
      rmSync(home, { recursive: true, force: true });
    }
  }, 240_000);

  itWithPostgres('stops taking messages while every PostgreSQL connection is reset, says so, and answers every request once it is back, without a restart', async () => {
    const { schema, url } = ownSchema();
    const proxy = await startTcpProxy(url);
    const home = mkdtempSync(join(tmpdir(), 'lgsp-ledger-outage-pg-'));
    try {
      withKeys(home);
      const { child: gateway, operator } = await startGateway(home, ['--ledger', proxy.url]);
      await startParties();
      const run = await underLoad(operator, { begin: () => proxy.refuse(true), end: () => proxy.refuse(false) });
      expect(run.during!.body).toMatchObject({ ledger: false, ledgerDown: expect.any(String) });
      const rows = async () => (await sqlIn(schema, 'SELECT message_id AS id, response_hash AS hash FROM transactions WHERE client = ?', CAOBANG)) as { id: string; hash: string | null }[];
      await expectAnsweredAsRecorded(run, rows, gateway, 'PostgreSQL reset for 5 s');
      gateway.kill('SIGINT');
      await new Promise((r) => gateway.once('exit', r));
    } finally {
      await proxy.close();
      await dropSchema(schema);
      rmSync(home, { recursive: true, force: true });
    }
  }, 240_000);
});
