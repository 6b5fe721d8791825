/**
 * `lgsp system add|list|remove`: an integrator's own system, registered beside the shipped catalog
 * (LGSP_HOME/systems.yaml), with a signing key and a token for every door. A running gateway reads
 * the catalog when it starts: restart it to take the change.
 */
import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { issueProviderSecret } from '../../adapters/http/provider-door.ts';
import { issueToken } from '../../adapters/http/tokens.ts';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { ensureSigningKey, lgspHome, registerPublicKey } from '../../gateway/home/keys.ts';
import { registeredSystems, registerSystem, systemsFileOf, unregisterSystem } from '../../gateway/home/systems.ts';
import { isSystemId } from '../../gateway/protocol/ids.ts';

export interface SystemAddOptions {
  contracts: string;
  home?: string;
  nameVi: string;
  nameEn: string;
  agencyCode?: string;
  like?: string;
  calls?: string[];
  jwk?: string;
  providerUrl?: string;
}

export async function addSystem(id: string, options: SystemAddOptions): Promise<void> {
  if (!isSystemId(id)) throw new Error(`not a system id: ${id} (expected VN/<GOV|PROV>/<MEMBER>/<SUBSYSTEM>)`);
  const home = options.home ?? lgspHome();
  const entry = {
    id, name: { vi: options.nameVi, en: options.nameEn }, ...(options.agencyCode && { agencyCode: options.agencyCode }),
    ...(options.like && { like: options.like }), ...(options.calls?.length && { calls: options.calls }),
    ...(options.providerUrl && { providerUrl: options.providerUrl }),
  };
  const before = registeredSystems(home);
  registerSystem(home, entry);
  let catalog;
  try {
    // Checked against the catalog at once: a wrong `like` or `calls` is said now, not at the next start.
    catalog = await loadCatalog(options.contracts, { systemsFile: systemsFileOf(home) });
  } catch (err) {
    unregisterSystem(home, id);
    for (const s of before.filter((b) => b.id === id)) registerSystem(home, s);
    throw err;
  }
  if (options.jwk) registerPublicKey(home, id, JSON.parse(readFileSync(options.jwk, 'utf8')) as JWK);
  const key = await ensureSigningKey(home, id);
  const { token } = issueToken(home, id, 'lgsp system add');
  const calls = [...catalog.services.values()].filter((s) => s.provider !== id && catalog.canAccess(id, s.id)).map((s) => s.id);
  const out = process.stdout;
  out.write(`${id} registered in ${systemsFileOf(home)}; restart lgsp up or lgsp gateway to take it\n`);
  out.write(`  provides: ${catalog.systems.get(id)!.services.join(', ') || 'nothing'}\n`);
  out.write(`  may call: ${calls.length} services${calls.length ? ` (${calls.slice(0, 4).join(', ')}${calls.length > 4 ? ', …' : ''})` : ''}\n`);
  out.write(`  signing key: ${key.kid} (the simulator signs for it at the HTTP doors)${options.jwk ? '; its own public key registered too' : ''}\n`);
  out.write(`  token (shown once): ${token}\n`);
  out.write('    REST ingress:  Authorization: Bearer <token>, X-Road-Client: ' + id + '\n');
  out.write('    OAuth2:        POST /token, client_id=' + id + ', client_secret=<token>\n');
  out.write(`    DVCQG adapter: POST /dvcqg/auth, username=${id}, password=<token>${entry.agencyCode ? `; madonvi=${entry.agencyCode}` : ' (no --agency-code: the adapter will refuse its madonvi)'}\n`);
  out.write(`    SOAP:          X-Road-Client: ${id}, ApiKey: <token>\n`);
  if (options.providerUrl) {
    const secret = issueProviderSecret(home, id);
    out.write(`  provider door: the gateway calls POST ${options.providerUrl.replace(/\/+$/, '')}/r1/<service id> for what it provides (docs/protocol.md §7)\n`);
    out.write(`    with Authorization: Bearer ${secret}   (shown once: check it on every call)\n`);
  }
}

export function listSystems(options: { home?: string }): void {
  const home = options.home ?? lgspHome();
  const systems = registeredSystems(home);
  if (systems.length === 0) process.stdout.write(`no systems registered in ${systemsFileOf(home)} (lgsp system add <id> registers one)\n`);
  for (const s of systems) process.stdout.write(`${s.id}  ${s.name?.en ?? s.name?.vi ?? '(no name)'}${s.agencyCode ? `  agency ${s.agencyCode}` : ''}${s.like ? `  like ${s.like}` : ''}\n`);
}

export function removeSystem(id: string, options: { home?: string }): void {
  const home = options.home ?? lgspHome();
  if (!unregisterSystem(home, id)) throw new Error(`${id} is not registered in ${systemsFileOf(home)} (lgsp system list shows those that are)`);
  process.stdout.write(`${id} removed from ${systemsFileOf(home)}; its keys and tokens stay in ${home} (lgsp keys revoke to revoke a token)\n`);
}
