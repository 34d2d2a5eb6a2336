/**
 * `veza://` deep links from the OS (browser, chat app, notification). Only two shapes are
 * accepted, each carrying one UUID; everything else is ignored. A link becomes a hash route of the
 * renderer (`veza://app/index.html#/room/<id>`), so following one never loads anything new.
 */
export type DeepLink = { kind: 'room'; id: string } | { kind: 'track'; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KINDS = new Set(['room', 'track']);

export function parseDeepLink(raw: unknown): DeepLink | null {
  if (typeof raw !== 'string' || raw.length > 200) return null;
  // Parsed by hand: the shape is tiny and URL parsing of custom schemes differs across runtimes.
  const match = /^veza:\/\/([a-z]+)\/([^/?#]+)\/?$/i.exec(raw.trim());
  if (!match) return null;
  const kind = match[1]!.toLowerCase();
  const id = match[2]!;
  if (!KINDS.has(kind) || !UUID.test(id)) return null;
  return { kind: kind as DeepLink['kind'], id: id.toLowerCase() };
}

/** The first acceptable deep link in a process's argv (Windows/Linux pass it as an argument). */
export function findDeepLinkInArgv(argv: readonly string[]): DeepLink | null {
  for (const argument of argv) {
    const link = parseDeepLink(argument);
    if (link) return link;
  }
  return null;
}

/** The renderer's hash route for a link. */
export function deepLinkRoute(link: DeepLink): string {
  return `/${link.kind}/${link.id}`;
}
