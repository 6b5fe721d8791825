/**
 * The large-message reader's thread (large-reader.ts): reads each JWS it is posted and posts back
 * the result, by the id it came with: a JWS read (readLarge), or a JSON object written canonically.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { canonicalObject, firstViolations, readLarge, type RequestSchemas } from './large-read.ts';

const check = firstViolations((workerData as { schemas: RequestSchemas }).schemas);
parentPort!.on('message', ({ id, text, as }: { id: number; text: string; as: 'jws' | 'json' }) => {
  try {
    parentPort!.postMessage({ id, result: as === 'json' ? canonicalObject(text) : readLarge(text, check) });
  } catch (err) {
    parentPort!.postMessage({ id, failed: String(err) });
  }
});
