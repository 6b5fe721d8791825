/**
 * What the ingress reads off a request before anything is routed (docs/protocol.md §1, §7): the raw URL
 * free of encoded path tricks, identifiers that match the grammar, and headers that appear once.
 * Every refusal is a `client.malformed` GatewayError.
 */
import type { Request } from 'express';
import { GatewayError } from '../../gateway/protocol/errors.ts';
import { isIdPart, isServiceId, isSystemId } from '../../gateway/protocol/ids.ts';

/** Encoded slash, backslash or dot, a raw backslash, or a `.`/`..` segment: nothing routable uses them. */
const PATH_TRICK = /%2f|%5c|%2e|\\|(^|\/)\.{1,2}(\/|$)/i;

function malformed(message: string, pointer?: string): GatewayError {
  return new GatewayError('client.malformed', message, pointer ? { violations: [{ pointer, message }] } : undefined);
}

/** Refuses a request path that hides separators or walks up the tree. */
export function checkRawPath(url: string): void {
  const path = url.split('?')[0] ?? '';
  if (PATH_TRICK.test(path)) throw malformed('The path may not contain encoded separators, backslashes or dot segments.');
}

/** The system named by the `:cls/:member/:subsystem` path parameters. */
export function systemFromParams(params: Record<string, string | string[] | undefined>): string {
  const system = `VN/${String(params.cls)}/${String(params.member)}/${String(params.subsystem)}`;
  if (!isSystemId(system)) throw malformed(`${system} is not a system id (VN/<GOV|PROV>/<MEMBER>/<SUBSYSTEM>, parts [A-Za-z0-9._-]{1,64}).`, '/path');
  return system;
}

/** The service named by the path parameters. */
export function serviceFromParams(params: Record<string, string | string[] | undefined>): string {
  const service = `${systemFromParams(params)}/${String(params.code)}/${String(params.version)}`;
  if (!isIdPart(params.code) || !isServiceId(service)) throw malformed(`${service} is not a service id (<system>/<serviceCode>/v<N>).`, '/path');
  return service;
}

/** A header's value when it was sent at most once; two copies are refused (Node would join them). */
export function singleHeader(req: Request, name: string): string | undefined {
  const lower = name.toLowerCase();
  let count = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === lower) count += 1;
  if (count > 1) throw malformed(`The ${name} header was sent ${count} times; send it once.`, `/headers/${name}`);
  return count === 1 ? req.get(name) : undefined;
}

/** The calling system from `X-Road-Client`: required, sent once, a system id. */
export function clientHeader(req: Request): string {
  const client = singleHeader(req, 'X-Road-Client');
  if (client === undefined) throw malformed('The X-Road-Client header is required.', '/headers/X-Road-Client');
  if (!isSystemId(client)) throw malformed('X-Road-Client is not a system id.', '/headers/X-Road-Client');
  return client;
}

/** The owner of a presented bearer token, checked against `client`; undefined when no token is sent. */
export function tokenOwner(req: Request, client: string, systemOf: ((token: string) => string | undefined) | undefined): string | undefined {
  const token = bearerToken(req);
  if (token === undefined) return undefined;
  const owner = systemOf?.(token);
  if (!owner) throw new GatewayError('client.unknown_key', 'The bearer token was not issued by this gateway.');
  if (owner !== client) throw new GatewayError('client.key_mismatch', `The bearer token was issued to ${owner}, not ${client}.`);
  return owner;
}

/** The bearer token of the Authorization header, if one is sent. */
function bearerToken(req: Request): string | undefined {
  const value = singleHeader(req, 'Authorization');
  if (value === undefined) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,200})$/.exec(value);
  if (!match) throw new GatewayError('client.unknown_key', 'The Authorization header must be "Bearer <token>".');
  return match[1];
}
