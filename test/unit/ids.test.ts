import { describe, expect, it } from 'vitest';
import { isServiceId, isSystemId, parseKeyId, parseServiceId, parseSystemId } from '../../gateway/protocol/ids.ts';

describe('identifiers', () => {
  it('parses a system id into class, member and subsystem', () => {
    expect(parseSystemId('VN/PROV/CAOBANG/MOTCUA')).toEqual({ class: 'PROV', member: 'CAOBANG', subsystem: 'MOTCUA' });
  });

  it.each([
    ['another country', 'US/GOV/BCA/DANCU'],
    ['another class', 'VN/COM/BCA/DANCU'],
    ['a missing part', 'VN/GOV/BCA'],
    ['an extra part', 'VN/GOV/BCA/DANCU/X'],
    ['a dot-dot part', 'VN/GOV/../DANCU'],
    ['a space', 'VN/GOV/BCA/DAN CU'],
    ['an encoded slash', 'VN/GOV/BCA%2FX/DANCU'],
    ['a part over 64 characters', `VN/GOV/${'A'.repeat(65)}/DANCU`],
    ['a non-ASCII letter', 'VN/PROV/CAOBẰNG/MOTCUA'],
    ['a routing wildcard', 'VN/GOV/BCA/#'],
  ])('rejects a system id with %s', (_, id) => {
    expect(isSystemId(id)).toBe(false);
  });

  it('parses a service id and requires a v<N> version', () => {
    expect(parseServiceId('VN/GOV/BCA/DANCU/citizen.verify/v1')).toEqual({ system: 'VN/GOV/BCA/DANCU', code: 'citizen.verify', version: 'v1' });
    expect(isServiceId('VN/GOV/BCA/DANCU/citizen.verify/1')).toBe(false);
    expect(isServiceId('VN/GOV/BCA/DANCU/citizen.verify/v0')).toBe(false);
    expect(isServiceId('VN/GOV/BCA/DANCU/../v1')).toBe(false);
  });

  it('splits a key id into its system and key name', () => {
    expect(parseKeyId('VN/GOV/BCA/DANCU#k1')).toEqual({ system: 'VN/GOV/BCA/DANCU', name: 'k1' });
    expect(parseKeyId('VN/GOV/BCA/DANCU#k1#k2')).toBeUndefined();
    expect(parseKeyId('VN/GOV/BCA/DANCU')).toBeUndefined();
    expect(parseKeyId('http://127.0.0.1/jwks#k1')).toBeUndefined();
  });
});
