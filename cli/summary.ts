/**
 * The live terminal summary of `lgsp up`: transactions per second, and counts per service and
 * outcome, redrawn in place on a terminal and printed as plain lines otherwise.
 */
import type { TransactionRecord } from '../gateway/ledger/ledger.ts';
import { outcomeLabel } from '../gateway/ledger/outcome.ts';

export class Summary {
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly recent: number[] = [];
  /** Transactions recorded so far. */
  total = 0;
  private lines = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  add(record: TransactionRecord): void {
    this.total += 1;
    this.recent.push(Date.now());
    const service = record.service ?? '(unreadable)';
    const outcome = outcomeLabel(record);
    const byOutcome = this.counts.get(service) ?? new Map<string, number>();
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
    this.counts.set(service, byOutcome);
  }

  render(): string {
    const cutoff = Date.now() - 5000;
    while (this.recent.length > 0 && this.recent[0]! < cutoff) this.recent.shift();
    const rows = [`transactions: ${this.total}   last 5 s: ${(this.recent.length / 5).toFixed(1)}/s`];
    for (const [service, outcomes] of [...this.counts].sort(([a], [b]) => a.localeCompare(b))) {
      const parts = [...outcomes].sort(([, a], [, b]) => b - a).map(([o, n]) => `${o} ${n}`);
      rows.push(`  ${service.padEnd(52)} ${parts.join('  ')}`);
    }
    return rows.join('\n');
  }

  /** Leaves what is on screen in place: the next draw starts below it. */
  release(): void {
    this.lines = 0;
  }

  /** Redraws the summary. */
  draw(): void {
    const text = this.render();
    if (this.out.isTTY) {
      if (this.lines > 0) this.out.write(`\x1b[${this.lines}A\x1b[0J`);
      this.out.write(`${text}\n`);
      this.lines = text.split('\n').length;
    } else {
      this.out.write(`${new Date().toISOString()} ${text}\n`);
    }
  }
}
