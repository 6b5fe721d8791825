/**
 * Signed chain heads (docs/protocol.md §6, "What the ledger proves"): at intervals, and when it
 * closes, a ledger signs with the gateway's key a statement of where its hash chain stood — the
 * last record's place and hash, when, and the hash of the head before. Nobody without the key can
 * make one, so a chain edited and recomputed, rows forged onto it, or rows cut from its end past a
 * head, no longer match a signed head; and the anchor retention leaves must be a signed head too.
 * What stays unprovable from the file alone is said by `verify`: the records after the last head.
 * An auditor who keeps a head from elsewhere (`lgsp ledger head`) can check the file against it.
 */
import { GatewayError } from '../protocol/errors.ts';
import { decodeJws, keyFor, sha256, signJws, verifyJws } from '../protocol/jws.ts';
import type { KeyRing, SigningKey } from '../protocol/keys.ts';

export const HEAD_TYP = 'lgsp-chain-head+jws';

/** How often a writing ledger signs its head, when the chain has grown since the last one. */
export const HEAD_INTERVAL_MS = 10_000;

/** What a head says. */
export interface HeadClaims {
  readonly v: 1;
  readonly kind: 'chain-head';
  /** The last record's place in the chain and its hash. */
  readonly seq: number;
  readonly hash: string;
  /** When it was signed (epoch ms). */
  readonly at: number;
  /** The hash of the head signed before it (`sha256` of its JWS), or null for the first. */
  readonly prev: string | null;
}

/** A stored head. */
export interface HeadRow {
  readonly seq: number;
  readonly hash: string;
  readonly jws: string;
}

export const HEADS_SCHEMA = 'CREATE TABLE IF NOT EXISTS chain_heads (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL, at INTEGER NOT NULL, jws TEXT NOT NULL)';

/** Signs the head at (`seq`, `hash`) after the head `prev` (its JWS), by `key`. */
export async function signHead(key: SigningKey, seq: number, hash: string, at: number, prev: string | undefined): Promise<HeadRow> {
  const claims: HeadClaims = { v: 1, kind: 'chain-head', seq, hash, at, prev: prev ? sha256(prev) : null };
  return { seq, hash, jws: await signJws(claims, key, HEAD_TYP) };
}

/** The claims of a head, once its signature verifies with a key of `gateway` in `keys`; throws otherwise. */
export async function verifyHead(jws: string, keys: KeyRing, gateway: string): Promise<HeadClaims> {
  const decoded = decodeJws(jws, HEAD_TYP);
  const key = keyFor(decoded, keys);
  if (key.system !== gateway) throw new GatewayError('client.key_mismatch', `the head is signed by ${key.system}, not the gateway`);
  await verifyJws(decoded, key);
  const claims = decoded.payload as HeadClaims;
  if (claims.kind !== 'chain-head' || !Number.isInteger(claims.seq) || typeof claims.hash !== 'string') throw new GatewayError('client.malformed', 'not a chain head');
  return claims;
}

/** Whom a ledger's heads are checked against: the gateway's public keys. */
export interface HeadKeys {
  readonly keys: KeyRing;
  readonly gateway: string;
  /** Records older than this many days may have been removed by retention (default 30). */
  readonly retentionDays?: number;
  /** A head kept from elsewhere (its JWS): the file must reach it, with the same hash. */
  readonly kept?: string;
  readonly now?: number;
}

export type Broken = { seq: number; tx: string; problem: string };

/**
 * Checks a ledger's signed heads against its chain, as the chain is walked: give it every
 * head first (`load`), then each record (`step`), then `finish`.
 */
export class HeadCheck {
  private heads: Array<HeadRow & { claims: HeadClaims }> = [];
  private next = 0;
  private lastSeq = 0;
  broken?: Broken;

  constructor(private readonly opts: HeadKeys) {}

