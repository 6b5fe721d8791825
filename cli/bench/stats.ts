/** Latency figures for the benchmark. */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
export interface PhaseResult {
  readonly count: number;
  readonly elapsedMs: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly peakRssMb: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Tracks the peak resident memory of this process while a phase runs. */
export function rssPeak(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / 1048576);
    },
  };
}

/**
 * Sends `count` messages, `concurrency` at a time (closed loop) or at `rate` per second (open
 * loop), through `send`, and measures each round trip.
 */
export async function drive(
  count: number,
  send: (i: number) => Promise<boolean>,
  mode: { concurrency: number } | { rate: number },
): Promise<Omit<PhaseResult, 'peakRssMb'>> {
  const latencies: number[] = [];
  let errors = 0;
  const one = async (i: number) => {
    const t0 = performance.now();
    const ok = await send(i).catch(() => false);
    latencies.push(performance.now() - t0);
    if (!ok) errors += 1;
  };
  const started = performance.now();
  if ('concurrency' in mode) {
    let next = 0;
    await Promise.all(Array.from({ length: mode.concurrency }, async () => {
      while (next < count) await one(next++);
    }));
  } else {
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const due = started + (i * 1000) / mode.rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inflight.push(one(i));
    }
    await Promise.all(inflight);
  }
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { count, elapsedMs, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

/** How busy this process's event loop is while a phase runs: the share of time it worked, and its delay's p99. */
export function eventLoopLoad(): { stop(): { busyPct: number; delayP99Ms: number } } {
  const start = performance.eventLoopUtilization();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  return {
    stop() {
      delay.disable();
      return { busyPct: 100 * performance.eventLoopUtilization(start).utilization, delayP99Ms: delay.percentile(99) / 1e6 };
    },
  };
}
