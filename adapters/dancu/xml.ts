/**
 * XML read the hardened way, for the SOAP door: saxes (a strict, streaming, non-validating
 * parser) into a small tree of elements, refusing any document type declaration (so no DTD, no
 * entity of its own, nothing external: a billion-laughs document or an external entity stops at
 * `<!DOCTYPE`), and bounding depth and element count. The body's size is bounded before it
 * gets here.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';

export interface XmlElement {
  /** The local name. */
  readonly name: string;
  /** The namespace URI ('' for none). */
  readonly uri: string;
  readonly children: XmlElement[];
  text: string;
}

export interface XmlLimits {
  readonly maxDepth: number;
  readonly maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({ maxDepth: 32, maxElements: 5000 });

/** XML the door does not read, with why, in words. */
export class XmlRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlRefused';
  }
}

export function parseXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  parser.on('doctype', () => {
    throw new XmlRefused('A document type declaration (<!DOCTYPE …>) is not accepted: no DTDs and no entities of its own.');
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    count += 1;
    if (count > limits.maxElements) throw new XmlRefused(`More than ${limits.maxElements} elements.`);
    if (stack.length >= limits.maxDepth) throw new XmlRefused(`Elements nested deeper than ${limits.maxDepth}.`);
    const element: XmlElement = { name: tag.local, uri: tag.uri, children: [], text: '' };
    if (stack.length === 0) {
      if (root) throw new XmlRefused('More than one root element.');
      root = element;
    } else {
      stack.at(-1)!.children.push(element);
    }
    stack.push(element);
  });
  parser.on('text', (t: string) => {
    const current = stack.at(-1);
    if (current) current.text += t;
  });
  parser.on('cdata', (t: string) => {
    const current = stack.at(-1);
    if (current) current.text += t;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof XmlRefused) throw err;
    throw new XmlRefused(`Not well-formed XML: ${(err as Error).message}`);
  }
  if (!root) throw new XmlRefused('No root element.');
  return root;
}

/** The child elements of `element` with `name` (any namespace). */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}