  /** Verifies the heads (in the order they were signed) and the anchor retention left, if any. */
  async load(heads: readonly HeadRow[], anchor: { seq: number; hash: string } | undefined): Promise<boolean> {
    let prev: string | undefined;
    for (const [i, head] of heads.entries()) {
      let claims: HeadClaims;
      try {
        claims = await verifyHead(head.jws, this.opts.keys, this.opts.gateway);
      } catch (err) {
        return this.fail(head.seq, '', `a signed head does not verify (${(err as Error).message}): heads were forged or changed`);
      }
      if (claims.seq !== head.seq || claims.hash !== head.hash) return this.fail(head.seq, '', 'a head row does not say what its signature says: heads were changed');
      // The first head kept may follow one retention removed; every later one follows the one before.
      if (i > 0 && claims.prev !== sha256(prev!)) return this.fail(head.seq, '', 'a signed head is missing before this one: heads were removed');
      if (i > 0 && claims.seq < this.heads[this.heads.length - 1]!.seq) return this.fail(head.seq, '', 'the signed heads go backwards');
      this.heads.push({ ...head, claims });
      prev = head.jws;
    }
    if (this.opts.kept) {
      let kept: HeadClaims;
      try {
        kept = await verifyHead(this.opts.kept, this.opts.keys, this.opts.gateway);
      } catch (err) {
        return this.fail(0, '', `the kept head does not verify: ${(err as Error).message}`);
      }
      if (!this.heads.some((h) => h.seq === kept.seq && h.hash === kept.hash) && !(this.heads.length > 0 && this.heads[this.heads.length - 1]!.seq > kept.seq)) {
        return this.fail(kept.seq, '', `the ledger holds no head at record ${kept.seq}, which the kept head vouches for: records or heads were removed from its end`);
      }
      this.heads.push({ seq: kept.seq, hash: kept.hash, jws: this.opts.kept, claims: kept });
      this.heads.sort((a, b) => a.seq - b.seq);
    }
    if (anchor) {
      const first = this.heads[0];
      if (!first || first.seq !== anchor.seq || first.hash !== anchor.hash) return this.fail(anchor.seq, '', 'the chain starts at an anchor no signed head vouches for: records were removed from its start');
      // An hour's margin: retention anchors at the last head before its cut-off, signed a few seconds after.
      const oldest = (this.opts.now ?? Date.now()) - (this.opts.retentionDays ?? 30) * 86_400_000 + 3_600_000;
      if (first.claims.at > oldest) return this.fail(anchor.seq, '', `the chain starts at a head signed ${new Date(first.claims.at).toISOString()}, within the ${this.opts.retentionDays ?? 30}-day retention: records were removed from its start`);
      this.next = 1;
    }
    return true;
  }

  /** Takes the next record of the chain; false once something does not hold. */
  step(seq: number, tx: string, hash: string): boolean {
    this.lastSeq = seq;
    if (this.next < this.heads.length && this.heads[this.next]!.seq < seq) {
      return this.fail(this.heads[this.next]!.seq, tx, 'the record a signed head vouches for is missing: records were removed');
    }
    const head = this.heads[this.next];
    if (head && head.seq === seq) {
      if (head.hash !== hash) return this.fail(seq, tx, 'the record differs from what a signed head vouches for: the chain was changed and recomputed');
      while (this.heads[this.next]?.seq === seq) this.next += 1;
    }
    return true;
  }

  /** After the last record: a head past the end means the end was cut. Says where the last head is, if any. */
  finish(): { broken?: Broken; lastSeq?: number } {
    if (this.broken) return { broken: this.broken };
    const beyond = this.heads[this.next];
    if (beyond) {
      this.fail(beyond.seq, '', `the chain ends at record ${this.lastSeq}, before the signed head at record ${beyond.seq}: records were removed from its end`);
      return { broken: this.broken };
    }
    return { lastSeq: this.heads[this.heads.length - 1]?.seq };
  }

  private fail(seq: number, tx: string, problem: string): false {
    this.broken ??= { seq, tx, problem };
    return false;
  }
}
