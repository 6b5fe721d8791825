/** Hand-made messages for tests that need what the SDK would never send. */
import { randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import type { RequestEnvelope } from '../../gateway/protocol/envelope.ts';
import type { SigningKey } from '../../gateway/protocol/keys.ts';
import { CAOBANG, PERSON, VERIFY } from './bus.ts';

/** A request envelope from Cao Bằng to citizen.verify, with `overrides`. */
export function envelope(overrides: Record<string, unknown> = {}): RequestEnvelope {
  return {
    v: 1, kind: 'request', id: randomUUID(), client: CAOBANG, service: VERIFY, at: new Date().toISOString(),
    body: { ...PERSON },
    ...overrides,
  } as RequestEnvelope;
}

/** Signs any payload with any header over `key` (or raw secret bytes for HMAC). */
export function craft(payload: unknown, header: Record<string, unknown>, key: SigningKey['key'] | Uint8Array): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader(header as { alg: string }).sign(key);
}

/** Signs payload text as it is — JSON no serializer would write, such as a key given twice. */
export function craftText(payload: string, header: Record<string, unknown>, key: SigningKey['key']): Promise<string> {
  return new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader(header as { alg: string }).sign(key);
}

/** Swaps the payload of a signed JWS for another, keeping the old signature. */
export function tamper(jws: string, payload: unknown): string {
  const [h, , s] = jws.split('.');
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
}
