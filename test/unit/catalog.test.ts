import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogError, loadCatalog } from '../../gateway/catalog/load.ts';
import { schemaRuleBreaks } from '../../gateway/catalog/rules.ts';
import { FIXTURE_CONTRACTS } from '../helpers/bus.ts';

let dirs: string[] = [];

/** A copy of the fixture catalog with `edit` applied to one of its files. */
function variant(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lgsp-catalog-'));
  dirs.push(dir);
  cpSync(FIXTURE_CONTRACTS, dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
  return dir;
}

async function failure(dir: string): Promise<CatalogError> {
  try {
    await loadCatalog(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogError);
    return err as CatalogError;
  }
  throw new Error('the catalog loaded');
}

afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('catalog loading', () => {
  it('loads the systems, services, contracts and access rights', async () => {
    const catalog = await loadCatalog(FIXTURE_CONTRACTS);
    expect(catalog.systems.get('VN/GOV/BCA/DANCU')).toMatchObject({ scope: 'national', name: { en: 'National Population Database' } });
    expect(catalog.systems.get('VN/PROV/CAOBANG/MOTCUA')?.scope).toBe('provincial');
    expect(catalog.services.get('VN/GOV/BTP/LLTP/criminal-record.status/v1')?.timeoutMs).toBe(400);
    expect(catalog.services.get('VN/GOV/VPCP/DVCQG/dossier.sync/v1')?.mode).toBe('event');
    expect(catalog.canAccess('VN/PROV/DIENBIEN/MOTCUA', 'VN/GOV/VPCP/DVCQG/dossier.sync/v1')).toBe(true);
    expect(catalog.canAccess('VN/PROV/DIENBIEN/MOTCUA', 'VN/GOV/BCA/DANCU/citizen.verify/v1')).toBe(false);
    expect(Object.isFrozen(catalog)).toBe(true);
  });

  it('names the file and line of a YAML syntax error', async () => {
    const err = await failure(variant('catalog.yaml', (t) => t.replace('access:', 'access: [')));
    expect(err.file).toMatch(/catalog\.yaml$/);
    expect(err.line).toBeGreaterThan(1);
  });

  it('names the place of an unknown property', async () => {
    const err = await failure(variant('catalog.yaml', (t) => t.replace('  - id: VN/GOV/BTC/THUE\n', '  - id: VN/GOV/BTC/THUE\n    colour: blue\n')));
    expect(err.pointer).toBe('/systems/2');
    expect(err.problem).toBe('unknown property "colour"');
    expect(err.message).toMatch(/catalog\.yaml:\d+:\d+ \/systems\/2: unknown property "colour"/);
  });

  it('refuses a bad system id with its pointer', async () => {
    const err = await failure(variant('catalog.yaml', (t) => t.replace('id: VN/GOV/BTC/THUE', 'id: VN/GOV/BTC/../THUE')));
    expect(err.pointer).toBe('/systems/2/id');
  });

  it('refuses an access right to a service that does not exist', async () => {
    const err = await failure(variant('catalog.yaml', (t) => t.replace('service: VN/GOV/BTC/THUE/taxpayer.lookup/v1', 'service: VN/GOV/BTC/THUE/taxpayer.lookup/v2')));
    expect(err.pointer).toBe('/access/3/service');
  });

  it('refuses a contract file outside the catalog folder', async () => {
    const err = await failure(variant('catalog.yaml', (t) => t.replace('contract: services/taxpayer.lookup.v1.yaml', 'contract: ../../etc/passwd')));
    expect(err.pointer).toBe('/systems/2/services/0/contract');
  });

  it('refuses an object schema without additionalProperties: false, naming the contract and pointer', async () => {
    const err = await failure(variant('services/taxpayer.lookup.v1.yaml', (t) => t.replace('additionalProperties: false\n  required: [taxCode]', 'required: [taxCode]')));
    expect(err.file).toMatch(/taxpayer\.lookup\.v1\.yaml$/);
    expect(err.pointer).toBe('/request');
    expect(err.problem).toMatch(/additionalProperties: false/);
  });

  it('refuses a string without maxLength', async () => {
    const err = await failure(variant('services/citizen.lookup.v1.yaml', (t) => t.replace('purpose: { type: string, minLength: 1, maxLength: 200 }', 'purpose: { type: string, minLength: 1 }')));
    expect(err.pointer).toBe('/request/properties/purpose');
    expect(err.problem).toMatch(/maxLength/);
  });

  it('refuses an example that breaks its own contract', async () => {
    const err = await failure(variant('services/citizen.verify.v1.yaml', (t) => t.replace("request: { idNumber: '004190000001', fullName: Nông Văn A, dateOfBirth: '1990-01-01' }\n      response", "request: { idNumber: '1', fullName: Nông Văn A, dateOfBirth: '1990-01-01' }\n      response")));
    expect(err.pointer).toBe('/examples/valid/0/request');
  });

  it('refuses a contract filed under another service', async () => {
    const err = await failure(variant('services/taxpayer.lookup.v1.yaml', (t) => t.replace('service: VN/GOV/BTC/THUE/taxpayer.lookup/v1', 'service: VN/GOV/BTC/THUE/taxpayer.lookup/v2')));
    expect(err.problem).toMatch(/the contract is for .*v2/);
  });
});

describe('schema rules', () => {
  it('finds every open object, string and array, however deep', () => {
    const breaks = schemaRuleBreaks({
      type: 'object', additionalProperties: false,
      properties: { a: { type: 'array', items: { type: 'object', properties: { s: { type: 'string' } } } }, e: { enum: ['x'] } },
    });
    expect(breaks.map(([p]) => p)).toEqual(['/properties/a', '/properties/a/items', '/properties/a/items/properties/s']);
  });
});

describe('a system registered beside the catalog', () => {
  it('--like gives it that system\'s services and their callers: the portal forwards to it, the judicial records answer it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lgsp-systems-'));
    dirs.push(dir);
    const systemsFile = join(dir, 'systems.yaml');
    writeFileSync(systemsFile, 'systems:\n  - id: VN/PROV/HAGIANG/MOTCUA\n    name: { vi: Hà Giang, en: Ha Giang }\n    agencyCode: 000.00.02.H02\n    like: VN/PROV/CAOBANG/MOTCUA\n');
    const catalog = await loadCatalog(join(import.meta.dirname, '../../contracts'), { systemsFile });
    expect(catalog.services.has('VN/PROV/HAGIANG/MOTCUA/dossier.receive/v1')).toBe(true);
    expect(catalog.canAccess('VN/GOV/VPCP/DVCQG', 'VN/PROV/HAGIANG/MOTCUA/dossier.receive/v1')).toBe(true);
    expect(catalog.canAccess('VN/GOV/BTP/LLTP', 'VN/PROV/HAGIANG/MOTCUA/criminal-record.result/v1')).toBe(true);
    expect(catalog.canAccess('VN/PROV/CAOBANG/MOTCUA', 'VN/PROV/HAGIANG/MOTCUA/dossier.receive/v1')).toBe(false);
  });

  it("refuses another agency's code: one agency code, one system (Cà Mau's 000.00.96.H12 is Cà Mau's)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lgsp-systems-'));
    dirs.push(dir);
    const systemsFile = join(dir, 'systems.yaml');
    writeFileSync(systemsFile, 'systems:\n  - id: VN/PROV/HAGIANG/MOTCUA\n    name: { vi: Hà Giang, en: Ha Giang }\n    agencyCode: 000.00.96.H12\n    like: VN/PROV/CAOBANG/MOTCUA\n');
    await expect(loadCatalog(join(import.meta.dirname, '../../contracts'), { systemsFile }))
      .rejects.toThrow(/\/systems\/0\/agencyCode.*000\.00\.96\.H12 is VN\/PROV\/CAMAU\/MOTCUA's already/s);
  });
});
