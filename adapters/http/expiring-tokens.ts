/**
 * Opaque credentials that expire, each for one system: the DVCQG adapter's login sessions and the
 * OAuth2 access tokens of `POST /token`. Short-lived by default, so that a client meets expiry
 * while it is being tested; an expired one is remembered for a while so that it can be answered
 * "expired", not "unknown".
 */
import { randomBytes } from 'node:crypto';

export type TokenState = { status: 'valid'; system: string } | { status: 'expired'; system: string; expiredAt: number } | { status: 'unknown' };

/** How long an expired credential is still recognised as one. */
const REMEMBER_EXPIRED_MS = 3_600_000;
/** Credentials kept at most; the oldest go first. */
const MAX_TOKENS = 100_000;

export class ExpiringTokens {
  private readonly tokens = new Map<string, { system: string; expiresAt: number }>();

  constructor(private readonly lifetimeMs: number, private readonly now: () => number = Date.now) {}

  get lifetimeSeconds(): number {
    return this.lifetimeMs / 1000;
  }

  /** A new credential for `system`. */
  issue(system: string): { token: string; expiresAt: number } {
    this.sweep();
    const token = randomBytes(24).toString('base64url');
    const expiresAt = this.now() + this.lifetimeMs;
    this.tokens.set(token, { system, expiresAt });
    if (this.tokens.size > MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value!);
    return { token, expiresAt };
  }

  state(token: unknown): TokenState {
    if (typeof token !== 'string') return { status: 'unknown' };
    const found = this.tokens.get(token);
    if (!found) return { status: 'unknown' };
    if (found.expiresAt <= this.now()) return { status: 'expired', system: found.system, expiredAt: found.expiresAt };
    return { status: 'valid', system: found.system };
  }

  private sweep(): void {
    const forgetBefore = this.now() - REMEMBER_EXPIRED_MS;
    for (const [key, s] of this.tokens) {
      if (s.expiresAt > forgetBefore) break; // kept in issuing order, and every one lives as long
      this.tokens.delete(key);
    }
  }
}
