// A signed-mode request to the HTTP ingress made with plain `jose` and `fetch`, no project code:
// sign the envelope with your system's key, POST it as application/jose, then verify the reply —
// the provider's signature, that it answers your very request, and the gateway's attestation.
//
//   node examples/signed-request.mjs            (after `npm start`, which makes the keys in .lgsp/)
//
// Settings: INGRESS_URL (http://127.0.0.1:8080), CLIENT (VN/PROV/CAOBANG/MOTCUA), LGSP_HOME (.lgsp).
import { compactVerify, CompactSign, importJWK } from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ingress = process.env.INGRESS_URL ?? 'http://127.0.0.1:8080';
const client = process.env.CLIENT ?? 'VN/PROV/CAOBANG/MOTCUA';
const home = process.env.LGSP_HOME ?? '.lgsp';
const service = 'VN/GOV/BCA/DANCU/citizen.verify/v1';

/** A JWK of `system` kept in LGSP_HOME: `private` or `public`. */
function jwkOf(system, kind) {
  const dir = join(home, 'keys', system.replaceAll('/', '~'));
  const file = readdirSync(dir).find((f) => f.endsWith(`.${kind}.jwk.json`));
  return JSON.parse(readFileSync(join(dir, file), 'utf8'));
}

const sha256 = (text) => createHash('sha256').update(text).digest('base64url');
const decode = (bytes) => JSON.parse(new TextDecoder().decode(bytes));

// 1. The envelope (docs/protocol.md §2), signed with the client's own key.
const privateJwk = jwkOf(client, 'private');
const envelope = {
  v: 1, kind: 'request', id: randomUUID(), client, service, at: new Date().toISOString(),
  body: { idNumber: '004190000123', fullName: 'Nông Thị Hoa', dateOfBirth: '1990-05-14' },
};
const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(envelope)))
  .setProtectedHeader({ alg: privateJwk.alg ?? 'EdDSA', kid: `${client}#${privateJwk.kid}`, typ: 'lgsp+jws' })
  .sign(await importJWK(privateJwk, privateJwk.alg ?? 'EdDSA'));

// 2. Sent as is; the headers must agree with it.
const res = await fetch(`${ingress}/r1/${service}`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/jose', 'X-Road-Client': client, 'X-Road-Id': envelope.id },
  body: jws,
});
const body = await res.json();
if (res.headers.get('x-road-error')) {
  console.error(`${res.status} ${res.headers.get('x-road-error')}: ${body.message}`);
  process.exit(1);
}

// 3. The reply, checked end to end: signed by the provider, bound to this request, attested by the gateway.
const providerJwk = jwkOf('VN/GOV/BCA/DANCU', 'public');
const reply = decode((await compactVerify(res.headers.get('x-lgsp-signature'), await importJWK(providerJwk, providerJwk.alg ?? 'EdDSA'))).payload);
if (reply.inReplyTo !== envelope.id || reply.requestHash !== sha256(jws)) throw new Error('the reply does not answer this request');
// The attestation is `<root JWS>~<claims>~<proof>` (docs/protocol.md §2): the gateway signs the root
// of a hash tree over a batch of claims; the proof is the path from these claims up to that root.
const gatewayJwk = jwkOf('VN/GOV/LGSP/GATEWAY', 'public');
const [rootJws, claims, proof] = res.headers.get('x-lgsp-attestation').split('~');
const { root } = decode((await compactVerify(rootJws, await importJWK(gatewayJwk, gatewayJwk.alg ?? 'EdDSA'))).payload);
const hash = (...parts) => parts.reduce((h, part) => h.update(part), createHash('sha256')).digest();
let node = hash(Buffer.from([0]), Buffer.from(claims, 'base64url'));
for (const step of proof ? proof.split('.') : []) {
  const sibling = Buffer.from(step.slice(1), 'base64url');
  node = step[0] === 'l' ? hash(Buffer.from([1]), sibling, node) : hash(Buffer.from([1]), node, sibling);
}
if (node.toString('base64url') !== root) throw new Error('the attestation is not in the batch the gateway signed');
const attestation = decode(Buffer.from(claims, 'base64url'));
if (attestation.sha256 !== sha256(res.headers.get('x-lgsp-signature'))) throw new Error('the attestation is for other bytes');

console.log(`${res.status} verified: signed by ${reply.service.split('/').slice(0, 4).join('/')}, transaction ${attestation.tx}`);
console.log(JSON.stringify(body));
