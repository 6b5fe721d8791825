/** The broker users' permissions as data: what each pattern lets a system reach on the default bus. */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { brokerUser, busUsers, publisherOf } from '../../gateway/transport/broker-users.ts';
import { queueNames } from '../../gateway/transport/topology.ts';
import type { Delivery, Transport } from '../../gateway/transport/transport.ts';
import { checkFromGateway } from '../../adapters/amqp/verify.ts';

const catalog = await loadCatalog('contracts');
const names = queueNames('lgsp');
const CAOBANG = 'VN/PROV/CAOBANG/MOTCUA';
const DANCU = 'VN/GOV/BCA/DANCU';
const users = busUsers(catalog, 'lgsp');
const of = (system?: string) => users.find((u) => u.system === system)!.permissions;
const allows = (pattern: string, name: string) => new RegExp(pattern).test(name);

describe('broker users', () => {
  it('names one user for the gateway and one for each system of the catalog', () => {
    expect(users.map((u) => u.user)).toEqual([brokerUser('lgsp'), ...[...catalog.systems.keys()].map((s) => `lgsp.${s}`)]);
  });

  it('lets a system read only its inbox and its reply queues', () => {
    const { read } = of(CAOBANG);
    for (const own of [names.inbox(CAOBANG), names.replies(CAOBANG), names.replies(CAOBANG, 'cli-1')]) expect(allows(read, own)).toBe(true);
    for (const other of [names.inbox(DANCU), names.replies(DANCU), names.ingress, names.responses, names.dead, `${names.replies(CAOBANG)}x`, `lgspx.in.${CAOBANG}`]) {
      expect(allows(read, other), other).toBe(false);
    }
  });

  it('lets a system write only to the entrances it needs, never to the default exchange', () => {
    const { write } = of(DANCU);
    expect(allows(write, names.entrance(names.responses))).toBe(true);
    for (const other of ['amq.default', '', names.ingress, names.inbox(DANCU), names.deadLetterExchange]) expect(allows(write, other), other).toBe(false);
  });

  it('lets a system configure only its own instance queues', () => {
    const { configure } = of(CAOBANG);
    expect(allows(configure, names.replies(CAOBANG, 'cli-1'))).toBe(true);
    for (const other of [names.replies(CAOBANG), names.inbox(CAOBANG), names.replies(DANCU, 'x'), `${names.replies(CAOBANG, 'a')}#b`, names.ingress,
      `${names.replies(CAOBANG)}#../x`, `${names.replies(CAOBANG)}#${'a'.repeat(65)}`]) {
      expect(allows(configure, other), other).toBe(false);
    }
  });

  it('escapes the prefix: a dot in it matches only a dot', () => {
    const { read } = busUsers(catalog, 'a.b').find((u) => u.system === CAOBANG)!.permissions;
    expect(allows(read, `a.b.in.${CAOBANG}`)).toBe(true);
    expect(allows(read, `aXb.in.${CAOBANG}`)).toBe(false);
  });

  it('tells the gateway, a system and a stranger apart by user-id', () => {
    expect(publisherOf('lgsp', 'lgsp.gateway')).toEqual({ kind: 'gateway' });
    expect(publisherOf('lgsp', `lgsp.${CAOBANG}`)).toEqual({ kind: 'system', system: CAOBANG });
    expect(publisherOf('lgsp', 'guest')).toBeUndefined();
    expect(publisherOf('lgsp', undefined)).toBeUndefined();
    expect(publisherOf('lgsp', `lgspx.${CAOBANG}`)).toBeUndefined();
  });

  it("has the SDKs refuse what a system's user, not the gateway's, put in their queues", () => {
    const transport = { names } as Transport;
    const delivery = (userId?: string) => ({ props: { userId } }) as Delivery;
    expect(() => checkFromGateway(transport, delivery('lgsp.gateway'))).not.toThrow();
    expect(() => checkFromGateway(transport, delivery(undefined))).not.toThrow();
    expect(() => checkFromGateway(transport, delivery(`lgsp.${DANCU}`))).toThrow(`published by the broker user of ${DANCU}, not by the gateway`);
  });
});
