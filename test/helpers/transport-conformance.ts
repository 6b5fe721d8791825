/**
 * One conformance suite for every transport (docs/protocol.md §5): the semantics the gateway relies on,
 * pinned the same way for the embedded broker and for RabbitMQ.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Delivery, Transport } from '../../gateway/transport/transport.ts';
import type { BrokerHandle } from './broker.ts';

const SYSTEM = 'VN/GOV/TEST/CONFORMANCE';
const DELIVERY_LIMIT = 2;
const DEAD_LETTER_MAX = 3;
const REPLY_QUEUE_MAX = 2;

/** Resolves with the first `n` deliveries a queue hands to a consumer that does not settle them. */
function collect(transport: Transport, queue: string, n: number, prefetch = 10): Promise<Delivery[]> {
  return new Promise((resolve) => {
    const got: Delivery[] = [];
    void transport.consume(queue, (d) => {
      got.push(d);
      if (got.length === n) resolve(got);
    }, { prefetch });
  });
}

function within<T>(ms: number, promise: Promise<T>): Promise<T | 'timeout'> {
  return Promise.race([promise, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
}

export function transportConformance(makeBroker: (deliveryLimit: number, bounds: { deadLetterMax: number; replyQueueMax: number }) => BrokerHandle): void {
  let broker: BrokerHandle;
  let transport: Transport;
  let inbox: string;

  beforeEach(async () => {
    broker = makeBroker(DELIVERY_LIMIT, { deadLetterMax: DEAD_LETTER_MAX, replyQueueMax: REPLY_QUEUE_MAX });
    transport = await broker.connect('conformance');
    await transport.declare([SYSTEM]);
    inbox = transport.names.inbox(SYSTEM);
  });

  afterEach(async () => {
    await broker.cleanup([SYSTEM]);
  });

  it('delivers a published message with its body and properties', async () => {
    const got = collect(transport, inbox, 1);
    await transport.publish(inbox, Buffer.from('hello'), { messageId: 'm1', correlationId: 'c1', appId: SYSTEM, type: 'request', headers: { 'x-lgsp-tx': 't1' } });
    const [d] = await got;
    expect(d!.body.toString()).toBe('hello');
    expect(d!.props).toMatchObject({ messageId: 'm1', correlationId: 'c1', appId: SYSTEM, type: 'request', headers: { 'x-lgsp-tx': 't1' } });
    expect(d!.redelivered).toBe(false);
    d!.ack();
  });

  it('refuses a publish to a queue that does not exist (mandatory)', async () => {
    await expect(transport.publish(`${transport.names.ingress}.nowhere`, Buffer.from('x'), {})).rejects.toMatchObject({ name: 'TransportError', code: 'TRANSPORT_UNROUTABLE' });
  });

  it('refuses at once a property the wire cannot carry (a 256-byte message id), and keeps publishing', async () => {
    await expect(transport.publish(inbox, Buffer.from('x'), { messageId: 'a'.repeat(256) })).rejects.toMatchObject({ name: 'TransportError', code: 'TRANSPORT_INVALID' });
    await expect(transport.publish(inbox, Buffer.from('x'), { messageId: 'm', correlationId: 'c'.repeat(300) })).rejects.toMatchObject({ code: 'TRANSPORT_INVALID' });
    const got = collect(transport, inbox, 1);
    await transport.publish(inbox, Buffer.from('after'), { messageId: 'a'.repeat(255) });
    const [d] = await got;
    expect(d!.body.toString()).toBe('after');
    d!.ack();
  });

  it('redelivers a nacked message with the redelivered flag', async () => {
    await transport.publish(inbox, Buffer.from('again'), { messageId: 'm2' });
    const seen: Delivery[] = [];
    const second = new Promise<Delivery>((resolve) => {
      void transport.consume(inbox, (d) => {
        seen.push(d);
        if (seen.length === 1) d.nack(true);
        else resolve(d);
      }, { prefetch: 1 });
    });
    const d = await second;
    expect(d.redelivered).toBe(true);
    expect(d.body.toString()).toBe('again');
    d.ack();
  });

  it(`keeps at most ${DEAD_LETTER_MAX} dead letters, dropping the oldest (nobody consumes them but an operator)`, async () => {
    const rejected = collect(transport, inbox, 5);
    for (let i = 1; i <= 5; i++) await transport.publish(inbox, Buffer.from(`junk ${i}`), { messageId: `j${i}` });
    for (const d of await rejected) d.nack(false);
    await expect.poll(async () => (await transport.inspect(transport.names.dead))?.messages).toBe(DEAD_LETTER_MAX);
    const kept = await collect(transport, transport.names.dead, DEAD_LETTER_MAX);
    expect(kept.map((d) => d.body.toString())).toEqual(['junk 3', 'junk 4', 'junk 5']);
    for (const d of kept) d.ack();
  });

  it(`keeps at most ${REPLY_QUEUE_MAX} replies for a client that is away, the oldest dead-lettered (maxlen)`, async () => {
    const replies = transport.names.replies(SYSTEM);
    for (let i = 1; i <= 4; i++) await transport.publish(replies, Buffer.from(`reply ${i}`), { messageId: `r${i}` });
    await expect.poll(async () => (await transport.inspect(replies))?.messages).toBe(REPLY_QUEUE_MAX);
    const kept = await collect(transport, replies, REPLY_QUEUE_MAX);
    expect(kept.map((d) => d.body.toString())).toEqual(['reply 3', 'reply 4']);
    for (const d of kept) d.ack();
    const dead = await collect(transport, transport.names.dead, 2);
    expect(dead.map((d) => [d.body.toString(), d.deaths[0]?.reason])).toEqual([['reply 1', 'maxlen'], ['reply 2', 'maxlen']]);
    for (const d of dead) d.ack();
  });

  it('dead-letters a message rejected without requeue, with the reason', async () => {
    const dead = collect(transport, transport.names.dead, 1);
    const [d] = await (async () => {
      const got = collect(transport, inbox, 1);
      await transport.publish(inbox, Buffer.from('poison'), { messageId: 'm3' });
      return got;
    })();
    d!.nack(false);
    const [letter] = await dead;
    expect(letter!.body.toString()).toBe('poison');
    expect(letter!.deaths[0]).toMatchObject({ reason: 'rejected', queue: inbox });
    letter!.ack();
  });

  it(`dead-letters a message after the delivery limit (${DELIVERY_LIMIT}) with the reason`, async () => {
    const dead = collect(transport, transport.names.dead, 1);
    let deliveries = 0;
    await transport.consume(inbox, (d) => {
      deliveries += 1;
      d.nack(true);
    }, { prefetch: 1 });
    await transport.publish(inbox, Buffer.from('loops'), { messageId: 'm4' });
    const [letter] = await dead;
    expect(letter!.body.toString()).toBe('loops');
    expect(letter!.deaths[0]?.reason).toBe('delivery_limit');
    expect(deliveries).toBe(DELIVERY_LIMIT + 1);
    letter!.ack();
  });

  it('holds no more unacknowledged deliveries than the prefetch', async () => {
    for (let i = 0; i < 5; i++) await transport.publish(inbox, Buffer.from(String(i)), {});
    const held: Delivery[] = [];
    await transport.consume(inbox, (d) => void held.push(d), { prefetch: 2 });
    await new Promise((r) => setTimeout(r, 300));
    expect(held).toHaveLength(2);
    held[0]!.ack();
    await new Promise((r) => setTimeout(r, 300));
    expect(held).toHaveLength(3);
    for (const d of held.slice(1)) d.ack();
  });

  it('returns unacknowledged messages when a connection closes', async () => {
    const other = await broker.connect('conformance-2');
    const got = collect(other, inbox, 1);
    await transport.publish(inbox, Buffer.from('kept'), { messageId: 'm5' });
    await got;
    await other.close();
    const [again] = await collect(transport, inbox, 1);
    expect(again!.body.toString()).toBe('kept');
    expect(again!.redelivered).toBe(true);
    again!.ack();
  });

  it('counts the consumers and messages of a queue', async () => {
    expect(await transport.inspect(inbox)).toEqual({ messages: 0, consumers: 0 });
    await transport.publish(inbox, Buffer.from('waiting'), {});
    await expect.poll(() => transport.inspect(inbox)).toEqual({ messages: 1, consumers: 0 });
    const c = await transport.consume(inbox, (d) => d.ack(), { prefetch: 1 });
    await expect.poll(() => transport.inspect(inbox)).toEqual({ messages: 0, consumers: 1 });
    await c.cancel();
    expect(await transport.inspect(`${inbox}.missing`)).toBeUndefined();
  });

  it('stops delivering to a cancelled consumer', async () => {
    let count = 0;
    const c = await transport.consume(inbox, (d) => {
      count += 1;
      d.ack();
    }, { prefetch: 1 });
    await c.cancel();
    await transport.publish(inbox, Buffer.from('after'), {});
    expect(await within(300, collect(transport, inbox, 1))).not.toBe('timeout');
    expect(count).toBe(0);
  });

  it('drops a message past its expiration that nobody took, to the dead letters (expired)', async () => {
    await transport.publish(inbox, Buffer.from('too late'), { messageId: 'm6', expiration: 50 });
    await transport.publish(inbox, Buffer.from('in time'), { messageId: 'm7' });
    // Nobody consumes the inbox until the first has expired: dead-lettered once it reaches the head.
    const dead = collect(transport, transport.names.dead, 1);
    await new Promise((r) => setTimeout(r, 200)); // past the 50 ms expiration: the fault under test, not a wait for a result
    const [kept] = await collect(transport, inbox, 1);
    expect(kept!.body.toString()).toBe('in time');
    kept!.ack();
    const [letter] = await dead;
    expect([letter!.body.toString(), letter!.deaths[0]?.reason]).toEqual(['too late', 'expired']);
    letter!.ack();
  });

  it('keeps what a paused consumer holds unacknowledged and hands it nothing new until it resumes', async () => {
    const held: Delivery[] = [];
    const c = await transport.consume(inbox, (d) => void held.push(d), { prefetch: 5 });
    await transport.publish(inbox, Buffer.from('before'), {});
    await expect.poll(() => held.length).toBe(1);
    await c.pause();
    await transport.publish(inbox, Buffer.from('while paused'), {});
    await expect.poll(async () => (await transport.inspect(inbox))?.messages).toBe(1);
    await new Promise((r) => setTimeout(r, 300)); // time to hand it out, were the consumer not paused
    expect(held).toHaveLength(1);
    held[0]!.ack(); // what it held can still be settled
    await c.resume();
    await expect.poll(() => held.length).toBe(2);
    expect(held[1]!.body.toString()).toBe('while paused');
    held[1]!.ack();
    await c.cancel();
  });
}
