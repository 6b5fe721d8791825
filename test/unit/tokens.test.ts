import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueToken, listTokens, revokeToken, TokenStore } from '../../adapters/http/tokens.ts';

const CAOBANG = 'VN/PROV/CAOBANG/MOTCUA';
const CAMAU = 'VN/PROV/CAMAU/MOTCUA';

describe('bearer tokens in LGSP_HOME', () => {
  let home: string;
  let clock = 0;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'lgsp-tokens-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('keeps only a hash of an issued token, in a file only its owner reads', () => {
    const { id, token } = issueToken(home, CAOBANG, 'test bench');
    const file = join(home, 'tokens', 'VN~PROV~CAOBANG~MOTCUA.json');
    expect(readFileSync(file, 'utf8')).not.toContain(token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(listTokens(home, CAOBANG)).toEqual([expect.objectContaining({ id, label: 'test bench', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
  });

  it('tells which system a token was issued to, and nothing for any other string', () => {
    const store = new TokenStore(home, () => clock);
    const a = issueToken(home, CAOBANG).token;
    const b = issueToken(home, CAMAU).token;
    expect(store.systemOf(a)).toBe(CAOBANG);
    expect(store.systemOf(b)).toBe(CAMAU);
    expect(store.systemOf(`${a}x`)).toBeUndefined();
    expect(store.systemOf('not-a-token')).toBeUndefined();
  });

  it('picks up a token issued while it runs, and forgets a revoked one within 5 s', () => {
    const store = new TokenStore(home, () => clock);
    expect(store.systemOf('lgsp_nothing-yet')).toBeUndefined();
    const { id, token } = issueToken(home, CAOBANG);
    clock += 1000;
    expect(store.systemOf(token)).toBe(CAOBANG);
    expect(revokeToken(home, CAOBANG, id)).toBe(true);
    expect(revokeToken(home, CAOBANG, id)).toBe(false);
    expect(store.systemOf(token)).toBe(CAOBANG);
    clock += 5000;
    expect(store.systemOf(token)).toBeUndefined();
  });

  it('finds a second token issued right after the first, at once (no second of blindness)', () => {
    const store = new TokenStore(home, () => clock);
    const first = issueToken(home, CAOBANG).token;
    expect(store.systemOf(first)).toBe(CAOBANG);
    const second = issueToken(home, CAOBANG).token;
    expect(store.systemOf(second)).toBe(CAOBANG); // the same instant on the store's clock
  });
});
