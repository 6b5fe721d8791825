/**
 * Identifiers after X-Road (docs/protocol.md §1): a system is `VN/<CLASS>/<MEMBER>/<SUBSYSTEM>`,
 * a service is `<system>/<serviceCode>/<version>`. Every part is checked here, before it
 * can reach a routing key, a file path, a SQL statement or a log line.
 */

const PART = /^[A-Za-z0-9._-]{1,64}$/;
const VERSION = /^v[1-9][0-9]{0,8}$/;

export type SystemClass = 'GOV' | 'PROV';

export interface SystemId {
  readonly class: SystemClass;
  readonly member: string;
  readonly subsystem: string;
}

export interface ServiceId {
  readonly system: string;
  readonly code: string;
  readonly version: string;
}

/** True when `part` may stand as one part of an identifier. */
export function isIdPart(part: unknown): part is string {
  return typeof part === 'string' && PART.test(part) && part !== '.' && part !== '..';
}

/**
 * Parses a system id, or returns undefined.
 * @example parseSystemId('VN/GOV/BCA/DANCU') // { class: 'GOV', member: 'BCA', subsystem: 'DANCU' }
 */
export function parseSystemId(value: unknown): SystemId | undefined {
  if (typeof value !== 'string' || value.length > 300) return undefined;
  const parts = value.split('/');
  if (parts.length !== 4) return undefined;
  const [country, cls, member, subsystem] = parts as [string, string, string, string];
  if (country !== 'VN' || (cls !== 'GOV' && cls !== 'PROV')) return undefined;
  if (!isIdPart(member) || !isIdPart(subsystem)) return undefined;
  return { class: cls, member, subsystem };
}

/** True when `value` is a well-formed system id. */
export function isSystemId(value: unknown): value is string {
  return parseSystemId(value) !== undefined;
}

/**
 * Parses a service id, or returns undefined.
 * @example parseServiceId('VN/GOV/BCA/DANCU/citizen.verify/v1') // { system: 'VN/GOV/BCA/DANCU', code: 'citizen.verify', version: 'v1' }
 */
export function parseServiceId(value: unknown): ServiceId | undefined {
  if (typeof value !== 'string' || value.length > 400) return undefined;
  const parts = value.split('/');
  if (parts.length !== 6) return undefined;
  const system = parts.slice(0, 4).join('/');
  const code = parts[4]!;
  const version = parts[5]!;
  if (!isSystemId(system) || !isIdPart(code) || !VERSION.test(version)) return undefined;
  return { system, code, version };
}

/** True when `value` is a well-formed service id. */
export function isServiceId(value: unknown): value is string {
  return parseServiceId(value) !== undefined;
}

/** Builds a service id from its parts (which must already be valid). */
export function serviceIdOf(system: string, code: string, version: string): string {
  return `${system}/${code}/${version}`;
}

/** Splits a key id `<system>#<keyName>`, or returns undefined. */
export function parseKeyId(kid: unknown): { system: string; name: string } | undefined {
  if (typeof kid !== 'string' || kid.length > 400) return undefined;
  const hash = kid.indexOf('#');
  if (hash < 0 || hash !== kid.lastIndexOf('#')) return undefined;
  const system = kid.slice(0, hash);
  const name = kid.slice(hash + 1);
  if (!isSystemId(system) || !isIdPart(name)) return undefined;
  return { system, name };
}
