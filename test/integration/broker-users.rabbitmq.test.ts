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
});
