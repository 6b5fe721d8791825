/**
 * The state directory (`LGSP_HOME`, default `./.lgsp`): keys generated for systems live in
 * `keys/<system with / as ~>/<keyName>.private.jwk.json` (mode 0600) beside their public JWK,
 * and never in git. Public keys found here are registered with the catalog at start.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { JWK } from 'jose';
import { isIdPart, isSystemId } from '../protocol/ids.ts';
import { generateSigningKey, importSigningKey, type Algorithm, type SigningKey } from '../protocol/keys.ts';
import { LgspError } from '../protocol/errors.ts';

/** The state directory: `LGSP_HOME` or `./.lgsp`. */
export function lgspHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.LGSP_HOME ?? '.lgsp');
}

/** A system's name in the state directory's file names: its id with `/` written as `~`. */
export function homeName(system: string): string {
  if (!isSystemId(system)) throw new LgspError('KEY_INVALID', `not a system id: ${system}`);
  return system.replaceAll('/', '~');
}

/** The system a state-directory file name stands for, or undefined. */
export function systemOfHomeName(name: string): string | undefined {
  const system = name.replaceAll('~', '/');
  return isSystemId(system) ? system : undefined;
}

function systemDir(home: string, system: string): string {
  return join(home, 'keys', homeName(system));
}

/** The public JWKs registered in `home`, by system. */
export function registeredPublicKeys(home: string): Map<string, JWK[]> {
  const found = new Map<string, JWK[]>();
  const root = join(home, 'keys');
  if (!existsSync(root)) return found;
  for (const dir of readdirSync(root)) {
    const system = systemOfHomeName(dir);
    if (!system) continue;
    const jwks = readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.public.jwk.json'))
      .map((f) => JSON.parse(readFileSync(join(root, dir, f), 'utf8')) as JWK);
    found.set(system, jwks);
  }
  return found;
}

/** Writes a public JWK for `system` (an integrator's own key, say) into `home`. */
export function registerPublicKey(home: string, system: string, jwk: JWK): string {
  if (!isIdPart(jwk.kid)) throw new LgspError('KEY_INVALID', 'the JWK needs a kid matching [A-Za-z0-9._-]{1,64}');
  if ('d' in jwk) throw new LgspError('KEY_INVALID', 'that is a private key; register only the public part');
  const dir = systemDir(home, system);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${jwk.kid}.public.jwk.json`);
  writeFileSync(file, `${JSON.stringify(jwk, null, 2)}\n`);
  return file;
}

/** The signing key `name` of `system` from `home`, generated and registered first if it is missing. */
export async function ensureSigningKey(home: string, system: string, name = 'k1', alg: Algorithm = 'EdDSA'): Promise<SigningKey> {
  if (!isIdPart(name)) throw new LgspError('KEY_INVALID', `not a key name: ${name}`);
  const dir = systemDir(home, system);
  const privateFile = join(dir, `${name}.private.jwk.json`);
  if (existsSync(privateFile)) return importSigningKey(system, JSON.parse(readFileSync(privateFile, 'utf8')) as JWK);
  const generated = await generateSigningKey(system, name, alg);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(privateFile, `${JSON.stringify(generated.privateJwk, null, 2)}\n`, { mode: 0o600 });
  chmodSync(privateFile, 0o600);
  registerPublicKey(home, system, generated.publicJwk);
  return generated.signing;
}

/** The first signing key of `system` kept in `home`, or undefined when it has none (nothing is generated). */
export async function loadSigningKey(home: string, system: string): Promise<SigningKey | undefined> {
  const dir = systemDir(home, system);
  if (!existsSync(dir)) return undefined;
  const file = readdirSync(dir).filter((f) => f.endsWith('.private.jwk.json')).sort()[0];
  return file ? importSigningKey(system, JSON.parse(readFileSync(join(dir, file), 'utf8')) as JWK) : undefined;
}
