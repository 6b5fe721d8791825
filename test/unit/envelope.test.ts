import { describe, expect, it } from 'vitest';
import { checkEnvelope } from '../../gateway/protocol/envelope.ts';
import type { GatewayError } from '../../gateway/protocol/errors.ts';

const request = {
  v: 1, kind: 'request', id: '9b2c3f1e-0000-4000-8000-000000000001', client: 'VN/PROV/CAOBANG/MOTCUA',
  service: 'VN/GOV/BCA/DANCU/citizen.verify/v1', at: '2025-08-22T03:00:00.000Z', body: {},
};
const response = {
  ...request, kind: 'response', id: '9b2c3f1e-0000-4000-8000-000000000002', inReplyTo: request.id,
  requestHash: 'A'.repeat(43), status: 'ok', body: {},
};

function violations(payload: unknown): string[] {
  try {
    checkEnvelope(payload);
    return [];
  } catch (err) {
    expect((err as GatewayError).type).toBe('client.malformed');
    return ((err as GatewayError).violations ?? []).map((v) => v.pointer);
  }
}

describe('envelope', () => {
  it('accepts a request and a response as docs/protocol.md §2 shows them', () => {
    expect(checkEnvelope(request).kind).toBe('request');
    expect(checkEnvelope(response).kind).toBe('response');
    expect(checkEnvelope({ ...response, status: 'error', body: undefined, error: { type: 'citizen.not_found', message: 'x', detail: 'y' } }).kind).toBe('response');
  });

  it('names each missing or wrong field by pointer', () => {
    const { at: _at, ...noTime } = request;
    expect(violations(noTime)).toContain('/at');
    expect(violations({ ...request, id: 'not-a-uuid' })).toContain('/id');
    expect(violations({ ...request, v: 2 })).toContain('/v');
    expect(violations({ ...request, extra: true })).toContain('/extra');
    expect(violations({ ...request, userId: 'x'.repeat(200) })).toContain('/userId');
  });

  it('refuses identifiers the id rules refuse, even where the pattern lets them by', () => {
    expect(violations({ ...request, client: 'VN/PROV/../MOTCUA' })).toEqual(['/client']);
  });

  it('refuses a response with both a body and an error, or neither', () => {
    expect(violations({ ...response, error: { type: 'a.b', message: 'x' } }).length).toBeGreaterThan(0);
    expect(violations({ ...response, body: undefined }).length).toBeGreaterThan(0);
  });
});
