#!/usr/bin/env node
// The `lgsp` command line. From the build (dist/, made by `npm run build`, by `npm ci` in a
// checkout, and shipped in the package) when it is there and no source is newer; else from the
// TypeScript sources under tsx, so that a checkout being edited always runs what it says.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const built = join(root, 'dist', 'cli', 'main.js');
const stamp = join(root, 'dist', '.tsbuildinfo');
const SOURCES = ['cli', 'gateway', 'adapters', 'mocks', 'checker', 'testing'];

/** True when a TypeScript source under `dir` changed after `since` (ms). */
function newerSource(dir, since) {
  if (!existsSync(dir)) return false;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() ? newerSource(path, since) : entry.name.endsWith('.ts') && statSync(path).mtimeMs > since) return true;
  }
  return false;
}

// An installed package ships no sources: its build is what there is.
const sources = existsSync(join(root, 'cli', 'main.ts'));
const fresh = existsSync(built)
  && (!sources || (existsSync(stamp) && !SOURCES.some((dir) => newerSource(join(root, dir), statSync(stamp).mtimeMs))));
if (fresh) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'cli', 'main.ts')).href);
}
