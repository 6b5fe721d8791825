/**
 * JSON read strictly (docs/protocol.md §2): a key that appears twice in one object is refused.
 * JSON.parse keeps the last copy silently, while other parsers keep the first — so a message with
 * `client` or `body` twice could mean one thing to the gateway and another to its recipient.
 * The kept parser @humanwhocodes/momoa sees every member, duplicates included.
 */
import { evaluate, parse, type AnyNode } from '@humanwhocodes/momoa';
import { LgspError } from './errors.ts';

/** A well-formed JSON text that repeats a key; `pointer` names the object and key. */
export class DuplicateKeyError extends LgspError {
  constructor(readonly pointer: string) {
    super('DUPLICATE_KEY', `the key ${pointer} appears twice`);
  }
}

const escape = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

function checkUnique(node: AnyNode, pointer: string): void {
  if (node.type === 'Object') {
    const names = new Set<string>();
    for (const member of node.members) {
      const name = member.name.type === 'String' ? member.name.value : member.name.name;
      if (names.has(name)) throw new DuplicateKeyError(`${pointer}/${escape(name)}`);
      names.add(name);
      checkUnique(member.value, `${pointer}/${escape(name)}`);
    }
  } else if (node.type === 'Array') {
    node.elements.forEach((element, i) => checkUnique(element.value, `${pointer}/${i}`));
  }
}

function parseIfCanonical(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return JSON.stringify(value) === text ? value : undefined;
  } catch {
    return undefined; // momoa says what is wrong
  }
}

/**
 * Parses `text` as JSON; throws SyntaxError-like errors for bad JSON (or nesting too deep to
 * read) and DuplicateKeyError for a repeated key.
 * @example parseStrictJson('{"a":1,"a":2}') // throws DuplicateKeyError('/a')
 */
export function parseStrictJson(text: string): unknown {
  // Fast path: JSON.stringify never writes a key twice, so a text it writes back byte for byte
  // repeats no key. Messages signed by JSON.stringify (as every SDK here signs) take this path;
  // any other text — other spacing, escapes or key order — is read by momoa, member by member.
  const quick = parseIfCanonical(text);
  if (quick !== undefined) return quick;
  const document = parse(text, { mode: 'json' });
  checkUnique(document.body, '');
  return evaluate(document.body);
}
