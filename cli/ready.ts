/**
 * A ready file: written (atomically) once the bus is up and every part connected, so a script or a
 * CI job knows when to start the system under test — `lgsp up --ready-file f`, `lgsp check
 * --ready-file f`, then `lgsp wait --ready-file f`. It holds the addresses to use.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export interface ReadyInfo {
  readonly pid: number;
  readonly command: string;
  readonly transport: string;
  readonly amqp?: string;
  readonly prefix: string;
  readonly ingressUrl?: string;
  readonly operatorUrl?: string;
  readonly home: string;
}

/** Writes the ready file; returns a function that removes it (when the process stops). */
export function writeReady(file: string, info: ReadyInfo): () => void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...info, readyAt: new Date().toISOString() }, null, 2)}\n`);
  renameSync(tmp, file);
  return () => rmSync(file, { force: true });
}
