/** `lgsp ledger verify`: walks the ledger's hash chain and says where it breaks. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { lgspHome } from '../../gateway/home/keys.ts';
import { verifyChain } from '../../gateway/ledger/verify.ts';

export function verifyLedger(options: { home?: string; file?: string }): void {
  const file = options.file ?? join(options.home ?? lgspHome(), 'ledger.sqlite');
  if (!existsSync(file)) throw new Error(`no ledger at ${file}`);
  const report = verifyChain(file);
  if (!report.broken) {
    process.stdout.write(`ledger ${file}: ${report.records} records, hash chain intact\n`);
    return;
  }
  const { seq, tx, problem } = report.broken;
  process.stdout.write(`ledger ${file}: chain BROKEN at record ${seq} (transaction ${tx}): ${problem}\n`);
  process.exitCode = 2;
}
