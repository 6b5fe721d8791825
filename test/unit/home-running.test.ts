/** The state directory's lock and address book, `running.json`. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HomeInUseError, lockHome, runningIn, RUNNING_FILE } from '../../gateway/home/running.ts';

const homes: string[] = [];
function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'lgsp-lock-'));
  homes.push(home);
  return home;
}
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

const INFO = { command: 'up', transport: 'embedded', prefix: 'lgsp' } as const;

describe('running.json', () => {
  it('refuses a second claim while the holder lives, naming it (HomeInUseError)', () => {
    const home = freshHome();
    const lock = lockHome(home, INFO);
    expect(() => lockHome(home, INFO)).toThrow(HomeInUseError);
    lock.release();
    expect(runningIn(home)).toBeUndefined();
    lockHome(home, INFO).release();
  });

  it('refuses a claim held by another live process', async () => {
    const home = freshHome();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      writeFileSync(join(home, RUNNING_FILE), JSON.stringify({ ...INFO, pid: other.pid, startedAt: 'then' }));
      expect(() => lockHome(home, INFO)).toThrow(new RegExp(`in use by lgsp up \\(pid ${other.pid}, since then\\)`));
    } finally {
      other.kill();
    }
  });

  it('takes over a file left by a process that died', async () => {
    const home = freshHome();
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.once('exit', r));
    writeFileSync(join(home, RUNNING_FILE), JSON.stringify({ ...INFO, pid: dead.pid, startedAt: 'then' }));
    expect(runningIn(home)).toBeUndefined();
    const lock = lockHome(home, INFO);
    expect(runningIn(home)?.pid).toBe(process.pid);
    lock.release();
  });

  it('keeps the addresses given after start', () => {
    const home = freshHome();
    const lock = lockHome(home, INFO);
    lock.update({ ingressUrl: 'http://127.0.0.1:8080', operatorUrl: 'http://127.0.0.1:8081' });
    expect(JSON.parse(readFileSync(join(home, RUNNING_FILE), 'utf8'))).toMatchObject({ pid: process.pid, ingressUrl: 'http://127.0.0.1:8080', operatorUrl: 'http://127.0.0.1:8081' });
    lock.release();
  });
});
