/** `lgsp ledger verify`: walks the ledger's hash chain and says where it breaks. */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { lgspHome } from '../../gateway/home/keys.ts';
import { HomeInUseError, runningIn } from '../../gateway/home/running.ts';
import { verifyChain } from '../../gateway/ledger/verify.ts';
import { safePgUrl, verifyPgChain } from '../../gateway/ledger/postgres.ts';

export async function verifyLedger(options: { home?: string; file?: string; ledger?: string }): Promise<void> {
  const file = options.ledger ? safePgUrl(options.ledger) : options.file ?? join(options.home ?? lgspHome(), 'ledger.sqlite');
  if (!options.ledger && !existsSync(file)) throw new Error(`no ledger at ${file}`);
  const report = options.ledger ? await verifyPgChain(options.ledger) : verifyChain(file);
  if (!report.broken) {
    process.stdout.write(`ledger ${file}: ${report.records} records, hash chain intact\n`);
    return;
  }
  const { seq, tx, problem } = report.broken;
  process.stdout.write(`ledger ${file}: chain BROKEN at record ${seq} (transaction ${tx}): ${problem}\n`);
  process.exitCode = 2;
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
