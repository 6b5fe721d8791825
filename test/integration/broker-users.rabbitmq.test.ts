/**
 * Least privilege on RabbitMQ: with the broker users `lgsp broker provision` makes, every part
 * of the bus logs in as its own user, the bus works, and RabbitMQ itself refuses a system's
 * reach into what is not its own (ACCESS_REFUSED). Each attempt runs on a connection of its own.
 */
import amqp, { type ConfirmChannel } from 'amqplib';
import { compactVerify } from 'jose';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signEnvelope } from '../../adapters/amqp/reply.ts';
import { BROKER_USERS_FILE, urlAs, type BrokerUsers } from '../../gateway/home/broker-users.ts';
import { brokerUser } from '../../gateway/transport/broker-users.ts';
import { provisionBus, unprovisionBus } from '../../gateway/transport/provision.ts';
import { AMQP_URL, describeRabbitManagement, MANAGEMENT_URL, rabbitBroker } from '../helpers/broker.ts';
import { CAOBANG, createTestBus, DANCU, DIENBIEN, fixtureCatalog, GATEWAY, PERSON, verifyHandler, VERIFY, type TestBus } from '../helpers/bus.ts';

await describeRabbitManagement('broker users: least privilege on RabbitMQ', () => {
  const home = mkdtempSync(join(tmpdir(), 'lgsp-broker-users-'));
  let users: BrokerUsers;
  const broker = rabbitBroker(5, undefined, { loginFor: (name) => users.logins[name] });
  const names = () => broker.prefix;
  let bus: TestBus;

  const provisionOptions = async () => ({ amqpUrl: AMQP_URL!, managementUrl: MANAGEMENT_URL, prefix: broker.prefix, catalog: (await fixtureCatalog()).catalog, home });

  beforeAll(async () => {
    users = await provisionBus(await provisionOptions());
    bus = await createTestBus(broker);
  });

  afterAll(async () => {
    await bus?.stop();
    await unprovisionBus(await provisionOptions());
    rmSync(home, { recursive: true, force: true });
  });

  /** Runs `act` as `system`'s broker user on a connection of its own; the broker's refusal, if any. */
  async function as(system: string, act: (ch: ConfirmChannel) => Promise<unknown>): Promise<string | undefined> {
    const conn = await amqp.connect(urlAs(AMQP_URL!, users.logins[system]!));
    conn.on('error', () => undefined);
    const ch = await conn.createConfirmChannel();
    let refusal: string | undefined;
    ch.on('error', (err: Error) => {
      refusal = err.message;
    });
    try {
      await act(ch);
      await ch.close();
    } catch (err) {
      refusal ??= (err as Error).message;
    }
    await conn.close().catch(() => undefined);
    return refusal;
  }

  const publish = (exchange: string, routingKey: string, body: string, options: amqp.Options.Publish = {}) => (ch: ConfirmChannel) =>
    new Promise<void>((resolve, reject) => ch.publish(exchange, routingKey, Buffer.from(body), options, (err) => (err ? reject(err) : resolve())));

  it('provisions one user per system and one for the gateway, with passwords kept 0600 in the state directory', async () => {
    const { catalog } = await fixtureCatalog();
    expect(Object.keys(users.logins).sort()).toEqual(['gateway', ...catalog.systems.keys()].sort());
    expect(users.logins.gateway!.user).toBe(brokerUser(broker.prefix));
    expect(statSync(join(home, BROKER_USERS_FILE)).mode & 0o777).toBe(0o600);
    const again = await provisionBus(await provisionOptions());
    expect(again.logins[CAOBANG]!.password).toBe(users.logins[CAOBANG]!.password);
  });

  it('warns when users of the same names already serve a bus on another vhost (RabbitMQ users are broker-wide)', async () => {
    // A vhost of this suite's own, named after its prefix, where its gateway user is given a right, as another bus would.
    const management = new URL(MANAGEMENT_URL!);
    const auth = `Basic ${Buffer.from(`${decodeURIComponent(new URL(AMQP_URL!).username || 'guest')}:${decodeURIComponent(new URL(AMQP_URL!).password || 'guest')}`).toString('base64')}`;
    const api = (method: string, path: string, body?: unknown) => fetch(`${management.origin}/api/${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const other = `${broker.prefix}-other`;
    expect((await api('PUT', `vhosts/${encodeURIComponent(other)}`)).ok).toBe(true);
    try {
      expect((await api('PUT', `permissions/${encodeURIComponent(other)}/${encodeURIComponent(brokerUser(broker.prefix))}`, { configure: '', write: '', read: '' })).ok).toBe(true);
      const shared: string[][] = [];
      users = await provisionBus({ ...(await provisionOptions()), onShared: (vhosts) => void shared.push(vhosts) });
      expect(shared).toEqual([[other]]);
    } finally {
      await api('DELETE', `vhosts/${encodeURIComponent(other)}`);
    }
  });

  it('carries a request and its reply with every part as its own user; the provider sees the gateway as publisher', async () => {
    // A raw consumer as DANCU's own user takes the forwarded request first, to read its user-id,
    // and gives it back unacknowledged; then DANCU's provider answers it.
    const inbox = `${names()}.in.${DANCU}`;
    const conn = await amqp.connect(urlAs(AMQP_URL!, users.logins[DANCU]!));
    const ch = await conn.createChannel();
    const seen = new Promise<amqp.ConsumeMessage>((resolve) => void ch.consume(inbox, (m) => m && resolve(m)));
    const client = await bus.client(CAOBANG);
    const reply = client.request(VERIFY, { ...PERSON }, { userId: 'CB-0042' });
    const forwarded = await seen;
    expect(forwarded.properties.userId).toBe(brokerUser(broker.prefix));
    await conn.close(); // not acknowledged: back to the inbox
    await bus.provider(DANCU, { 'citizen.verify/v1': verifyHandler });
    expect((await reply).status).toBe('ok');
  });

  it("refuses a system reading another system's inbox, reply queue or the gateway's queues", async () => {
    expect(await as(CAOBANG, (ch) => ch.consume(`${names()}.in.${DANCU}`, () => undefined))).toMatch(/ACCESS_REFUSED/);
    expect(await as(CAOBANG, (ch) => ch.consume(`${names()}.reply.${DIENBIEN}`, () => undefined))).toMatch(/ACCESS_REFUSED/);
    expect(await as(CAOBANG, (ch) => ch.consume(`${names()}.ingress`, () => undefined))).toMatch(/ACCESS_REFUSED/);
    expect(await as(DANCU, (ch) => ch.consume(`${names()}.ingress.responses`, () => undefined))).toMatch(/ACCESS_REFUSED/);
    expect(await as(CAOBANG, (ch) => ch.get(`${names()}.dead`))).toMatch(/ACCESS_REFUSED/);
  });

  it("refuses a system publishing to another system's inbox or reply queue", async () => {
    expect(await as(CAOBANG, publish('', `${names()}.in.${DANCU}`, 'forged request'))).toMatch(/ACCESS_REFUSED/);
    expect(await as(DANCU, publish('', `${names()}.reply.${CAOBANG}`, 'forged reply'))).toMatch(/ACCESS_REFUSED/);
  });

  it('refuses publishing to the responses queue to a system that provides nothing, and to anyone past its exchange', async () => {
    expect(await as(CAOBANG, publish(`${names()}.to-responses`, '', 'junk reply'))).toMatch(/ACCESS_REFUSED/);
    expect(await as(DANCU, publish('', `${names()}.ingress.responses`, 'junk reply'))).toMatch(/ACCESS_REFUSED/);
    expect(await as(CAOBANG, publish('', `${names()}.ingress`, 'around the entrance'))).toMatch(/ACCESS_REFUSED/);
  });

  it('refuses a system declaring, purging or deleting queues and exchanges', async () => {
    expect(await as(CAOBANG, (ch) => ch.assertQueue(`${names()}.mine`))).toMatch(/ACCESS_REFUSED/);
    expect(await as(CAOBANG, (ch) => ch.assertQueue(`${names()}.in.${CAOBANG}`, { durable: true }))).toMatch(/ACCESS_REFUSED/);
    expect(await as(CAOBANG, (ch) => ch.purgeQueue(`${names()}.in.${DANCU}`))).toMatch(/ACCESS_REFUSED/);
    expect(await as(CAOBANG, (ch) => ch.purgeQueue(`${names()}.ingress`))).toMatch(/ACCESS_REFUSED/);
    expect(await as(CAOBANG, (ch) => ch.deleteQueue(`${names()}.in.${DANCU}`))).toMatch(/ACCESS_REFUSED/);
    expect(await as(CAOBANG, (ch) => ch.bindQueue(`${names()}.reply.${CAOBANG}`, `${names()}.to-ingress`, ''))).toMatch(/ACCESS_REFUSED/);
    expect(await as(CAOBANG, (ch) => ch.assertExchange(`${names()}.to-ingress`, 'fanout', { durable: true }))).toMatch(/ACCESS_REFUSED/);
  });

  it("refuses a forged user-id: RabbitMQ checks it against the publisher's login", async () => {
    const refusal = await as(CAOBANG, publish(`${names()}.to-ingress`, '', 'x', { userId: brokerUser(broker.prefix) }));
    expect(refusal).toMatch(/PRECONDITION_FAILED - user_id property set to/);
  });

  it("answers a system that sends another system's signed message client.key_mismatch, recorded", async () => {
    const { keys, catalog } = bus;
    const { envelope, jws } = await signEnvelope(keys.get(CAOBANG)!, 'request', VERIFY, { ...PERSON }, { userId: 'CB-0042' }, Date.now());
    const relayed = await as(DIENBIEN, publish(`${names()}.to-ingress`, '', jws, {
      messageId: envelope.id, appId: CAOBANG, type: 'request', contentType: 'application/jose', userId: users.logins[DIENBIEN]!.user,
    }));
    expect(relayed).toBeUndefined();
    // The answer goes to the system the broker vouches for: the publisher, not the signer.
    const conn = await amqp.connect(urlAs(AMQP_URL!, users.logins[DIENBIEN]!));
    const ch = await conn.createChannel();
    const answer = await new Promise<amqp.ConsumeMessage>((resolve) => void ch.consume(`${names()}.reply.${DIENBIEN}`, (m) => m && resolve(m)));
    ch.ack(answer);
    await conn.close();
    const gatewayKey = catalog.keys.get(keys.get(GATEWAY)!.kid)!;
    const { payload } = await compactVerify(answer.content.toString(), gatewayKey.key);
    const error = JSON.parse(new TextDecoder().decode(payload)) as { inReplyTo: string; error: { type: string; message: string; detail: string } };
    expect(error.inReplyTo).toBe(envelope.id);
    expect(error.error.type).toBe('client.key_mismatch');
    expect(error.error.message).toContain(`broker user of ${DIENBIEN}`);
    await expect.poll(() => bus.ledger.records.find((r) => r.tx === error.error.detail)?.outcome).toBe('client.key_mismatch');
  });

  it("bounds any instance reply queue a system's user declares, whatever its arguments, and refuses one named outside the pattern", async () => {
    const mine = `${names()}.reply.${CAOBANG}#unbounded`;
    // Classic, no length limit, no expiry: RabbitMQ lets the user declare it…
    expect(await as(CAOBANG, (ch) => ch.assertQueue(mine, { durable: true, arguments: { 'x-queue-type': 'classic' } }))).toBeUndefined();
    // …and the bus's operator policy bounds it all the same.
    const login = new URL(AMQP_URL!);
    const auth = `Basic ${Buffer.from(`${decodeURIComponent(login.username || 'guest')}:${decodeURIComponent(login.password || 'guest')}`).toString('base64')}`;
    const queue = async () => (await fetch(`${MANAGEMENT_URL}/api/queues/%2F/${encodeURIComponent(mine)}`, { headers: { authorization: auth } })).json() as Promise<{ operator_policy?: string; effective_policy_definition?: Record<string, unknown> }>;
    await expect.poll(async () => (await queue()).operator_policy, { timeout: 15_000 }).toBe(`${names()}-reply-instances`);
    expect((await queue()).effective_policy_definition).toMatchObject({ 'max-length': 10_000, expires: 30 * 60_000 });
    expect(await as(CAOBANG, (ch) => ch.assertQueue(`${names()}.reply.${CAOBANG}#../escape`, { durable: true }))).toMatch(/ACCESS_REFUSED/);
    const conn = await amqp.connect(AMQP_URL!);
    await (await conn.createChannel()).deleteQueue(mine);
    await conn.close();
  });

  /** The dead letters' messages, read with the broker's own login (a system may not read them). */
  async function deadLetterIds(): Promise<string[]> {
    const conn = await amqp.connect(AMQP_URL!);
    const ch = await conn.createChannel();
    const ids: string[] = [];
    for (let m = await ch.get(`${names()}.dead`); m; m = await ch.get(`${names()}.dead`)) ids.push(String(m.properties.messageId));
    await conn.close(); // not acknowledged: they stay for the operator
    return ids;
  }

  it("refuses unattributed a message no broker user vouches for (no user-id): to the dead letters, never answered to the appId it names", async () => {
    const { keys } = bus;
    const { envelope, jws } = await signEnvelope(keys.get(CAOBANG)!, 'request', VERIFY, { ...PERSON }, { userId: 'CB-0042' }, Date.now());
    // Dien Bien's user relays Cao Bang's signed request, and sets no user-id: RabbitMQ then checks none.
    expect(await as(DIENBIEN, publish(`${names()}.to-ingress`, '', jws, { messageId: envelope.id, appId: CAOBANG, type: 'request', contentType: 'application/jose' }))).toBeUndefined();
    await expect.poll(deadLetterIds, { timeout: 10_000 }).toContain(envelope.id);
    expect(bus.ledger.records.filter((r) => r.messageId === envelope.id)).toEqual([]);
  });

  it("charges a flood of junk to the system whose user sent it: past its budget counted, not recorded, and others' requests go on", async () => {
    const client = await bus.client(CAOBANG, { instance: 'flood-victim' });
    await bus.provider(DANCU, { 'citizen.verify/v1': verifyHandler }).catch(() => undefined);
    const timed = async () => {
      const t0 = performance.now();
      const r = await client.request(VERIFY, { ...PERSON }, { userId: 'CB-0042' });
      return { status: r.status, ms: performance.now() - t0 };
    };
    const baseline = await timed();
    const junkRows = () => bus.ledger.records.filter((r) => r.client === null && r.outcome === 'client.malformed').length;
    const before = junkRows();
    const started = performance.now();
    const flood = as(DIENBIEN, async (ch) => {
      for (let i = 0; i < 5000; i++) ch.publish(`${names()}.to-ingress`, '', Buffer.from(`junk ${i}`), { userId: users.logins[DIENBIEN]!.user, appId: CAOBANG });
      await ch.waitForConfirms();
    });
    expect(await flood).toBeUndefined();
    // Behind the whole flood on the ingress.
    const during = await timed();
    const seconds = (performance.now() - started) / 1000;
    const inspector = await broker.connect('flood-inspector');
    await expect.poll(async () => (await inspector.inspect(inspector.names.ingress))?.messages, { timeout: 60_000 }).toBe(0);
    const recorded = junkRows() - before;
    expect(baseline.status).toBe('ok');
    expect(during.status).toBe('ok');
    expect(recorded).toBeLessThan(5000);
    expect(recorded).toBeLessThanOrEqual(Math.ceil(50 * (seconds + 5)));
    console.log(`junk flood: 5,000 junk messages from one system's user in ${seconds.toFixed(1)} s; ${recorded} recorded and answered (its budget: 50 a second), the rest counted only; `
      + `another province's request took ${baseline.ms.toFixed(0)} ms before the flood and ${during.ms.toFixed(0)} ms behind it`);
  }, 120_000);
});
