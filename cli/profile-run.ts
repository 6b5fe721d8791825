/**
 * `lgsp up --profile <name>` (a report's period replayed, time-compressed, then checked against
 * every count and share the report gives) and `--scale <transactions>` (the profile's shares
 * streamed at volume in constant memory, with a progress bar and the rate reached).
 */
import type { Simulation } from '../mocks/simulation.ts';
import { dossierTotal, expectedCounts, planProfile, replay, runOpenLoop, streamProfile, WORKLOAD_PROFILES, type WorkloadProfile } from '../mocks/workload.ts';
import type { ReceptionShares } from '../mocks/national/dvcqg.ts';
import { DEFAULT_CONFIG } from '../gateway/config.ts';

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const mark = (ok: boolean) => (ok ? '✓' : '✗');

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds.toFixed(0)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(0)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** The shares a report gives, as the portal counted them from the reception reports. */
function shareRows(profile: WorkloadProfile, got: ReceptionShares, exact: boolean): string[] {
  const total = got.received;
  const rows: Array<[string, number, number]> = [
    ['online', got.online, profile.online],
    ...(profile.electronicResults !== undefined ? [['electronic results', got.electronicResults, profile.electronicResults] as [string, number, number]] : []),
    ['digitised', got.digitised, profile.digitised / dossierTotal(profile)],
  ];
  return rows.map(([name, count, share]) => {
    const want = total * share;
    // A planned replay makes each share to the dossier; a stream holds it within one dossier at any length.
    const ok = exact ? count === Math.round(want) : Math.abs(count - want) <= 1;
    return `  ${name.padEnd(20)} ${n(count).padStart(10)}  ${(total ? (100 * count) / total : 0).toFixed(1).padStart(5)} %   report ${(100 * share).toFixed(1).padStart(5)} %  ${mark(ok)}`;
  });
}

async function portalShares(sim: Simulation, system: string, received: number): Promise<ReceptionShares> {
  // Reception reports are events: wait (bounded) until the portal has every one.
  const portal = sim.national.portal.counts;
  for (let waited = 0; waited < 15_000 && portal.shares(system).received < received; waited += 100) await new Promise((r) => setTimeout(r, 100));
  return portal.shares(system);
}

/** Replays a profile on its province and prints its counts and shares beside the report's. */
export async function replayProfile(sim: Simulation, name: string, seconds: number, transactions: () => number, out: NodeJS.WriteStream): Promise<void> {
  const profile = WORKLOAD_PROFILES[name]!;
  const province = sim.provinces.get(profile.province)!;
  const portalBefore = sim.national.portal.counts.shares(province.system);
  const plans = planProfile(profile, [...sim.data.citizens.values()], 1);
  out.write(`replaying ${name}: ${profile.description}\n  ${n(plans.length)} dossiers over ${seconds} s\n\n`);
  const started = performance.now();
  const txBefore = transactions();
  let lagMs = 0;
  const counts = await replay(province, plans, { durationMs: seconds * 1000, onStartLag: (ms) => (lagMs = ms) });
  const took = (performance.now() - started) / 1000;
  const made = transactions() - txBefore;
  const expected = expectedCounts(profile);
  const late = lagMs > Math.max(1000, seconds * 50);
  out.write(`\nreplay of ${name} ended in ${took.toFixed(1)} s (the last dossier started ${(lagMs / 1000).toFixed(1)} s late${late
    ? `: the bus carried ${n(made / took)} transactions/s, less than ${seconds} s asks; try --profile-seconds ${Math.ceil(took)}` : ''}):\n`);
  for (const [k, v] of Object.entries(counts)) out.write(`  ${k.padEnd(20)} ${n(v).padStart(10)}   report ${n(expected[k as keyof typeof expected]).padStart(10)}  ${mark(v === expected[k as keyof typeof expected])}\n`);
  const now = await portalShares(sim, province.system, portalBefore.received + plans.length);
  const got = { received: now.received - portalBefore.received, online: now.online - portalBefore.online, electronicResults: now.electronicResults - portalBefore.electronicResults, digitised: now.digitised - portalBefore.digitised };
  out.write(`shares at the national portal (from ${n(got.received)} reception reports):\n${shareRows(profile, got, true).join('\n')}\n`);
  const perDossier = made / plans.length;
  out.write(`transactions: ${n(made)} through the gateway, ${perDossier.toFixed(1)} a dossier\n`);
  if (profile.reportedTransactions) {
    out.write(`  the province reports ${n(profile.reportedTransactions)} LGSP transactions: about ${n(profile.reportedTransactions / perDossier)} dossiers at this mix; `
      + `lgsp up --profile ${name} --scale ${profile.reportedTransactions} streams that volume\n`);
  }
}

