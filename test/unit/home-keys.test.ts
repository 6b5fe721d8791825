import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureSigningKey, registeredPublicKeys } from '../../gateway/home/keys.ts';
import { decodeJws, signJws, verifyJws } from '../../gateway/protocol/jws.ts';
import { importKey } from '../../gateway/protocol/keys.ts';

let home: string;
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('keys in LGSP_HOME', () => {
  it('generates a key once, keeps the private part owner-only, and registers the public part', async () => {
    home = mkdtempSync(join(tmpdir(), 'lgsp-home-'));
    const first = await ensureSigningKey(home, 'VN/GOV/BCA/DANCU');
    const again = await ensureSigningKey(home, 'VN/GOV/BCA/DANCU');
    expect(again.kid).toBe('VN/GOV/BCA/DANCU#k1');
    expect(statSync(join(home, 'keys/VN~GOV~BCA~DANCU/k1.private.jwk.json')).mode & 0o777).toBe(0o600);

    const [jwk] = registeredPublicKeys(home).get('VN/GOV/BCA/DANCU')!;
    expect(jwk).not.toHaveProperty('d');
    const decoded = decodeJws(await signJws({ a: 1 }, first));
    await expect(verifyJws(decoded, await importKey('VN/GOV/BCA/DANCU', jwk!))).resolves.toBeUndefined();
    // The key read back from disk signs what the registered public key verifies.
    await expect(verifyJws(decodeJws(await signJws({ a: 2 }, again)), await importKey('VN/GOV/BCA/DANCU', jwk!))).resolves.toBeUndefined();
  });

  it('refuses a system id that could escape the folder', async () => {
    home = mkdtempSync(join(tmpdir(), 'lgsp-home-'));
    await expect(ensureSigningKey(home, 'VN/GOV/../X')).rejects.toThrow(/not a system id/);
  });
});
