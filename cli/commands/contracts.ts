/**
 * `lgsp contracts lint|diff|export`: the contracts as their authors and their clients need them —
 * every problem with its file and place; what changed between two versions and whether it
 * breaks someone; the bus as AsyncAPI 3.0 and the HTTP doors as OpenAPI 3.1.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { openApiDocument } from '../../adapters/http/openapi.ts';
import { asyncApiDocument } from '../../gateway/catalog/asyncapi.ts';
import { diffContracts } from '../../gateway/catalog/diff.ts';
import { CatalogError, loadCatalog, loadContract } from '../../gateway/catalog/load.ts';
import { readSource } from '../../gateway/catalog/source.ts';

/** Every contract the catalog names, each loaded on its own: one problem per file, every file said. */
export async function lint(options: { contracts: string }): Promise<void> {
  const root = resolve(options.contracts);
  const catalogFile = parse(readFileSync(join(root, 'catalog.yaml'), 'utf8')) as { systems?: { services?: { contract: string }[] }[] };
  const files = [...new Set((catalogFile.systems ?? []).flatMap((s) => (s.services ?? []).map((svc) => svc.contract)))];
  const problems: string[] = [];
  for (const file of files) {
    try {
      loadContract(readSource(join(root, file), join(options.contracts, file)));
    } catch (err) {
      problems.push(err instanceof CatalogError ? err.message : `${file}: ${(err as Error).message}`);
    }
  }
  if (problems.length === 0) {
    try {
      await loadCatalog(options.contracts);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  for (const p of problems) process.stdout.write(`${p}\n`);
  process.stdout.write(problems.length === 0 ? `${files.length} contracts and the catalog: no problems\n` : `${problems.length} problems\n`);
  if (problems.length > 0) process.exitCode = 2;
}

/** The changes from one contract file to another; exit 2 when one breaks a client or a provider. */
export function diff(before: string, after: string): void {
  const changes = diffContracts(parse(readFileSync(before, 'utf8')) as Record<string, unknown>, parse(readFileSync(after, 'utf8')) as Record<string, unknown>);
  for (const c of changes) process.stdout.write(`${c.breaking ? 'breaking    ' : 'non-breaking'}  ${c.pointer}  ${c.change}\n`);
  const breaking = changes.filter((c) => c.breaking).length;
  process.stdout.write(`${changes.length} changes, ${breaking} breaking\n`);
  if (breaking > 0) process.exitCode = 2;
}

/** The bus as AsyncAPI 3.0, or the HTTP ingress as OpenAPI 3.1, as JSON on standard output. */
export async function exportContracts(options: { contracts: string; format: 'asyncapi' | 'openapi'; prefix: string }): Promise<void> {
  const catalog = await loadCatalog(options.contracts);
  const doc = options.format === 'asyncapi' ? asyncApiDocument(catalog, options.prefix) : openApiDocument(catalog);
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}
