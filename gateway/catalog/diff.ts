/**
 * What changed between two versions of a contract, and whether each change breaks someone
 * (`lgsp contracts diff`). A request schema must go on accepting every request the old one did
 * (clients send them); a response schema must only allow answers the old one did (clients read
 * them). Each change names its place (a JSON pointer) and says why it breaks or does not.
 */

export interface ContractChange {
  readonly breaking: boolean;
  /** Where: `/request/properties/idNumber`, … */
  readonly pointer: string;
  readonly change: string;
}

type Schema = Record<string, unknown>;
type Side = 'request' | 'response';

const asSchema = (s: unknown): Schema => (s && typeof s === 'object' ? (s as Schema) : {});
const typesOf = (s: Schema): string[] => (s.type === undefined ? [] : ([] as unknown[]).concat(s.type).map(String));
const escape = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** Whether widening (`grew`) or narrowing breaks, on each side: a request may grow, a response may shrink. */
function limit(out: ContractChange[], side: Side, pointer: string, name: string, before: unknown, after: unknown, upper: boolean): void {
  if (before === after) return;
  const a = typeof before === 'number' ? before : upper ? Infinity : -Infinity;
  const b = typeof after === 'number' ? after : upper ? Infinity : -Infinity;
  const loosened = upper ? b > a : b < a;
  const breaking = side === 'request' ? !loosened : loosened;
  out.push({ breaking, pointer, change: `${name} ${before ?? 'none'} → ${after ?? 'none'} (${loosened ? 'looser' : 'stricter'})` });
}

function diffSchema(before: Schema, after: Schema, pointer: string, side: Side, out: ContractChange[]): void {
  const [tb, ta] = [typesOf(before), typesOf(after)];
  if (tb.join() !== ta.join()) {
    const widened = tb.every((t) => ta.includes(t) || (t === 'integer' && ta.includes('number')));
    const narrowed = ta.every((t) => tb.includes(t) || (t === 'integer' && tb.includes('number')));
    out.push({ breaking: side === 'request' ? !widened : !narrowed, pointer, change: `type ${tb.join('|') || 'any'} → ${ta.join('|') || 'any'}` });
  }
  const eb = before.enum as unknown[] | undefined;
  const ea = after.enum as unknown[] | undefined;
  if (eb || ea) {
    const removed = (eb ?? []).filter((v) => !(ea ?? []).includes(v));
    const added = (ea ?? []).filter((v) => !(eb ?? []).includes(v));
    if (ea && removed.length) out.push({ breaking: side === 'request', pointer, change: `values no longer allowed: ${removed.map((v) => JSON.stringify(v)).join(', ')}` });
    if ((eb && added.length) || (!ea && eb)) out.push({ breaking: side === 'response', pointer, change: `values now allowed: ${ea ? added.map((v) => JSON.stringify(v)).join(', ') : 'any'}` });
  }
  for (const k of ['maxLength', 'maximum', 'maxItems']) limit(out, side, pointer, k, before[k], after[k], true);
  for (const k of ['minLength', 'minimum', 'minItems']) limit(out, side, pointer, k, before[k], after[k], false);
  for (const k of ['pattern', 'format', 'const']) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out.push({ breaking: true, pointer, change: `${k} ${JSON.stringify(before[k] ?? null)} → ${JSON.stringify(after[k] ?? null)}` });
  }

  const pb = asSchema(before.properties);
  const pa = asSchema(after.properties);
  const rb = new Set((before.required as string[] | undefined) ?? []);
  const ra = new Set((after.required as string[] | undefined) ?? []);
  const closedBefore = before.additionalProperties === false;
  for (const key of Object.keys(pb)) {
    const at = `${pointer}/properties/${escape(key)}`;
    if (!(key in pa)) {
      out.push(side === 'request'
        ? { breaking: after.additionalProperties === false, pointer: at, change: `field ${key} removed${after.additionalProperties === false ? ': requests that send it are refused now' : ''}` }
        : { breaking: rb.has(key), pointer: at, change: `field ${key} removed${rb.has(key) ? ': clients read it, it was required' : ''}` });
      continue;
    }
    diffSchema(asSchema(pb[key]), asSchema(pa[key]), at, side, out);
  }
  for (const key of Object.keys(pa)) {
    if (key in pb) continue;
    const at = `${pointer}/properties/${escape(key)}`;
    if (side === 'request') out.push({ breaking: ra.has(key), pointer: at, change: `field ${key} added${ra.has(key) ? ', required: requests without it are refused now' : ', optional'}` });
    else out.push({ breaking: closedBefore, pointer: at, change: `field ${key} added${closedBefore ? ': the old schema allowed no other fields' : ''}` });
  }
  for (const key of ra) {
    // A new field that is required at once was said above, as added.
    if (!rb.has(key) && !(key in pa && !(key in pb))) out.push({ breaking: side === 'request', pointer: `${pointer}/required`, change: `field ${key} now required` });
  }
  for (const key of rb) {
    if (!ra.has(key) && key in pa) out.push({ breaking: side === 'response', pointer: `${pointer}/required`, change: `field ${key} no longer required` });
  }
  if (closedBefore && after.additionalProperties !== false) out.push({ breaking: side === 'response', pointer, change: 'other fields now allowed' });
  if (!closedBefore && after.additionalProperties === false && before.properties !== undefined) out.push({ breaking: side === 'request', pointer, change: 'other fields no longer allowed' });
  if (before.items || after.items) diffSchema(asSchema(before.items), asSchema(after.items), `${pointer}/items`, side, out);
}

/** The changes from contract `before` to `after` (each the parsed YAML of a contract file). */
export function diffContracts(before: Schema, after: Schema): ContractChange[] {
  const out: ContractChange[] = [];
  if (before.service !== after.service) out.push({ breaking: true, pointer: '/service', change: `service ${String(before.service)} → ${String(after.service)}` });
  diffSchema(asSchema(before.request), asSchema(after.request), '/request', 'request', out);
  if (before.response || after.response) diffSchema(asSchema(before.response), asSchema(after.response), '/response', 'response', out);
  const errorsOf = (c: Schema) => new Set(((c.errors as { type: string }[] | undefined) ?? []).map((e) => e.type));
  const [xb, xa] = [errorsOf(before), errorsOf(after)];
  for (const t of xa) if (!xb.has(t)) out.push({ breaking: true, pointer: '/errors', change: `business error ${t} added: clients meet an answer they do not know` });
  for (const t of xb) if (!xa.has(t)) out.push({ breaking: false, pointer: '/errors', change: `business error ${t} removed` });
  if (before.personalData === false && after.personalData === true) out.push({ breaking: true, pointer: '/personalData', change: 'now carries personal data: requests need userId' });
  if (before.personalData === true && after.personalData === false) out.push({ breaking: false, pointer: '/personalData', change: 'no longer carries personal data' });
  limit(out, 'response', '/timeoutMs', 'timeoutMs', before.timeoutMs, after.timeoutMs, true);
  return out;
}
