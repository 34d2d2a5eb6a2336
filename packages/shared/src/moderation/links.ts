/*
 * Finds links in a message: with a scheme ("https://…", "hxxp://…"), "www.…", and bare domains
 * ("evil.example.com/x") when they end in a top-level domain people actually advertise with, so
 * "e.g." or "file.txt" are not links. "example[.]com" and "example(dot)com" count as dots.
 */

export interface FoundLink {
  /** Lower case, without "www.", for allow-list checks. */
  host: string;
  start: number;
  end: number;
}

const COMMON_TLDS = new Set(
  (
    'com net org io co gg me tv xyz info biz app dev ru cn de uk fr es it nl pl br jp in us ca au ' +
    'eu ch se no fi dk be at cz ly to ws cc su ua tk ml ga cf gq top site online club shop store live ' +
    'stream link click fun vip pro icu buzz win bet casino chat social zone one page blog news'
  ).split(' '),
);

const DOT = String.raw`(?:\.|\[\.\]|\(\.\)|\[dot\]|\(dot\))`;
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?`;
const LINK = new RegExp(
  String.raw`(?<![\p{L}\p{N}@.-])(?:(?<scheme>(?:h[tx]{2}ps?|ftp)://)|(?<www>www${DOT}))?(?<host>${LABEL}(?:${DOT}${LABEL})+)(?::\d{1,5})?(?:[/?#][^\s<>"]*)?`,
  'giu',
);

export function findLinks(body: string): FoundLink[] {
  const links: FoundLink[] = [];
  for (const match of body.matchAll(LINK)) {
    const groups = match.groups!;
    const host = groups['host']!.toLowerCase().replace(new RegExp(DOT, 'g'), '.');
    const tld = host.slice(host.lastIndexOf('.') + 1);
    const explicit = groups['scheme'] !== undefined || groups['www'] !== undefined;
    if (!explicit && !COMMON_TLDS.has(tld)) continue;
    links.push({ host: host.replace(/^www\./, ''), start: match.index, end: match.index + match[0].length });
  }
  return links;
}

/** `example.com` allows itself (and www.); `*.example.com` allows it and its subdomains. */
export function hostAllowed(host: string, allowDomains: readonly string[]): boolean {
  for (const entry of allowDomains) {
    const domain = entry.toLowerCase();
    if (domain.startsWith('*.')) {
      const apex = domain.slice(2);
      if (host === apex || host.endsWith(`.${apex}`)) return true;
    } else if (host === domain) return true;
  }
  return false;
}
