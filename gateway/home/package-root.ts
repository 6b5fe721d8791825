/**
 * Where this package's own files are — its contracts, plans, bridges, the dashboard's pages —
 * whether it runs from its sources (a checkout) or from its build (`dist/`, as installed).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function packageRootFrom(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'lgsp-simulator') return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json of lgsp-simulator above ${start}`);
  }
}

/** The package's folder: the one with its package.json. */
export const PACKAGE_ROOT = packageRootFrom(import.meta.dirname);

/** A file or folder the package ships, by its path in the package. */
export const packageFile = (...path: string[]): string => join(PACKAGE_ROOT, ...path);

/** The package's version. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
}
