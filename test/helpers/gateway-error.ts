/** The checks every gateway error gets in a test, whatever door or suite it came through. */
import { compactVerify } from 'jose';
import { expect } from 'vitest';
import type { Reply } from '../../adapters/amqp/client.ts';
import { httpStatusOf, type ErrorType } from '../../gateway/protocol/errors.ts';
import { GATEWAY, type TestBus } from './bus.ts';
import { STATUS } from './statuses.ts';

/** Checks a gateway error: its type, HTTP status, signature by the gateway's key, and its record. */
export async function expectGatewayError(bus: TestBus, reply: Reply, type: ErrorType): Promise<void> {
  expect(reply.status).toBe('error');
  if (reply.status !== 'error') return;
  expect(reply.error.type).toBe(type);
  expect(httpStatusOf(type)).toBe(STATUS[type]);
  expect(reply.signedBy).toBe('gateway');
  const gatewayKey = bus.catalog.keys.get(bus.keys.get(GATEWAY)!.kid)!;
  const { protectedHeader } = await compactVerify(reply.jws, gatewayKey.key);
  expect(protectedHeader.kid).toBe(`${GATEWAY}#k1`);
  expect(reply.error.message).not.toMatch(/\bat .*\(.*:\d+:\d+\)/); // never a stack trace
  await expect.poll(() => bus.ledger.records.find((r) => r.tx === reply.error.detail)?.outcome).toBe(type);
}
