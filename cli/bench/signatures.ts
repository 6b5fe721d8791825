/**
 * How fast this machine signs and verifies the gateway's messages (EdDSA through jose, 64 in
 * flight), and so the most transactions a second the gateway's own signature work allows: each
 * transaction is two verifications (the request, the reply); its two attestations are signed a
 * batch at a time (docs/protocol.md §2), a share of a signature each.
 */
import { randomUUID } from 'node:crypto';
import { decodeJws, signJws, verifyJws } from '../../gateway/protocol/jws.ts';
import { generateSigningKey, importKey } from '../../gateway/protocol/keys.ts';
import { BODY, CLIENT, SERVICE } from './scenario.ts';

export interface SignatureRates {
  readonly signPerSecond: number;
  readonly verifyPerSecond: number;
  /** Transactions a second if the gateway did nothing but its two verifications each, on every core. */
  readonly ceiling: number;
}

async function perSecond(op: () => Promise<unknown>, seconds: number, inFlight = 64): Promise<number> {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() < end) {
      await op();
      done += 1;
    }
  }));
  return (done * 1000) / (performance.now() - started);
}

export async function measureSignatures(seconds = 1.5): Promise<SignatureRates> {
  const { signing, publicJwk } = await generateSigningKey(CLIENT, 'bench', 'EdDSA');
  const publicKey = await importKey(CLIENT, publicJwk);
  const envelope = { v: 1, kind: 'request', id: randomUUID(), client: CLIENT, service: SERVICE, at: new Date().toISOString(), body: BODY };
  const decoded = decodeJws(await signJws(envelope, signing));
  const signPerSecond = await perSecond(() => signJws(envelope, signing), seconds);
  const verifyPerSecond = await perSecond(() => verifyJws(decoded, publicKey), seconds);
  return { signPerSecond, verifyPerSecond, ceiling: verifyPerSecond / 2 };
}
