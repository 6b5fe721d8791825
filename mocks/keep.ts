/**
 * What a mocked system keeps of what it was told — dossiers, payments, certificates — is bounded:
 * the latest `max`, the oldest forgotten first. A stream of millions (`lgsp up --scale`) runs in
 * constant memory, while a look-up of anything recent still finds it.
 */
export function keepLatest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key); // a key set again counts as new
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}

/** How many dossiers, payments or certificates a mocked system keeps. */
export const KEPT_RECORDS = 50_000;
