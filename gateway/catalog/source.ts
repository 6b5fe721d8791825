/**
 * Reading YAML or JSON data files so that any problem names the file, the line and column,
 * and the JSON pointer of the place that is wrong.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { ErrorObject } from 'ajv';
import { LgspError } from '../protocol/errors.ts';

/** A problem in a catalog or contract file; start-up stops with it. */
export class CatalogError extends LgspError {
  constructor(
    readonly file: string,
    readonly pointer: string,
    readonly problem: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super('CATALOG_INVALID', `${file}${line ? `:${line}:${column ?? 1}` : ''} ${pointer || '/'}: ${problem}`);
  }
}

/** A parsed data file that can say where a pointer sits in it. */
export interface SourceFile {
  readonly file: string;
  readonly data: unknown;
  fail(pointer: string, problem: string): CatalogError;
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function locate(doc: Document, counter: LineCounter, pointer: string): { line: number; col: number } | undefined {
  const path = pointer.split('/').slice(1).map(unescape).map((t) => (/^\d+$/.test(t) ? Number(t) : t));
  // Walk up until a node exists: a missing property is reported at its parent.
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]);
  }
  return undefined;
}

/** Reads and parses a YAML (or JSON) file; a syntax error becomes a CatalogError. */
export function readSource(file: string, displayName = file): SourceFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CatalogError(displayName, '', `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const pos = counter.linePos(first.pos[0]);
    throw new CatalogError(displayName, '', first.message.split('\n')[0] ?? 'syntax error', pos.line, pos.col);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  return {
    file: displayName,
    data,
    fail(pointer, problem) {
      const pos = locate(doc, counter, pointer);
      return new CatalogError(displayName, pointer, problem, pos?.line, pos?.col);
    },
  };
}

/** The first ajv error as a CatalogError at its place in `source`. */
export function schemaFailure(source: SourceFile, errors: readonly ErrorObject[] | null | undefined): CatalogError {
  const e = errors?.[0];
  if (!e) return source.fail('', 'invalid');
  const pointer = e.instancePath;
  let problem = e.message ?? e.keyword;
  if (e.keyword === 'additionalProperties') problem = `unknown property "${String(e.params.additionalProperty)}"`;
  if (e.keyword === 'required') problem = `missing property "${String(e.params.missingProperty)}"`;
  if (e.keyword === 'enum') problem += `: ${(e.params.allowedValues as unknown[]).join(', ')}`;
  return source.fail(pointer, problem);
}
