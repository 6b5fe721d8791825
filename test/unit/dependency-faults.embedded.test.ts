/**
 * What the gateway does when what it stands on fails, over the embedded transport with a real
 * SQLite ledger: the ledger locked by another process (the gateway stops taking messages, then
 * answers each once), an answer's delivery failing after its record (the recorded answer is the
 * one delivered, and no deadline is left to overwrite it), a copy of a request from a client
 * restarted as a new instance, a provider whose consumer goes away for a moment or a gateway just
 * back from a broker event (both waited for), a provider back from a hang (the requests past their
 * deadline dropped), a client past its reply queue's bound (it asks again and gets the recorded
 * answers), a late copy of a provider's answer (verified as the provider's), and a replay of a
 * message still in flight (named by its transaction).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayClient, type Reply } from '../../adapters/amqp/client.ts';
import { ServiceProvider } from '../../adapters/amqp/provider.ts';
import { SqliteLedger } from '../../gateway/ledger/sqlite.ts';
import { createGateway, type Gateway } from '../../gateway/pipeline/gateway.ts';
import { txOf } from '../../gateway/pipeline/request-flow.ts';
import { sha256 } from '../../gateway/protocol/jws.ts';
import { EmbeddedBroker } from '../../gateway/transport/embedded.ts';
import { TransportError, type Transport } from '../../gateway/transport/transport.ts';
import { CAOBANG, DANCU, fixtureCatalog, GATEWAY, PERSON, VERIFY, verifyHandler } from '../helpers/bus.ts';

describe('the gateway when what it stands on fails (embedded transport, SQLite ledger)', () => {
  let dir: string;
  let file: string;
  let broker: EmbeddedBroker;
  let ledger: SqliteLedger;
  let gateway: Gateway;
  const stops: Array<() => Promise<unknown>> = [];

  async function start(gatewayTransport: Transport = broker.connect(), now?: () => number): Promise<void> {
    const { catalog, keys } = await fixtureCatalog();
    gateway = createGateway({ transport: gatewayTransport, catalog, key: keys.get(GATEWAY)!, ledger, now });
    await gateway.start();
    stops.push(() => gateway.stop());
  }

  async function provider(): Promise<ServiceProvider> {
    const { catalog, keys } = await fixtureCatalog();
    const p = await ServiceProvider.start({ transport: broker.connect(), system: DANCU, key: keys.get(DANCU)!, keys: catalog.keys, gateway: GATEWAY, handlers: { 'citizen.verify/v1': verifyHandler } });
    stops.push(() => p.stop());
    return p;
  }

  async function client(options: { instance?: string; timeoutMs?: number } = {}): Promise<GatewayClient> {
    const { catalog, keys } = await fixtureCatalog();
    const c = await GatewayClient.connect({ transport: broker.connect(), system: CAOBANG, key: keys.get(CAOBANG)!, keys: catalog.keys, gateway: GATEWAY, timeoutMs: 60_000, ...options });
    stops.push(() => c.close());
    return c;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-depfaults-'));
    file = join(dir, 'ledger.sqlite');
    broker = new EmbeddedBroker({ prefix: 'lgsp', deliveryLimit: 5 });
    ledger = new SqliteLedger({ file, busyTimeoutMs: 20 });
  });

  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes no new messages while the ledger is locked by another process, then answers every request once, as recorded', async () => {
    await start();
    await provider();
    const c = await client();
    const names = broker.connect().names;
    const inspect = (queue: string) => broker.connect().inspect(queue);
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const replies: Promise<Reply>[] = Array.from({ length: 30 }, () => c.request(VERIFY, PERSON));
    await expect.poll(() => ledger.health().ok).toBe(false);
    // Paused: what comes now waits on the ingress.
    for (let i = 0; i < 10; i++) replies.push(c.request(VERIFY, PERSON));
    await expect.poll(async () => (await inspect(names.ingress))?.messages).toBe(10);

    other.exec('COMMIT');
    other.close();
    const answered = await Promise.all(replies);
    expect(answered.map((r) => r.status)).toEqual(Array(40).fill('ok'));
    expect(ledger.health().ok).toBe(true);
    expect((await inspect(names.ingress))?.consumers).toBe(1);
    expect((await inspect(names.dead))?.messages).toBe(0);
    // Each request recorded once, with the very answer its client holds.
    const rows = ledger.db.prepare('SELECT message_id AS id, response_hash AS hash FROM transactions WHERE client = ?').all(CAOBANG) as { id: string; hash: string }[];
    expect(rows).toHaveLength(40);
    const held = new Map(rows.map((r) => [r.id, r.hash]));
    expect(answered.filter((r) => held.get(r.envelope.inReplyTo) !== sha256(r.jws))).toEqual([]);
  });

  it('delivers the recorded answer when its first deliveries fail on a lost connection, and leaves no deadline to overwrite it', async () => {
    const inner = broker.connect();
    let failed = 0;
    // A connection that loses the first three publishes of answers to the province (the broker going away and back).
    const flaky: Transport = Object.assign(Object.create(inner) as Transport, {
      publish: (queue: string, body: Buffer, props: Parameters<Transport['publish']>[2]) => {
        if (queue === inner.names.replies(CAOBANG) && failed < 3) {
          failed += 1;
          return Promise.reject(new TransportError('TRANSPORT_CLOSED', 'the broker went away'));
        }
        return inner.publish(queue, body, props);
      },
    });
    await start(flaky);
    await provider();
    const c = await client();
    const reply = await c.request(VERIFY, PERSON);
    expect(failed).toBe(3);
    expect(reply.status).toBe('ok');
    expect((await ledger.answerOf(reply.tx!))?.jws).toBe(reply.jws);
    // Nothing is waiting for a deadline: a timeout can no longer be recorded or delivered for it.
    expect(gateway.inflight()).toBe(0);
    const outcome = ledger.db.prepare('SELECT outcome FROM transactions WHERE tx = ?').get(reply.tx) as { outcome: string };
    expect(outcome.outcome).toBe('ok');
  });

  it("answers a copy of a request sent by the client restarted as a new instance at that instance's own reply queue", async () => {
    await start();
    await provider();
    const first = await client({ instance: 'one' });
    const { envelope, jws } = await first.sign('request', VERIFY, PERSON);
    const reply = await first.sendSigned(jws, envelope);
    await first.close();
    const restarted = await client({ instance: 'two', timeoutMs: 10_000 });
    const again = await restarted.sendSigned(jws, envelope);
    expect(again.jws).toBe(reply.jws);
  });

  it('waits for a provider whose consumer went away a moment ago, instead of failing a fresh request as unavailable', async () => {
    // The gateway's clock, moved on past what it trusts a consumer count for (availabilityTtlMs).
    let ahead = 0;
    await start(broker.connect(), () => Date.now() + ahead);
    const p = await provider();
    const c = await client();
    expect((await c.request(VERIFY, PERSON)).status).toBe('ok');
    await p.stop();
    ahead = 2000;
    const pending = c.request(VERIFY, PERSON);
    // The request waits on the gateway (not yet answered) until the provider is back.
    await expect.poll(() => gateway.inflight()).toBe(1);
    await provider();
    expect((await pending).status).toBe('ok');
  });

  it('waits for its providers after its own reconnect (a broker event), instead of failing fresh requests as unavailable', async () => {
    const inner = broker.connect();
    const back = Date.now();
    // The gateway's connection came back just now: its providers are coming back too.
    await start(Object.assign(Object.create(inner) as Transport, { reconnectedAt: () => back }));
    const c = await client();
    const pending = c.request(VERIFY, PERSON);
    await expect.poll(() => gateway.inflight()).toBe(1);
    await provider();
    expect((await pending).status).toBe('ok');
  });

  it('lets the broker drop a forwarded request its provider did not take by its deadline, so a provider back from a hang gets only what is still wanted', async () => {
    await start();
    const c = await client();
    // A provider that hangs on its first request, holding it (prefetch 1); the others wait in its inbox.
    const raw = broker.connect();
    const taken: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await raw.consume(raw.names.inbox(DANCU), async (d) => {
      taken.push(d.props.messageId!);
      await held;
      d.ack();
    }, { prefetch: 1 });
    const replies = await Promise.all([1, 2, 3].map(() => c.request(VERIFY, PERSON)));
    expect(replies.map((r) => (r.status === 'error' ? r.error.type : r.status))).toEqual(Array(3).fill('server.provider_timeout'));
    release();
    // The two it never took were dropped once it came back, to the dead letters, as expired.
    await expect.poll(async () => (await raw.inspect(raw.names.dead))?.messages).toBe(2);
    expect(taken).toHaveLength(1);
    await raw.close();
  });

  it('gives a client whose answers were dropped at its reply queue\'s bound each recorded answer when it sends the same request again', async () => {
    broker = new EmbeddedBroker({ prefix: 'lgsp', deliveryLimit: 5, replyQueueMax: 5 });
    await start();
    await provider();
    // A client that stops reading: its requests go out, its answers pile up past the bound.
    const away = await client();
    await away.close();
    const raw = broker.connect();
    const sent = await Promise.all(Array.from({ length: 10 }, () => away.sign('request', VERIFY, PERSON)));
    for (const { envelope, jws } of sent) {
      await raw.publish(raw.names.ingress, Buffer.from(jws), { messageId: envelope.id, appId: CAOBANG, type: 'request', contentType: 'application/jose', replyTo: raw.names.replies(CAOBANG) });
    }
    const count = () => (ledger.db.prepare('SELECT count(*) AS n FROM transactions WHERE client = ?').get(CAOBANG) as { n: number }).n;
    await expect.poll(count).toBe(10);
    await expect.poll(async () => (await raw.inspect(raw.names.dead))?.messages).toBe(5);
    // Back, it asks again with the very same bytes: each answer the ledger holds, none handled twice.
    const back = await client({ timeoutMs: 5_000 });
    // One at a time: its reply queue's bound (5) holds for what it asks again too.
    const again = [];
    for (const { envelope, jws } of sent) again.push(await back.sendSigned(jws, envelope));
    const held = new Map((ledger.db.prepare('SELECT message_id AS id, response_hash AS hash FROM transactions WHERE client = ?').all(CAOBANG) as { id: string; hash: string }[]).map((r) => [r.id, r.hash]));
    expect(again.filter((r) => held.get(r.envelope.inReplyTo) !== sha256(r.jws))).toEqual([]);
    expect(count()).toBe(10);
    await raw.close();
  });

  it("verifies a late, byte-identical copy of a provider's answer as the provider's, with the gateway's attestation", async () => {
    await start();
    await provider();
    const c = await client();
    const late: Array<{ jws: string; envelope?: unknown; error?: Error }> = [];
    c.onUnmatched((u) => late.push(u));
    const { envelope, jws } = await c.sign('request', VERIFY, PERSON);
    const reply = await c.sendSigned(jws, envelope);
    // The same bytes again, as a copy after a fault: answered from the ledger, to nobody waiting.
    const raw = broker.connect();
    await raw.publish(raw.names.ingress, Buffer.from(jws), { messageId: envelope.id, appId: CAOBANG, type: 'request', contentType: 'application/jose', replyTo: raw.names.replies(CAOBANG) });
    await expect.poll(() => late.length).toBe(1);
    expect(late[0]!.jws).toBe(reply.jws);
    expect(late[0]!.error).toBeUndefined();
    expect(late[0]!.envelope).toMatchObject({ inReplyTo: envelope.id, status: 'ok' });
    await raw.close();
  });

  it('names the first transaction when another message reuses the id of one still in flight (client.replay)', async () => {
    await start();
    const c = await client();
    // A provider that holds the first request a while: it is in flight, not yet recorded.
    const raw = broker.connect();
    const held: Array<() => void> = [];
    await raw.consume(raw.names.inbox(DANCU), (d) => void held.push(() => d.ack()), { prefetch: 10 });
    const first = await c.sign('request', VERIFY, PERSON);
    void c.sendSigned(first.jws, first.envelope).catch(() => undefined);
    await expect.poll(() => held.length).toBe(1);
    const second = await c.sign('request', VERIFY, { ...PERSON, fullName: 'Another' }, { id: first.envelope.id });
    const replay = await c.sendSigned(second.jws, second.envelope);
    expect(replay.status === 'error' && replay.error.type).toBe('client.replay');
    // The first message's transaction derives from its client, id and bytes (txOf), recorded or not.
    const firstTx = txOf(CAOBANG, first.envelope.id, sha256(first.jws));
    expect(replay.status === 'error' && replay.error.message).toContain(`in transaction ${firstTx}`);
    for (const ack of held) ack();
    await raw.close();
  });
});
