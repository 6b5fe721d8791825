/**
 * The layers import one way (STYLE.md: protocol → transport → pipeline → ledger / operator; the
 * adapters and mocks call inward): no module of the project reaches itself again through its
 * imports, type-only imports included. Read with TypeScript's own pre-processor.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FOLDERS = ['gateway', 'adapters', 'cli', 'checker', 'mocks', 'bridges', 'testing'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles.map((f) => f.fileName).filter((f) => f.startsWith('.')).map((f) => resolve(dirname(file), f));
}

it('has no import circle among its modules', () => {
  const files = [join(ROOT, 'index.ts'), ...FOLDERS.flatMap((f) => sources(join(ROOT, f)))];
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((i) => i.endsWith('.ts'))]));
  const circles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(ROOT, f)).join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
  expect(files.length).toBeGreaterThan(100);
  expect(circles).toEqual([]);
});
