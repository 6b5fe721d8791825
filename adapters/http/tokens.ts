/**
 * Bearer tokens for the ingress's credential mode (docs/protocol.md §7). A token is issued to one system
 * and shown once; only its SHA-256 is kept, in `LGSP_HOME/tokens/<system with / as ~>.json`.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { homeName, systemOfHomeName } from '../../gateway/home/keys.ts';

/** The holder of operator tokens: not a system of any catalog, so its tokens open no door but the operator server's. */
export const OPERATOR = 'VN/GOV/LGSP/OPERATOR';

export interface StoredToken {
  readonly id: string;
  readonly sha256: string;
  readonly issuedAt: string;
  readonly label?: string;
}

const PREFIX = 'lgsp_';

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function tokensDir(home: string): string {
  return join(home, 'tokens');
}

function fileOf(home: string, system: string): string {
  return join(tokensDir(home), `${homeName(system)}.json`);
}

/** The tokens stored for `system` (hashes only). */
export function listTokens(home: string, system: string): StoredToken[] {
  const file = fileOf(home, system);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredToken[]) : [];
}

function saveTokens(home: string, system: string, tokens: readonly StoredToken[]): void {
  mkdirSync(tokensDir(home), { recursive: true, mode: 0o700 });
  writeFileSync(fileOf(home, system), `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Issues a new token to `system`; the token itself is returned once and never stored.
 * @example const { token } = issueToken(home, 'VN/PROV/CAOBANG/MOTCUA')
 */
export function issueToken(home: string, system: string, label?: string, now = new Date()): { id: string; token: string } {
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  const stored: StoredToken = { id: randomUUID(), sha256: hashOf(token), issuedAt: now.toISOString(), ...(label && { label }) };
  saveTokens(home, system, [...listTokens(home, system), stored]);
  return { id: stored.id, token };
}

/** Revokes token `id` of `system`; false when there was none. */
export function revokeToken(home: string, system: string, id: string): boolean {
  const tokens = listTokens(home, system);
  const kept = tokens.filter((t) => t.id !== id);
  if (kept.length === tokens.length) return false;
  saveTokens(home, system, kept);
  return true;
}

/**
 * Which system a presented token belongs to. Reads LGSP_HOME again when a token is not known (at
 * most once a second), so a token issued while the ingress runs works at once, and every 5 s
 * anyway, so a revoked one stops working within 5 s.
 */
export class TokenStore {
  private bySha = new Map<string, string>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  /** The token files' names, sizes and times as last loaded: a miss reloads only when they changed. */
  private signature = '';

  constructor(
    private readonly home: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The system `token` was issued to, or undefined. */
  systemOf(token: string): string | undefined {
    if (!token.startsWith(PREFIX) || token.length > 100) return undefined;
    const sha = hashOf(token);
    const age = this.now() - this.loadedAt;
    // A token issued a moment ago is found at once (its file changed); a guesser's misses cost a
    // few stats, not a reload, while nothing changed.
    if (age >= 5000 || (!this.bySha.has(sha) && this.filesSignature() !== this.signature)) this.load();
    return this.bySha.get(sha);
  }

  private filesSignature(): string {
    const dir = tokensDir(this.home);
    if (!existsSync(dir)) return '';
    return readdirSync(dir).map((file) => {
      const stat = statSync(join(dir, file), { throwIfNoEntry: false });
      return stat ? `${file}:${stat.size}:${stat.mtimeMs}` : file;
    }).join('|');
  }

  private load(): void {
    this.signature = this.filesSignature();
    const found = new Map<string, string>();
    const dir = tokensDir(this.home);
    if (existsSync(dir)) {
      for (const file of readdirSync(dir)) {
        const system = file.endsWith('.json') ? systemOfHomeName(file.slice(0, -'.json'.length)) : undefined;
        if (!system) continue;
        for (const t of listTokens(this.home, system)) found.set(t.sha256, system);
      }
    }
    this.bySha = found;
    this.loadedAt = this.now();
  }
}
