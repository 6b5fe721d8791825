/**
 * Least privilege on the broker (docs/protocol.md §5), as data: one RabbitMQ user for the
 * gateway and one per system, named after the bus prefix, with permissions such that a system
 * can only publish to the gateway's two entrances and read its own queues. RabbitMQ enforces
 * them, and checks the `user-id` property of every message against the login that published it.
 */
import { callsAnything, providesAnything, type Catalog } from '../catalog/catalog.ts';
import { INSTANCE_QUEUE_EXPIRES_MS, queueNames, REPLY_QUEUE_MAX } from './topology.ts';

/** RabbitMQ's three permission patterns for one user in one vhost. */
export interface Permissions {
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

/** Who published a message, from its broker-checked `user-id`. */
export type Publisher = { readonly kind: 'gateway' } | { readonly kind: 'system'; readonly system: string };

const NOTHING = '^$';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The broker user of `system` on the bus with `prefix`, or of the gateway when no system is given. */
export function brokerUser(prefix: string, system?: string): string {
  return system ? `${prefix}.${system}` : `${prefix}.gateway`;
}

/**
 * Who published, when `userId` is one of this bus's users; undefined for any other login (a
 * broker without per-system users, where `guest` or an operator's user publishes everything).
 */
export function publisherOf(prefix: string, userId: string | undefined): Publisher | undefined {
  if (!userId?.startsWith(`${prefix}.`)) return undefined;
  if (userId === brokerUser(prefix)) return { kind: 'gateway' };
  return { kind: 'system', system: userId.slice(prefix.length + 1) };
}

/** The gateway's permissions: everything under the prefix, and the default exchange to reach each queue. */
export function gatewayPermissions(prefix: string): Permissions {
  const own = `^${escape(prefix)}\\..*$`;
  return { configure: own, write: `${own}|^amq\\.default$`, read: own };
}

/**
 * A system's permissions: declare only its own instances' reply queues; write only to the
 * ingress's entrance (if it calls anything) and the responses' entrance (if it provides
 * anything); read only its inbox and its reply queues.
 */
export function systemPermissions(prefix: string, system: string, role: { calls: boolean; provides: boolean }): Permissions {
  const names = queueNames(prefix);
  const replies = escape(names.replies(system));
  const write = [role.calls && names.entrance(names.ingress), role.provides && names.entrance(names.responses)]
    .filter((e): e is string => Boolean(e))
    .map((e) => `^${escape(e)}$`);
  return {
    // Only its own instances' reply queues, named as instances are (an id part: no `/`, no `#`).
    configure: `^${replies}#[A-Za-z0-9._-]{1,64}$`,
    write: write.length > 0 ? write.join('|') : NOTHING,
    read: `^${escape(names.inbox(system))}$|^${replies}(#[^#]+)?$`,
  };
}

/**
 * The operator policy that bounds every instance reply queue of the bus, whatever arguments the
 * system that declared it gave (RabbitMQ takes the lower of an operator policy's bound and the
 * queue's own): a system's user may declare its instances' queues, but never an unbounded one.
 */
export function replyQueuesPolicy(prefix: string): { name: string; body: { pattern: string; 'apply-to': 'queues'; priority: number; definition: Record<string, number> } } {
  // `<prefix>.reply.`: what every reply queue's name starts with.
  const replies = escape(queueNames(prefix).replies(''));
  return {
    name: `${prefix}-reply-instances`,
    body: { pattern: `^${replies}.+#`, 'apply-to': 'queues', priority: 0, definition: { 'max-length': REPLY_QUEUE_MAX, expires: INSTANCE_QUEUE_EXPIRES_MS } },
  };
}

/** Every user the bus of `catalog` needs, with its permissions: the gateway's first. */
export function busUsers(catalog: Catalog, prefix: string): Array<{ system?: string; user: string; permissions: Permissions }> {
  return [
    { user: brokerUser(prefix), permissions: gatewayPermissions(prefix) },
    ...[...catalog.systems.keys()].map((system) => ({
      system,
      user: brokerUser(prefix, system),
      permissions: systemPermissions(prefix, system, {
        calls: callsAnything(catalog, system),
        provides: providesAnything(catalog, system),
      }),
    })),
  ];
}
