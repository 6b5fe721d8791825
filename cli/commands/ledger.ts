/**
 * `lgsp ledger verify`: walks the ledger's hash chain, checks its signed heads against the
 * gateway's key (heads.ts) and the answers kept for redelivery, and says where it breaks. Exit 2
 * when it breaks, or when records after the last signed head are vouched for by no head — unless a
 * gateway is running on the state directory, which signs them at its next interval.
 *
 * `lgsp ledger head`: the latest signed head, to keep elsewhere; `verify --head <file>` later
 * checks that the ledger still reaches it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadCatalog } from '../../gateway/catalog/load.ts';
import { lgspHome, registeredPublicKeys } from '../../gateway/home/keys.ts';
import { HomeInUseError, runningIn } from '../../gateway/home/running.ts';
import { verifyChain } from '../../gateway/ledger/verify.ts';
import { safePgUrl } from '../../gateway/ledger/postgres-db.ts';
import { verifyPgChain } from '../../gateway/ledger/postgres-verify.ts';
import type { HeadKeys } from '../../gateway/ledger/heads.ts';
import { packageFile } from '../../gateway/home/package-root.ts';

interface LedgerOptions {
  home?: string;
  file?: string;
  ledger?: string;
  contracts?: string;
  head?: string;
}

/** The gateway's public keys, as the catalog and the state directory know them. */
async function headKeys(home: string, options: LedgerOptions): Promise<HeadKeys> {
  const catalog = await loadCatalog(options.contracts ?? packageFile('contracts'), { extraKeys: registeredPublicKeys(home) });
  return { keys: catalog.keys, gateway: catalog.gateway, ...(options.head && { kept: readFileSync(options.head, 'utf8').trim() }) };
}

export async function verifyLedger(options: LedgerOptions): Promise<void> {
  const home = options.home ?? lgspHome();
  const file = options.ledger ? safePgUrl(options.ledger) : options.file ?? join(home, 'ledger.sqlite');
  if (!options.ledger && !existsSync(file)) throw new Error(`no ledger at ${file}`);
  const keys = await headKeys(home, options);
  const report = options.ledger ? await verifyPgChain(options.ledger, keys) : await verifyChain(file, keys);
  if (report.broken) {
    const { seq, tx, problem } = report.broken;
    process.stdout.write(`ledger ${file}: chain BROKEN at record ${seq}${tx ? ` (transaction ${tx})` : ''}: ${problem}\n`);
    process.exitCode = 2;
    return;
  }
  if (!report.unsigned) {
    process.stdout.write(`ledger ${file}: ${report.records} records, hash chain intact, every record vouched for by a head the gateway signed${options.head ? ', the kept head reached' : ''}\n`);
    return;
  }
  const running = !options.ledger && runningIn(home);
  process.stdout.write(`ledger ${file}: ${report.records} records, hash chain intact; the last ${report.unsigned} are vouched for by no signed head yet`
    + (running ? ` (the gateway running here, pid ${running.pid}, signs them within seconds)\n` : ' (a gateway that did not stop cleanly, or records added since): NOT PROVEN\n'));
  if (!running) process.exitCode = 2;
}

/** Prints the latest signed head of the ledger, to keep elsewhere. */
export async function printHead(options: LedgerOptions): Promise<void> {
  const home = options.home ?? lgspHome();
  const file = options.file ?? join(home, 'ledger.sqlite');
  if (!existsSync(file)) throw new Error(`no ledger at ${file}`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chain_heads'").get();
    const head = exists ? db.prepare('SELECT jws FROM chain_heads ORDER BY id DESC LIMIT 1').get() as { jws: string } | undefined : undefined;
    if (!head) throw new Error(`ledger ${file} holds no signed head yet`);
    process.stdout.write(`${head.jws}\n`);
  } finally {
    db.close();
  }
}

/**
 * `lgsp ledger reset`: starts the ledger afresh (keys and tokens stay). Refused while a gateway
 * uses the state directory, since it holds the file open.
 */
export function resetLedger(options: { home?: string }): void {
  const home = options.home ?? lgspHome();
  const holder = runningIn(home);
  if (holder) throw new HomeInUseError(home, holder);
  const file = join(home, 'ledger.sqlite');
  const removed = [file, `${file}-wal`, `${file}-shm`].filter((f) => existsSync(f));
  for (const f of removed) rmSync(f);
  process.stdout.write(removed.length > 0 ? `ledger ${file} removed; the next start begins a new chain\n` : `no ledger at ${file}\n`);
}
