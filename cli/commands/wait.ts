/**
 * `lgsp wait`: returns once a simulator is ready — the ready file written (`--ready-file`, by
 * `lgsp up`, `gateway` or `check`) or, without one, the gateway on the state directory running —
 * and its operator server answers /readyz. Polls every 250 ms up to `--timeout`; exit 1 then.
 */
import { existsSync, readFileSync } from 'node:fs';
import { lgspHome } from '../../gateway/home/keys.ts';
import { alive, runningIn } from '../../gateway/home/running.ts';
import { trustedCa } from '../../gateway/home/tls.ts';
import { trustingFetch } from '../../adapters/http/trusting-fetch.ts';
import type { ReadyInfo } from '../ready.ts';

export interface WaitOptions {
  readyFile?: string;
  home?: string;
  timeout: number;
}

/** What is ready now, or undefined. */
async function readyNow(options: WaitOptions, home: string): Promise<Partial<ReadyInfo> | undefined> {
  let info: Partial<ReadyInfo> | undefined;
  if (options.readyFile) {
    if (!existsSync(options.readyFile)) return undefined;
    try {
      info = JSON.parse(readFileSync(options.readyFile, 'utf8')) as ReadyInfo;
    } catch {
      return undefined;
    }
    if (!info.pid || !alive(info.pid)) return undefined; // left by a process that has gone
  } else {
    info = runningIn(home);
    if (!info) return undefined;
  }
  if (!info.operatorUrl) return info;
  try {
    const get = trustingFetch(info.operatorUrl.startsWith('https:') ? trustedCa(info.home ?? home) : undefined);
    const res = await get(`${info.operatorUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? info : undefined;
  } catch {
    return undefined;
  }
}

export async function waitReady(options: WaitOptions): Promise<number> {
  const home = options.home ?? lgspHome();
  const until = Date.now() + options.timeout * 1000;
  for (;;) {
    const info = await readyNow(options, home);
    if (info) {
      process.stdout.write(`ready: lgsp ${info.command ?? ''} (pid ${info.pid})${info.ingressUrl ? `, HTTP ingress ${info.ingressUrl}` : ''}${info.operatorUrl ? `, operator ${info.operatorUrl}` : ''}${info.amqp ? `, RabbitMQ ${info.amqp} prefix ${info.prefix}` : ''}\n`);
      return 0;
    }
    if (Date.now() >= until) {
      process.stderr.write(`lgsp wait: not ready after ${options.timeout} s (${options.readyFile ? `no ready file ${options.readyFile} from a live process` : `no gateway running on ${home}`}, or its /readyz not answering)\n`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
