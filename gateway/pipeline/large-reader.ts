/**
 * Large messages are read off the gateway's thread (docs/protocol.md §4, "no system can hurt
 * another"). Parsing a JWS of several hundred kilobytes strictly, and finding its body's first
 * contract violation, takes tens of milliseconds in which the gateway's one thread answers
 * nobody; a worker thread does both and hands back the envelope with a stand-in for its body and
 * the body's verdict. The gateway runs every other check itself, as for any message.
 *
 * One thread, started at the first large message. Should it fail to start or die, what it held
 * is read on the gateway's thread instead, and so is everything after: slower, never lost.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/catalog.ts';
import type { DecodedJws } from '../protocol/jws.ts';
import {
  canonicalObject, decodedOf, firstViolations, readLarge, type CanonicalObject, type LargeReadResult, type RequestSchemas,
} from './large-read.ts';

type Settle = (result: unknown) => void;

/** Every service's request schema, for the reader's thread. */
export function requestSchemas(catalog: Catalog): RequestSchemas {
  return Object.fromEntries([...catalog.services.values()].map((s) => [s.id, s.contract.requestSchema]));
}

/** tsx's ESM loader API (its `import` export: a require would resolve its CommonJS one). */
function tsxLoaderApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
}

/**
 * The thread: the compiled module beside this one, or, under the TypeScript sources (development
 * and tests), the source, loaded through tsx's loader as the command line loads it.
 */
function startThread(schemas: RequestSchemas): Worker {
  const options = { workerData: { schemas } };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./large-reader-thread.js', import.meta.url), options);
  const tsx = tsxLoaderApi();
  const source = new URL('./large-reader-thread.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`, { ...options, eval: true });
}

export class LargeReader {
  private worker?: Worker;
  private broken = false;
  private next = 0;
  private readonly waiting = new Map<number, Settle>();
  private local?: ReturnType<typeof firstViolations>;

  constructor(private readonly schemas: RequestSchemas, private readonly log: Logger) {}

  /** Reads a large JWS; rejects with the GatewayError the same text gets from decodeJws. */
  async read(text: string): Promise<DecodedJws> {
    const result = (this.thread() && (await this.onThread<LargeReadResult>(text, 'jws'))) || readLarge(text, (this.local ??= firstViolations(this.schemas)));
    return decodedOf(text, result);
  }

  /** A large JSON object's text as JSON.stringify writes it, read strictly (a door's credential-mode body). */
  async canonicalObject(text: string): Promise<CanonicalObject> {
    return (this.thread() && (await this.onThread<CanonicalObject>(text, 'json'))) || canonicalObject(text);
  }

  private onThread<T>(text: string, as: 'jws' | 'json'): Promise<T | undefined> {
    const id = ++this.next;
    return new Promise((settle) => {
      this.waiting.set(id, settle as Settle);
      this.worker!.postMessage({ id, text, as });
    });
  }

  private thread(): Worker | undefined {
    if (this.worker || this.broken) return this.worker;
    try {
      const worker = startThread(this.schemas);
      worker.unref(); // never what keeps a process alive
      worker.on('message', ({ id, result }: { id: number; result?: unknown }) => {
        const settle = this.waiting.get(id);
        this.waiting.delete(id);
        settle?.(result); // undefined: the thread failed on it, the gateway's thread reads it
      });
      worker.on('error', (err) => this.lost(`failed: ${err.message}`));
      worker.on('exit', (code) => this.lost(`exited (${code})`));
      this.worker = worker;
    } catch (err) {
      this.lost(`could not start: ${(err as Error).message}`);
    }
    return this.worker;
  }

  private lost(why: string): void {
    if (this.broken) return;
    this.broken = true;
    this.worker = undefined;
    this.log.warn(`the large-message reader's thread ${why}: large messages are read on the gateway's thread`);
    for (const settle of this.waiting.values()) settle(undefined);
    this.waiting.clear();
  }

  /** Whether large messages are being read on the reader's own thread (false before the first, and once it is lost). */
  get threaded(): boolean {
    return this.worker !== undefined;
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.broken = true; // a stopped reader starts no thread again
    this.worker = undefined;
    for (const settle of this.waiting.values()) settle(undefined);
    this.waiting.clear();
    await worker?.terminate();
  }
}
