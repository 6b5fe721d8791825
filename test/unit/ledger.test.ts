/** The ledger suite (test/helpers/ledger-suite.ts) on the SQLite ledger, each test on a file of its own. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { SqliteLedger } from '../../gateway/ledger/sqlite.ts';
import { verifyChain } from '../../gateway/ledger/verify.ts';
import { ledgerSuite, type LedgerBackend } from '../helpers/ledger-suite.ts';

let dir: string;
let backend: LedgerBackend;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lgsp-ledger-'));
  const file = join(dir, 'ledger.sqlite');
  backend = {
    open: async (options = {}) => new SqliteLedger({ file, ...options }),
    verify: (keys) => verifyChain(file, keys),
    async sql(sql, ...params) {
      const db = new Database(file);
      try {
        const statement = db.prepare(sql);
        if (statement.reader) return statement.all(...params) as Record<string, unknown>[];
        statement.run(...params);
        return [];
      } finally {
        db.close();
      }
    },
  };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

ledgerSuite('SQLite ledger', () => backend);
