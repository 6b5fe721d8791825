/** `lgsp keys`: generate, register and list the key pairs systems sign with. */
import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { ensureSigningKey, lgspHome, registeredPublicKeys, registerPublicKey } from '../../gateway/home/keys.ts';
import { isSystemId } from '../../gateway/protocol/ids.ts';
import { isAllowedAlgorithm } from '../../gateway/protocol/keys.ts';

function systemArg(system: string): string {
  if (!isSystemId(system)) throw new Error(`not a system id: ${system} (expected VN/<GOV|PROV>/<MEMBER>/<SUBSYSTEM>)`);
  return system;
}

export async function generateKey(system: string, options: { name: string; alg: string; home?: string }): Promise<void> {
  if (!isAllowedAlgorithm(options.alg)) throw new Error('--alg must be EdDSA or ES256');
  const home = options.home ?? lgspHome();
  const key = await ensureSigningKey(home, systemArg(system), options.name, options.alg);
  process.stdout.write(`${key.kid} (${key.alg}) in ${home}/keys\n`);
}

export function registerKey(system: string, file: string, options: { home?: string }): void {
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const written = registerPublicKey(options.home ?? lgspHome(), systemArg(system), jwk);
  process.stdout.write(`registered ${system}#${String(jwk.kid)} → ${written}\n`);
}

export function listKeys(options: { home?: string }): void {
  const home = options.home ?? lgspHome();
  const found = registeredPublicKeys(home);
  if (found.size === 0) process.stdout.write(`no keys in ${home}/keys yet (lgsp up or lgsp keys generate makes them)\n`);
  for (const [system, jwks] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
    for (const jwk of jwks) process.stdout.write(`${system}#${String(jwk.kid)}  ${String(jwk.alg ?? jwk.crv)}\n`);
  }
}
