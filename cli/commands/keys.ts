/** `lgsp keys`: generate, register and list the key pairs systems sign with, and issue bearer tokens. */
import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { ensureTls } from '../../gateway/home/tls.ts';
import { ensureSigningKey, lgspHome, registeredPublicKeys, registerPublicKey } from '../../gateway/home/keys.ts';
import { isSystemId } from '../../gateway/protocol/ids.ts';
import { isAllowedAlgorithm } from '../../gateway/protocol/keys.ts';
import { issueToken, listTokens, OPERATOR, revokeToken } from '../../adapters/http/tokens.ts';

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
    for (const t of listTokens(home, system)) process.stdout.write(`${system}  token ${t.id}  issued ${t.issuedAt}${t.label ? `  ${t.label}` : ''}\n`);
  }
}

export function issueTokenFor(system: string, options: { label?: string; home?: string }): void {
  const home = options.home ?? lgspHome();
  const { id, token } = issueToken(home, systemArg(system), options.label);
  process.stderr.write(`token ${id} for ${system}; it is shown once, only its hash is kept in ${home}/tokens\n`);
  process.stdout.write(`${token}\n`);
}

/** An operator token: what changes the running simulator (faults, refunds) through the operator server. */
export function issueOperatorToken(options: { label?: string; home?: string }): void {
  const home = options.home ?? lgspHome();
  const { id, token } = issueToken(home, OPERATOR, options.label);
  process.stderr.write(`operator token ${id}; it is shown once, only its hash is kept in ${home}/tokens\n`);
  process.stdout.write(`${token}\n`);
}

export function revokeTokenOf(system: string, id: string, options: { home?: string }): void {
  const home = options.home ?? lgspHome();
  if (!revokeToken(home, systemArg(system), id)) throw new Error(`no token ${id} for ${system}`);
  process.stdout.write(`revoked token ${id} of ${system}\n`);
}

export async function makeTls(options: { host?: string[]; home?: string }): Promise<void> {
  const files = await ensureTls(options.home ?? lgspHome(), options.host ?? []);
  process.stdout.write([
    `authority   ${files.ca}   (clients trust this: curl --cacert, --amqp-ca)`,
    `certificate ${files.cert}`,
    `key         ${files.key}   (mode 0600)`,
    '',
    'RabbitMQ (rabbitmq.conf) for amqps://:',
    '  listeners.ssl.default = 5671',
    `  ssl_options.cacertfile = ${files.ca}`,
    `  ssl_options.certfile = ${files.cert}`,
    `  ssl_options.keyfile = ${files.key}`,
    '',
  ].join('\n'));
}