/**
 * How long the bus remembers a message: a provider keeps each transaction it handled for twice
 * the ±300 s clock window (a copy later than that is refused as not recent), the gateway each
 * message id for the window. Memory grows with the rate until then, and should stay flat after.
 */
export const WARM_UP_SECONDS = 2 * DEFAULT_CONFIG.skewSeconds;

/** Streams the profile's dossiers until `target` transactions are recorded; prints rate, memory and shares. */
export async function scaleProfile(sim: Simulation, name: string, target: number, transactions: () => number, out: NodeJS.WriteStream): Promise<void> {
  const profile = WORKLOAD_PROFILES[name]!;
  const province = sim.provinces.get(profile.province)!;
  const portalBefore = sim.national.portal.counts.shares(province.system);
  out.write(`streaming ${name} in its shares until ${n(target)} transactions are recorded\n`);
  const start = transactions();
  const done = () => transactions() - start;
  const started = performance.now();
  const rss: { at: number; rss: number; heap: number }[] = [];
  let dossiers = 0;
  const bar = () => {
    const d = done();
    const seconds = (performance.now() - started) / 1000;
    const rate = d / Math.max(seconds, 0.001);
    const frac = Math.min(1, d / target);
    const usage = process.memoryUsage();
    const mem = usage.rss / 2 ** 20;
    rss.push({ at: seconds, rss: mem, heap: usage.heapUsed / 2 ** 20 });
    const line = `[${'█'.repeat(Math.round(frac * 30)).padEnd(30, '░')}] ${(100 * frac).toFixed(1).padStart(5)} %  ${n(d)} / ${n(target)} tx  ${n(rate)} tx/s  RSS ${mem.toFixed(0)} MiB  heap ${(usage.heapUsed / 2 ** 20).toFixed(0)} MiB  ETA ${rate > 0 ? duration(Math.max(0, target - d) / rate) : '…'}`;
    out.write(out.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  };
  const timer = setInterval(bar, out.isTTY ? 1000 : 5000);
  await runOpenLoop(streamProfile(profile, [...sim.data.citizens.values()], 1), (plan) => {
    dossiers += 1;
    return province.run(plan);
  }, { maxInFlight: 256, stop: () => done() >= target });
  clearInterval(timer);
  bar();
  const seconds = (performance.now() - started) / 1000;
  const rate = done() / seconds;
  out.write(`\n${n(done())} transactions (${n(dossiers)} dossiers) in ${duration(seconds)}: ${n(rate)} transactions/s\n`);
  const warm = rss.filter((s) => s.at >= WARM_UP_SECONDS);
  const peak = Math.max(...rss.map((s) => s.rss)).toFixed(0);
  if (warm.length > 1) {
    const [first, last] = [warm[0]!, warm[warm.length - 1]!];
    const growth = (100 * (last.rss - first.rss)) / first.rss;
    out.write(`  memory after warm-up (${WARM_UP_SECONDS} s, the longest the bus remembers a message): RSS ${first.rss.toFixed(0)} → ${last.rss.toFixed(0)} MiB `
      + `(${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %), heap ${first.heap.toFixed(0)} → ${last.heap.toFixed(0)} MiB, peak RSS ${peak} MiB\n`);
  } else {
    out.write(`  memory: peak RSS ${peak} MiB; the run was shorter than the ${WARM_UP_SECONDS} s warm-up (the longest the bus remembers a message), so no growth after it is measured\n`);
  }
  const now = await portalShares(sim, province.system, portalBefore.received + dossiers);
  const got = { received: now.received - portalBefore.received, online: now.online - portalBefore.online, electronicResults: now.electronicResults - portalBefore.electronicResults, digitised: now.digitised - portalBefore.digitised };
  out.write(`shares at the national portal (from ${n(got.received)} reception reports):\n${shareRows(profile, got, false).join('\n')}\n`);
  if (profile.reportedTransactions) out.write(`  at this rate the province's ${n(profile.reportedTransactions)} transactions would take ${duration(profile.reportedTransactions / rate)}\n`);
}
