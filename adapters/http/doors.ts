/**
 * The HTTP doors and where they answer: one table that `--api-path`, the journal's door names and
 * each facade's default path read. The REST door's `/r1/…` is fixed (docs/protocol.md §7); every
 * other place may be moved to where a system's client already calls it.
 */
import type { HttpDoor } from '../../gateway/ledger/journal.ts';

/** Each place `--api-path <name>=<path>` may move: the door it belongs to and its default path. */
export const DOOR_PLACES = {
  'dvcqg-auth': { door: 'dvcqg', path: '/dvcqg/auth' },
  'dvcqg-api': { door: 'dvcqg', path: '/dvcqg/api' },
  token: { door: 'lgsp', path: '/token' },
  lgsp: { door: 'lgsp', path: '/lgsp' },
  soap: { door: 'soap', path: '/dancu/soap' },
} as const satisfies Record<string, { door: HttpDoor; path: string }>;

export type DoorPlace = keyof typeof DOOR_PLACES;
export type DoorPaths = Readonly<Record<DoorPlace, string>>;

/** The REST door's fixed prefix. */
export const REST_PREFIX = '/r1/';

export const DEFAULT_DOOR_PATHS: DoorPaths = Object.freeze(Object.fromEntries(
  Object.entries(DOOR_PLACES).map(([name, place]) => [name, place.path]),
) as Record<DoorPlace, string>);

/** Which door a request's path belongs to, the places being at `paths`; undefined for none (the metaservices, the OpenAPI document). */
export function doorOf(path: string, paths: DoorPaths = DEFAULT_DOOR_PATHS): HttpDoor | undefined {
  if (path.startsWith(REST_PREFIX)) return 'http';
  for (const [name, place] of Object.entries(DOOR_PLACES) as [DoorPlace, (typeof DOOR_PLACES)[DoorPlace]][]) {
    const at = paths[name];
    if (path === at || path.startsWith(`${at}/`) || path.startsWith(`${at}?`)) return place.door;
  }
  return undefined;
}
