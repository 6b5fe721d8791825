/**
 * The large-message reader's thread (large-reader.ts): reads each JWS it is posted and posts back
 * the result, by the id it came with.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { firstViolations, readLarge, type RequestSchemas } from './large-read.ts';

const check = firstViolations((workerData as { schemas: RequestSchemas }).schemas);
parentPort!.on('message', ({ id, text }: { id: number; text: string }) => {
  try {
    parentPort!.postMessage({ id, result: readLarge(text, check) });
  } catch (err) {
    parentPort!.postMessage({ id, failed: String(err) });
  }
});
