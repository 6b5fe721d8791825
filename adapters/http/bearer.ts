/**
 * Bearer tokens every HTTP door accepts (RFC 6750): the static tokens of `lgsp keys token`, and
 * the expiring access tokens `POST /token` issues (OAuth2 client credentials). One place says
 * whose a token is, or that it expired and when.
 */
import { GatewayError } from '../../gateway/protocol/errors.ts';
import type { ExpiringTokens } from './expiring-tokens.ts';

export type BearerOwner = (token: string) => string | undefined;

/**
 * The system a bearer token belongs to; undefined when it is no token of this gateway; a
 * `client.unknown_key` error saying when, for an access token that expired.
 */
export function bearerOwner(staticOwner: BearerOwner, accessTokens: ExpiringTokens, tokenPath: string): BearerOwner {
  return (token) => {
    const owner = staticOwner(token);
    if (owner) return owner;
    const state = accessTokens.state(token);
    if (state.status === 'valid') return state.system;
    if (state.status === 'expired') {
      throw new GatewayError('client.unknown_key', `The access token expired at ${new Date(state.expiredAt).toISOString()}; ask POST ${tokenPath} for a new one.`);
    }
    return undefined;
  };
}

/**
 * What a door says of a valid credential whose system the running gateway's catalog lacks: most
 * often one registered (lgsp system add) after the gateway started, which reads its catalog then.
 */
export function notInRunningCatalog(system: string): string {
  return `${system} has a valid credential here but is not in this gateway's catalog: if you registered it (lgsp system add) since the gateway started, restart the gateway (lgsp up or lgsp gateway) to take it.`;
}

/** Why a bearer token was not accepted, for the API's answer and RFC 6750's WWW-Authenticate. */
export function bearerChallenge(description: string | undefined): string {
  return description === undefined ? 'Bearer realm="lgsp"' : `Bearer realm="lgsp", error="invalid_token", error_description="${description.replaceAll('"', "'")}"`;
}
