/**
 * `lgsp contracts`: the AsyncAPI export validated by the AsyncAPI parser, `diff` over a table of
 * contract pairs (every kind of breaking change found, with its place), and `lint` naming every
 * broken file with its place.
 */
import { Parser } from '@asyncapi/parser';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { asyncApiDocument } from '../../gateway/catalog/asyncapi.ts';
import { diffContracts } from '../../gateway/catalog/diff.ts';
import { loadCatalog } from '../../gateway/catalog/load.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const lgsp = (...args: string[]) => run(process.execPath, ['bin/lgsp.mjs', ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }).catch((e: { stdout: string; code: number }) => e);

describe('lgsp contracts export', () => {
  it('describes the bus as AsyncAPI 3.0 that the AsyncAPI parser accepts without an error or a warning', async () => {
    const doc = asyncApiDocument(await loadCatalog(join(ROOT, 'contracts')));
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('/')}`)).toEqual([]);
    expect(document!.version()).toBe('3.0.0');
    const verify = document!.operations().get('send_VN_GOV_BCA_DANCU_citizen.verify_v1')!;
    expect(verify.action()).toBe('send');
    expect(verify.reply()?.channel()?.address()).toBe('lgsp.reply.{client}');
    expect(document!.channels().get('inbox_VN_GOV_BCA_DANCU')!.address()).toBe('lgsp.in.VN/GOV/BCA/DANCU');
  });

  it('prints it, or the doors as OpenAPI 3.1, from the command line', async () => {
    const asyncapi = JSON.parse((await lgsp('contracts', 'export')).stdout) as { asyncapi: string };
    expect(asyncapi.asyncapi).toBe('3.0.0');
    const openapi = JSON.parse((await lgsp('contracts', 'export', '--format', 'openapi')).stdout) as { openapi: string };
    expect(openapi.openapi).toMatch(/^3\.1/);
  });
});

/** A small contract, and a change to it. */
const base = {
  service: 'VN/GOV/BCA/DANCU/citizen.verify/v1', personalData: false, timeoutMs: 5000,
  request: { type: 'object', additionalProperties: false, required: ['idNumber'], properties: { idNumber: { type: 'string', maxLength: 12 }, channel: { enum: ['online', 'desk'] } } },
  response: { type: 'object', additionalProperties: false, required: ['match'], properties: { match: { type: 'boolean' }, note: { type: 'string', maxLength: 100 } } },
  errors: [{ type: 'citizen.not_found', description: 'x' }],
};
const change = (edit: (c: any) => void) => {
  const c = structuredClone(base) as any;
  edit(c);
  return c;
};

describe('lgsp contracts diff', () => {
  it.each([
    ['a new required request field', (c: any) => { c.request.properties.dob = { type: 'string', maxLength: 10 }; c.request.required.push('dob'); }, true, '/request/properties/dob'],
    ['a new optional request field', (c: any) => { c.request.properties.dob = { type: 'string', maxLength: 10 }; }, false, '/request/properties/dob'],
    ['a request field removed', (c: any) => { delete c.request.properties.channel; }, true, '/request/properties/channel'],
    ['a request value no longer allowed', (c: any) => { c.request.properties.channel.enum = ['online']; }, true, '/request/properties/channel'],
    ['a request value now allowed', (c: any) => { c.request.properties.channel.enum.push('post'); }, false, '/request/properties/channel'],
    ['a request string shortened', (c: any) => { c.request.properties.idNumber.maxLength = 9; }, true, '/request/properties/idNumber'],
    ['a request string lengthened', (c: any) => { c.request.properties.idNumber.maxLength = 20; }, false, '/request/properties/idNumber'],
    ['a request type narrowed', (c: any) => { c.request.properties.idNumber.type = 'integer'; }, true, '/request/properties/idNumber'],
    ['a request pattern added', (c: any) => { c.request.properties.idNumber.pattern = '^[0-9]{12}$'; }, true, '/request/properties/idNumber'],
    ['a required response field removed', (c: any) => { delete c.response.properties.match; c.response.required = []; }, true, '/response/properties/match'],
    ['a response field added', (c: any) => { c.response.properties.score = { type: 'number' }; }, true, '/response/properties/score'],
    ['a response field no longer required', (c: any) => { c.response.required = []; }, true, '/response/required'],
    ['a response string lengthened', (c: any) => { c.response.properties.note.maxLength = 200; }, true, '/response/properties/note'],
    ['a response string shortened', (c: any) => { c.response.properties.note.maxLength = 50; }, false, '/response/properties/note'],
    ['a new business error', (c: any) => { c.errors.push({ type: 'citizen.deceased', description: 'x' }); }, true, '/errors'],
    ['personal data now', (c: any) => { c.personalData = true; }, true, '/personalData'],
  ])('%s', (_, edit, breaking, pointer) => {
    const changes = diffContracts(base, change(edit));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ breaking, pointer });
  });

  it('finds nothing between a contract and itself', () => {
    expect(diffContracts(base, structuredClone(base))).toEqual([]);
  });

  it('says so from the command line, with exit code 2 when a change breaks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lgsp-diff-'));
    try {
      const before = join(ROOT, 'contracts/national/dancu/citizen.verify.v1.yaml');
      const after = join(dir, 'after.yaml');
      writeFileSync(after, readFileSync(before, 'utf8').replace('required: [idNumber, fullName, dateOfBirth]', 'required: [idNumber, fullName, dateOfBirth, sex]'));
      const same = await lgsp('contracts', 'diff', before, before);
      expect(same.stdout).toBe('0 changes, 0 breaking\n');
      const broken = await lgsp('contracts', 'diff', before, after) as { stdout: string; code: number };
      expect(broken.code).toBe(2);
      expect(broken.stdout).toMatch(/^breaking {4}\s+\/request\/required +field sex now required$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lgsp contracts lint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lgsp-lint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the shipped contracts', async () => {
    expect((await lgsp('contracts', 'lint')).stdout).toMatch(/^\d+ contracts and the catalog: no problems\n$/);
  });

  it('names every broken contract with its file, line and pointer, exit 2', async () => {
    cpSync(join(ROOT, 'contracts'), dir, { recursive: true });
    const verify = join(dir, 'national/dancu/citizen.verify.v1.yaml');
    writeFileSync(verify, readFileSync(verify, 'utf8').replace('      maxLength: 12\n', () => ''));
    const thue = join(dir, 'national/thue/taxpayer.lookup.v1.yaml');
    writeFileSync(thue, readFileSync(thue, 'utf8').replace('additionalProperties: false', 'additionalProperties: true')); // the request's
    const result = await lgsp('contracts', 'lint', '--contracts', dir) as { stdout: string; code: number };
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/citizen\.verify\.v1\.yaml:\d+:\d+ \/request\/properties\/idNumber: a string schema must set maxLength/);
    expect(result.stdout).toMatch(/taxpayer\.lookup\.v1\.yaml:\d+:\d+ \/request: an object schema must set additionalProperties: false/);
    expect(result.stdout).toMatch(/^2 problems$/m);
  });
});
