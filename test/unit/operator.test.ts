/**
 * The operator server over a gateway recording to SQLite: metrics that match the ledger and
 * pass promtool, counts, pages of transactions, service health, liveness and readiness.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayClient } from '../../adapters/amqp/client.ts';
import { ServiceProvider } from '../../adapters/amqp/provider.ts';
import { embeddedBroker } from '../helpers/broker.ts';
import { CAOBANG, DANCU, DIENBIEN, fixtureCatalog, GATEWAY, PERSON, VERIFY, verifyHandler } from '../helpers/bus.ts';
import { OPERATOR_TOKEN, startRecordedBus, type RecordedBus } from '../helpers/recorded-bus.ts';

const run = promisify(execFile);

// The API's JSON, loosely typed: each test states the shape it checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function getJson(url: string): Promise<any> {
  return (await fetch(url)).json();
}

async function promtool(): Promise<string | undefined> {
  try {
    await run('promtool', ['--version']);
    return 'promtool';
  } catch {
    return undefined;
  }
}

describe('operator server', () => {
  const broker = embeddedBroker();
  let bus: RecordedBus;
  let provider: ServiceProvider;
  const clients: GatewayClient[] = [];

  beforeAll(async () => {
    const { catalog, keys } = await fixtureCatalog();
    bus = await startRecordedBus(broker);
    provider = await ServiceProvider.start({ transport: await broker.connect(), system: DANCU, key: keys.get(DANCU)!, keys: catalog.keys, gateway: GATEWAY, handlers: { 'citizen.verify/v1': verifyHandler } });
    for (const system of [CAOBANG, DIENBIEN]) {
      clients.push(await GatewayClient.connect({ transport: await broker.connect(), system, key: keys.get(system)!, keys: catalog.keys, gateway: GATEWAY }));
    }
    const [caobang, dienbien] = clients as [GatewayClient, GatewayClient];
    // A mix of outcomes: ok, a business error, a contract violation, an access refusal.
    await Promise.all([
      ...Array.from({ length: 30 }, () => caobang.request(VERIFY, PERSON)),
      ...Array.from({ length: 5 }, () => caobang.request(VERIFY, { ...PERSON, idNumber: '004190999999' })),
      ...Array.from({ length: 4 }, () => caobang.request(VERIFY, { ...PERSON, idNumber: '1' })),
      ...Array.from({ length: 3 }, () => dienbien.request(VERIFY, PERSON)),
    ]);
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await provider.stop();
    await bus.stop();
    await broker.cleanup();
  });

  it('counts in /metrics exactly what the ledger recorded', async () => {
    const text = await (await fetch(`${bus.url}/metrics`)).text();
    const counted = new Map<string, number>();
    for (const m of text.matchAll(/^lgsp_transactions_total\{client="([^"]*)",service="([^"]*)",outcome="([^"]*)"\} (\d+)$/gm)) {
      counted.set(`${m[1]} ${m[2]} ${m[3]}`, Number(m[4]));
    }
    const rows = bus.ledger.db.prepare('SELECT client, service, outcome, count(*) AS n FROM transactions GROUP BY 1, 2, 3').all() as { client: string; service: string; outcome: string; n: number }[];
    expect(Object.fromEntries(counted)).toEqual(Object.fromEntries(rows.map((r) => [`${r.client} ${r.service} ${r.outcome}`, r.n])));
    expect(counted.get(`${CAOBANG} ${VERIFY} ok`)).toBe(35);
    expect(counted.get(`${CAOBANG} ${VERIFY} client.contract_violation`)).toBe(4);
    expect(counted.get(`${DIENBIEN} ${VERIFY} client.access_denied`)).toBe(3);
    expect(text).toMatch(/^lgsp_transaction_duration_seconds_count\{service="VN\/GOV\/BCA\/DANCU\/citizen.verify\/v1"\} 42$/m);
    expect(text).toMatch(/^lgsp_inflight_transactions 0$/m);
    expect(text).toMatch(/^lgsp_broker_up 1$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('serves metrics that pass promtool check metrics', async (ctx) => {
    const tool = await promtool();
    if (!tool) {
      if (process.env.CI === 'true') throw new Error('promtool is missing under CI=true (.ci/run installs the prometheus package)');
      console.warn('\n  SKIPPED promtool check: promtool not installed (apt-get install prometheus).\n');
      ctx.skip();
      return;
    }
    const file = join(tmpdir(), `lgsp-metrics-${process.pid}.txt`);
    writeFileSync(file, await (await fetch(`${bus.url}/metrics`)).text());
    const { stdout, stderr } = await run('sh', ['-c', `${tool} check metrics < ${file}`]);
    expect(`${stdout}${stderr}`.trim()).toBe('');
  });

  it('counts by client, service and outcome over time buckets, with filters', async () => {
    const all = await getJson(`${bus.url}/api/stats?bucket=60000`);
    expect(all.totals.byOutcome).toEqual({ ok: 35, 'client.contract_violation': 4, 'client.access_denied': 3 });
    expect(all.totals.byClient[DIENBIEN]).toBe(3);
    expect(all.buckets.every((b: { t: number }) => b.t % 60000 === 0)).toBe(true);
    expect(all.latency.count).toBe(42);
    const one = await getJson(`${bus.url}/api/stats?client=${encodeURIComponent(DIENBIEN)}`);
    expect(one.totals.byOutcome).toEqual({ 'client.access_denied': 3 });
  });

  it('pages through transactions newest first, filtered', async () => {
    const first = await getJson(`${bus.url}/api/transactions?limit=20`);
    expect(first.items).toHaveLength(20);
    const second = await getJson(`${bus.url}/api/transactions?limit=50&before=${first.next}`);
    expect(second.items).toHaveLength(22);
    expect(second.next).toBeNull();
    const seqs = [...first.items, ...second.items].map((t: { seq: number }) => t.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const refused = await getJson(`${bus.url}/api/transactions?outcome=client.access_denied`);
    expect(refused.items.map((t: { client: string }) => t.client)).toEqual([DIENBIEN, DIENBIEN, DIENBIEN]);
  });

  it('reports each service’s last success and failure and 10-minute counts', async () => {
    const health = await getJson(`${bus.url}/api/services/health`);
    const verify = health.services.find((s: { service: string }) => s.service === VERIFY);
    expect(verify.lastSuccess).toBeGreaterThan(0);
    expect(verify.lastFailure).toBeGreaterThan(0);
    expect(verify.buckets).toHaveLength(6);
    expect(verify.buckets.at(-1)).toMatchObject({ ok: 30, business: 5, failed: 7 });
  });

  it('tells business errors apart from ok and from gateway errors, and filters by kind', async () => {
    const all = await getJson(`${bus.url}/api/stats?bucket=3600000`);
    const business = all.buckets.filter((b: { businessError: string | null }) => b.businessError);
    expect(business.map((b: { businessError: string; outcome: string }) => [b.outcome, b.businessError])).toEqual([['ok', 'citizen.not_found']]);
    const count = async (kind: string) => (await getJson(`${bus.url}/api/transactions?limit=100&kind=${kind}`)).items.length;
    expect(await count('ok')).toBe(30);
    expect(await count('business')).toBe(5);
    expect(await count('gateway')).toBe(7);
    expect((await fetch(`${bus.url}/api/stats?kind=bad`)).status).toBe(400);
  });

  it('filters by a system on either side (client or provider)', async () => {
    const asProvider = await getJson(`${bus.url}/api/stats?bucket=3600000&system=${encodeURIComponent(DANCU)}`);
    expect(Object.values(asProvider.totals.byOutcome as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(42);
    const asClient = await getJson(`${bus.url}/api/stats?bucket=3600000&system=${encodeURIComponent(DIENBIEN)}`);
    expect(asClient.totals.byOutcome).toEqual({ 'client.access_denied': 3 });
  });

  it('returns one transaction by its id, its journal (personal data) only with the operator token, and 404 for an unknown one', async () => {
    const [latest] = (await getJson(`${bus.url}/api/transactions?limit=1`)).items;
    const one = await getJson(`${bus.url}/api/transactions/${latest.tx}`);
    expect(one.record).toEqual(latest);
    expect(one).toMatchObject({ journal: null, journalNeedsToken: expect.stringMatching(/operator token/) });
    const withToken = await (await fetch(`${bus.url}/api/transactions/${latest.tx}`, { headers: { Authorization: `Bearer ${OPERATOR_TOKEN}` } })).json() as { journal: unknown };
    expect(withToken.journal).toEqual([]);
    const wrongToken = await (await fetch(`${bus.url}/api/transactions/${latest.tx}`, { headers: { Authorization: 'Bearer not-the-token' } })).json() as { journal: unknown };
    expect(wrongToken.journal).toBeNull();
    const missing = await fetch(`${bus.url}/api/transactions/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect((await fetch(`${bus.url}/api/transactions/not-an-id`)).status).toBe(404);
  });

  it('refuses reading the admin API (request bodies: personal data) without the operator token', async () => {
    const refused = await fetch(`${bus.url}/admin/requests`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(`${bus.url}/admin/requests`, { headers: { Authorization: `Bearer ${OPERATOR_TOKEN}` } })).status).not.toBe(401);
  });

  it('reports each queue’s backlog and consumers, dead letters included', async () => {
    const { queues } = await getJson(`${bus.url}/api/queues`);
    const byName = new Map(queues.map((q: { queue: string }) => [q.queue, q]));
    expect(byName.get('lgsp.ingress')).toMatchObject({ role: 'ingress', consumers: 1 });
    expect(byName.get('lgsp.dead')).toMatchObject({ role: 'dead letters', messages: 0 });
    expect(byName.get(`lgsp.in.${DANCU}`)).toMatchObject({ role: 'inbox', system: DANCU, messages: 0, consumers: 1 });
  });

  it('refuses a filter that is not an identifier (400)', async () => {
    const res = await fetch(`${bus.url}/api/transactions?client=${encodeURIComponent("x' OR 1=1 --")}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'client must be a system id' });
  });

  it('is live, and ready while broker and ledger are', async () => {
    expect((await fetch(`${bus.url}/healthz`)).status).toBe(200);
    expect(await getJson(`${bus.url}/readyz`)).toEqual({ broker: true, ledger: true });
  });

  it('serves the dashboard at /', async () => {
    const res = await fetch(`${bus.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>LGSP operator</title>');
  });
});
