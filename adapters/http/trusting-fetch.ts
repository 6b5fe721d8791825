/**
 * `fetch` that trusts one more certificate authority — the simulator's own (LGSP_HOME/tls/ca.pem)
 * when a gateway serves its doors over HTTPS — besides the system's.
 */
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';

/** Global `fetch` when `ca` is undefined; else one whose TLS connections also trust `ca` (PEM). */
export function trustingFetch(ca: string | undefined): typeof fetch {
  if (ca === undefined) return fetch;
  const dispatcher = new Agent({ connect: { ca: [...rootCertificates, ca] } });
  return ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}
