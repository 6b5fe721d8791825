/**
 * Systems registered beside the shipped catalog, in the state directory (`systems.yaml`): an
 * integrator's own system, added by `lgsp system add` without editing `contracts/catalog.yaml`.
 * The catalog loader reads the file (LoadOptions.systemsFile) and checks each entry against it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { SystemsFile } from '../catalog/load.ts';

export const SYSTEMS_FILE = 'systems.yaml';

export type RegisteredSystem = SystemsFile['systems'][number];

export function systemsFileOf(home: string): string {
  return join(home, SYSTEMS_FILE);
}

export function registeredSystems(home: string): RegisteredSystem[] {
  const file = systemsFileOf(home);
  return existsSync(file) ? ((parse(readFileSync(file, 'utf8')) as SystemsFile | null)?.systems ?? []) : [];
}

function write(home: string, systems: RegisteredSystem[]): void {
  mkdirSync(home, { recursive: true });
  writeFileSync(systemsFileOf(home), `# Systems registered beside the catalog (lgsp system add / remove).\n${stringify({ systems })}`);
}

/** Adds or replaces `system` in the file. */
export function registerSystem(home: string, system: RegisteredSystem): void {
  write(home, [...registeredSystems(home).filter((s) => s.id !== system.id), system]);
}

/** Removes `id`; false when it was not registered here. */
export function unregisterSystem(home: string, id: string): boolean {
  const before = registeredSystems(home);
  const after = before.filter((s) => s.id !== id);
  if (after.length === before.length) return false;
  write(home, after);
  return true;
}
