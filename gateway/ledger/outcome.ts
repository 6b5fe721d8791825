/**
 * One name for what became of a transaction, for people: `ok`; `business:<type>` when the
 * provider answered with an error its contract declares (signed by it, not the gateway's doing,
 * and not a success either); otherwise the gateway's error type.
 */
export type OutcomeKind = 'ok' | 'business' | 'gateway';

export function outcomeKind(record: { outcome: string; businessError?: string | null }): OutcomeKind {
  if (record.businessError) return 'business';
  return record.outcome === 'ok' ? 'ok' : 'gateway';
}

export function outcomeLabel(record: { outcome: string; businessError?: string | null }): string {
  return record.businessError ? `business:${record.businessError}` : record.outcome;
}
