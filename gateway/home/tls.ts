/**
 * TLS for the simulator's doors and its broker: a certificate authority of its own, generated
 * once into the state directory (`tls/ca.pem`, key 0600), and a server certificate it signs for
 * this machine's names (`tls/server.pem`, `tls/server.key`). Clients trust `tls/ca.pem`; RabbitMQ
 * can take the same three files for its `amqps://` listener.
 */
import 'reflect-metadata'; // @peculiar/x509 needs it, before it loads
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface TlsFiles {
  readonly dir: string;
  /** The authority's certificate: what clients trust. */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** The state directory's TLS files (they may not exist yet). */
export function tlsFiles(home: string): TlsFiles {
  const dir = join(home, 'tls');
  return { dir, ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

/** The state directory's authority (PEM), for a client of a gateway serving HTTPS; undefined if none was made. */
export function trustedCa(home: string): string | undefined {
  const { ca } = tlsFiles(home);
  return existsSync(ca) ? readFileSync(ca, 'utf8') : undefined;
}

function pemKey(der: ArrayBuffer): string {
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function writeSecret(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * The TLS files of `home`, made first if missing: the authority (10 years) and a server
 * certificate (1 year) for localhost, 127.0.0.1, ::1, this host's name and `hosts`. With new
 * `hosts` not in the server certificate, a new one is issued by the same authority.
 */
export async function ensureTls(home: string, hosts: readonly string[] = []): Promise<TlsFiles> {
  const files = tlsFiles(home);
  const names = [...new Set(['localhost', '127.0.0.1', '::1', hostname(), ...hosts])];
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  const caKeyFile = join(files.dir, 'ca.key');
  if (!existsSync(files.ca) || !existsSync(caKeyFile)) await makeAuthority(files.ca, caKeyFile);
  if (!existsSync(files.cert) || !covers(readFileSync(files.cert, 'utf8'), names)) await issueServer(files, caKeyFile, names);
  return files;
}

async function makeAuthority(caFile: string, keyFile: string): Promise<void> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name: `CN=LGSP Simulator local CA (${hostname()})`, notBefore: new Date(now - DAY), notAfter: new Date(now + 3650 * DAY),
    signingAlgorithm: ALGORITHM, keys: keys as CryptoKeyPair,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as CryptoKey),
    ],
  });
  writeSecret(keyFile, pemKey(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as CryptoKey)));
  writeFileSync(caFile, cert.toString('pem'));
}

async function issueServer(files: TlsFiles, caKeyFile: string, names: readonly string[]): Promise<void> {
  const ca = new x509.X509Certificate(readFileSync(files.ca, 'utf8'));
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(readFileSync(caKeyFile, 'utf8')), ALGORITHM, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const ip = (n: string) => /^[\d.]+$/.test(n) || n.includes(':');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(), subject: `CN=${names[0]}`, issuer: ca.subject, notBefore: new Date(now - DAY), notAfter: new Date(now + 365 * DAY),
    signingAlgorithm: ALGORITHM, publicKey: keys.publicKey as CryptoKey, signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((n) => (ip(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }))),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  writeSecret(files.key, pemKey(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as CryptoKey)));
  writeFileSync(files.cert, cert.toString('pem'));
}

/** True when the certificate's alternative names include every one of `names`. */
function covers(pem: string, names: readonly string[]): boolean {
  const san = new x509.X509Certificate(pem).getExtension(x509.SubjectAlternativeNameExtension);
  const have = new Set(san?.names.items.map((n) => n.value) ?? []);
  return names.every((n) => have.has(n));
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}
