/**
 * The DVCQG adapter's login sessions: an opaque session per login, for one system, that expires
 * (short by default, so that a client meets expiry while it is being tested). An expired session
 * is remembered for a while so that it can be answered "expired", not "unknown".
 */
import { randomBytes } from 'node:crypto';

export type SessionState = { status: 'valid'; system: string } | { status: 'expired'; system: string; expiredAt: number } | { status: 'unknown' };

/** How long an expired session is still recognised as one. */
const REMEMBER_EXPIRED_MS = 3_600_000;
/** Sessions kept at most; the oldest go first. */
const MAX_SESSIONS = 100_000;

export class Sessions {
  private readonly sessions = new Map<string, { system: string; expiresAt: number }>();

  constructor(private readonly lifetimeMs: number, private readonly now: () => number = Date.now) {}

  /** A new session for `system`. */
  open(system: string): { session: string; expiresAt: number } {
    this.sweep();
    const session = randomBytes(24).toString('base64url');
    const expiresAt = this.now() + this.lifetimeMs;
    this.sessions.set(session, { system, expiresAt });
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    return { session, expiresAt };
  }

  state(session: unknown): SessionState {
    if (typeof session !== 'string') return { status: 'unknown' };
    const found = this.sessions.get(session);
    if (!found) return { status: 'unknown' };
    if (found.expiresAt <= this.now()) return { status: 'expired', system: found.system, expiredAt: found.expiresAt };
    return { status: 'valid', system: found.system };
  }

  private sweep(): void {
    const forgetBefore = this.now() - REMEMBER_EXPIRED_MS;
    for (const [key, s] of this.sessions) {
      if (s.expiresAt > forgetBefore) break; // kept in opening order, and every session lives as long
      this.sessions.delete(key);
    }
  }
}
