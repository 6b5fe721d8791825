/** Publishing again after a lost connection is bounded and paced; nothing else is retried. */
import { describe, expect, it } from 'vitest';
import { publishToGateway } from '../../adapters/amqp/publish.ts';
import { publishWithRetry } from '../../gateway/transport/retry.ts';
import { queueNames } from '../../gateway/transport/topology.ts';
import { TransportError, type Transport } from '../../gateway/transport/transport.ts';

/** A transport whose publish fails as told, and which always says it is ready (the case that used to spin). */
function failing(code: TransportError['code'], times = Infinity): Transport & { attempts: number[] } {
  const attempts: number[] = [];
  return {
    kind: 'embedded', names: queueNames('lgsp'), attempts,
    async publish() {
      attempts.push(performance.now());
      if (attempts.length <= times) throw new TransportError(code, 'failed');
    },
    declare: async () => undefined, consume: async () => ({ cancel: async () => undefined, pause: async () => undefined, resume: async () => undefined }), inspect: async () => undefined,
    ready: async () => undefined, isConnected: () => true, reconnectedAt: () => undefined, close: async () => undefined,
  };
}

describe('publishing again after a lost connection', () => {
  it('gives up after the bound, with a growing pause between tries', async () => {
    const t = failing('TRANSPORT_CLOSED');
    await expect(publishWithRetry(t, () => t.publish('q', Buffer.alloc(0), {}), { attempts: 5, firstPauseMs: 5 })).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    expect(t.attempts).toHaveLength(5);
    const gaps = t.attempts.slice(1).map((a, i) => a - t.attempts[i]!);
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(5 * 2 ** i - 1);
  });

  it('succeeds once the connection is back', async () => {
    const t = failing('TRANSPORT_CLOSED', 2);
    await publishWithRetry(t, () => t.publish('q', Buffer.alloc(0), {}), { firstPauseMs: 1 });
    expect(t.attempts).toHaveLength(3);
  });

  it('never retries what no retry can change (invalid, unroutable, refused)', async () => {
    for (const code of ['TRANSPORT_INVALID', 'TRANSPORT_UNROUTABLE', 'TRANSPORT_REFUSED'] as const) {
      const t = failing(code);
      await expect(publishToGateway(t, 'ingress', Buffer.alloc(0), {})).rejects.toMatchObject({ code });
      expect(t.attempts).toHaveLength(1);
    }
  });
});
