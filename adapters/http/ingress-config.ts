/** The HTTP ingress's settings, with their defaults (the doors' paths from the one table of doors). */
import { DEFAULT_CONFIG } from '../../gateway/config.ts';
import { DEFAULT_DOOR_PATHS } from './doors.ts';

export interface IngressConfig {
  /** Largest body accepted, in bytes (the gateway's limit, 1 MiB). */
  readonly maxBytes: number;
  /** Requests a second each calling system may make. */
  readonly ratePerSecond: number;
  /** Accepted clock skew of a signed event, in seconds. */
  readonly skewSeconds: number;
  /** This ingress's name in the ledger. */
  readonly instance: string;
  /** Failed authentications one address may make a minute before it is answered 429. */
  readonly failedAuthPerMinute: number;
  /** How long an access token of `POST /token` lasts: short by default, so that clients meet expiry. */
  readonly accessTokenSeconds: number;
  /** Where the OAuth2 token endpoint answers. */
  readonly tokenPath: string;
  /** Where a provincial LGSP's document APIs answer: `{lgspBase}/Document/SyncDocument`, … */
  readonly lgspBase: string;
  /** Where the population database's SOAP service answers (its WSDL at `?wsdl`). */
  readonly dancuSoapPath: string;
  /**
   * How long a door waits for the gateway's answer before it answers `server.provider_timeout`
   * itself (the gateway gone); by default the longest contract timeout and 5 s.
   */
  readonly replyTimeoutMs?: number;
}

export const DEFAULT_INGRESS_CONFIG: IngressConfig = Object.freeze({
  maxBytes: DEFAULT_CONFIG.maxBytes, ratePerSecond: 100, skewSeconds: DEFAULT_CONFIG.skewSeconds, instance: `${DEFAULT_CONFIG.instance}-http`,
  failedAuthPerMinute: 30, accessTokenSeconds: 300, tokenPath: DEFAULT_DOOR_PATHS.token, lgspBase: DEFAULT_DOOR_PATHS.lgsp, dancuSoapPath: DEFAULT_DOOR_PATHS.soap,
});
