/**
 * Who is using a state directory: `LGSP_HOME/running.json`, written by the gateway that holds
 * the ledger, removed when it stops. It is the lock that keeps a second gateway from writing
 * the same ledger (two writers would break its hash chain), and the place where `lgsp send`,
 * `load`, `stats` and `tail` find the running bus's addresses.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LgspError } from '../protocol/errors.ts';

export const RUNNING_FILE = 'running.json';

export interface RunningInfo {
  readonly pid: number;
  /** `up` or `gateway`. */
  readonly command: string;
  readonly startedAt: string;
  readonly transport: 'embedded' | 'rabbitmq';
  /** The broker, password redacted, when on RabbitMQ. */
  readonly amqp?: string;
  readonly prefix: string;
  readonly ingressUrl?: string;
  readonly operatorUrl?: string;
}

/** The state directory is in use by another live process. */
export class HomeInUseError extends LgspError {
  constructor(readonly home: string, readonly holder: RunningInfo) {
    super('HOME_IN_USE', `the state directory ${home} is in use by lgsp ${holder.command} (pid ${holder.pid}, since ${holder.startedAt}): `
      + 'stop that one, or give this one its own state with --home <dir> (or LGSP_HOME)');
  }
}

/** True while process `pid` lives (on this machine). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live process using `home`, or undefined (no file, or its process is gone). */
export function runningIn(home: string): RunningInfo | undefined {
  let info: RunningInfo;
  try {
    info = JSON.parse(readFileSync(join(home, RUNNING_FILE), 'utf8')) as RunningInfo;
  } catch {
    return undefined;
  }
  return Number.isInteger(info.pid) && alive(info.pid) ? info : undefined;
}

export interface HomeLock {
  /** Adds what became known after start (the addresses). */
  update(extra: Partial<RunningInfo>): void;
  release(): void;
}

/**
 * Claims `home` for this process; throws HomeInUseError when a live process holds it. A file
 * left by a process that died (SIGKILL) is taken over.
 */
export function lockHome(home: string, info: Omit<RunningInfo, 'pid' | 'startedAt'>): HomeLock {
  mkdirSync(home, { recursive: true });
  const file = join(home, RUNNING_FILE);
  let current: RunningInfo = { ...info, pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = runningIn(home);
      if (holder) throw new HomeInUseError(home, holder);
      rmSync(file, { force: true }); // stale: its process is gone
      if (attempt === 1) throw new Error(`could not claim ${file}`);
    }
  }
  return {
    update(extra) {
      current = { ...current, ...extra };
      const temp = `${file}.${process.pid}`;
      writeFileSync(temp, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, file);
    },
    release() {
      if (runningIn(home)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
