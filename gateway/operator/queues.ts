/**
 * The bus's queues as an operator watches them: each queue of the topology with its backlog and
 * consumers (an inbox with no consumer is a system that is down; dead letters need a look).
 */
import type { Transport } from '../transport/transport.ts';
import type { QueueDepth } from './app.ts';

/** Reads the depth of the gateway's queues and of each system's inbox and reply queue. */
export async function queueDepths(transport: Transport, systems: readonly string[]): Promise<QueueDepth[]> {
  const n = transport.names;
  const wanted: Array<Omit<QueueDepth, 'messages' | 'consumers'>> = [
    { queue: n.ingress, role: 'ingress' },
    { queue: n.responses, role: 'responses' },
    { queue: n.dead, role: 'dead letters' },
    ...systems.flatMap((system) => [{ queue: n.inbox(system), role: 'inbox', system }, { queue: n.replies(system), role: 'replies', system }]),
  ];
  const found = await Promise.all(wanted.map(async (q) => {
    const info = await transport.inspect(q.queue);
    return info ? { ...q, ...info } : undefined;
  }));
  return found.filter((q): q is QueueDepth => q !== undefined);
}
