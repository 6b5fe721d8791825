/** `lgsp` as its own process, as a user starts it: started until a line of its output says it is ready, stopped with Ctrl-C. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** Starts `lgsp <args>` and resolves once its output matches `ready`, with the match; rejects if it ends first. */
export async function startLgsp(args: readonly string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, ['bin/lgsp.mjs', ...args], { cwd: ROOT, env });
  let out = '';
  const match = await new Promise<RegExpExecArray>((found, failed) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) found(m);
    });
    child.once('close', (code) => failed(new Error(`lgsp ${args[0]} ended (${code}): ${out}`)));
  });
  return { child, match };
}

/** Stops a process started by startLgsp (Ctrl-C) and waits for it to end. */
export async function stopLgsp(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const closed = new Promise((r) => child.once('close', r));
  child.kill('SIGINT');
  await closed;
}
