/**
 * URL paths that are credentials: a signed media link plays its track for whoever holds it, so
 * a log line (which an operator ships to a log store, pastes in an issue…) must never carry one.
 * serving.ts's MEDIA_PREFIX is listed here (a test holds them together).
 */
export const CREDENTIAL_PATH_PREFIXES = ['/media'] as const;

export const REDACTED = '[redacted]';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SMALL_NUMBER = /^\d{1,10}$/;
/** `hls`, `dl`, `128k`, `master.m3u8`, `seg_00001.m4s`: short, lower case, never a signature. */
const PLAIN_NAME = /^[a-z0-9_]{1,16}(?:\.[a-z0-9]{1,5})?$/;

/**
 * Under a credential prefix, only what cannot be a signature or token is kept (ids, numbers,
 * the ladder's fixed names); every other segment and any query becomes `[redacted]`. What is
 * kept still tells an operator which track and which file a request was about.
 */
function redactUnderPrefix(rest: string): string {
  const queryAt = rest.search(/[?#]/);
  const path = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const segments = path
    .split('/')
    .map((segment) =>
      segment === '' || UUID.test(segment) || SMALL_NUMBER.test(segment) || PLAIN_NAME.test(segment)
        ? segment
        : REDACTED,
    );
  return segments.join('/') + (queryAt === -1 || queryAt === rest.length - 1 ? '' : `?${REDACTED}`);
}

/** The prefix a path starts with when it is one of the credential paths (`/media`, `/media/…`, `/media?…`). */
function credentialPrefix(path: string): string | undefined {
  return CREDENTIAL_PATH_PREFIXES.find(
    (prefix) => path.startsWith(prefix) && (path.length === prefix.length || '/?#'.includes(path[prefix.length]!)),
  );
}

/** `%xx` escapes decoded, tolerant of malformed ones (this only decides and redacts, never serves). */
function percentDecode(text: string): string {
  let decoded = text;
  // Repeated, bounded: a double-encoded `%256D` still reads as a media path to the redaction.
  for (let round = 0; round < 4 && decoded.includes('%'); round += 1) {
    // A run of escapes is read as UTF-8 (`%E2%80%8B` is one zero-width space); invalid bytes as U+FFFD.
    const next = decoded.replace(/(?:%[0-9a-f]{2})+/gi, (run) =>
      Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'),
    );
    if (next === decoded) break;
    decoded = next;
  }
  return decoded;
}

/** Percent-decoded, NFKC, without NUL and invisible (format) characters: what a reader or a router sees. */
function readable(text: string): string {
  return percentDecode(text)
    .normalize('NFKC')
    .replace(/[\0\p{Cf}]/gu, '');
}

/**
 * The path as any server, proxy or router in front could read it: percent-decoded, NUL and
 * `;params` stripped, `\` read as `/`, repeated slashes collapsed, dot-segments resolved. Case is
 * kept (segments are matched against what may be kept); `namedCredentialPrefix` folds it.
 */
function normalisedSegments(path: string): string[] {
  const decoded = readable(path).replaceAll('\\', '/');
  const segments: string[] = [];
  for (const raw of decoded.split('/')) {
    const segment = raw.split(';')[0]!;
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return segments;
}

/** The credential prefix the normalised, case-folded path names, if any. */
function namedCredentialPrefix(segments: readonly string[]): string | undefined {
  const first = segments[0]?.toLowerCase();
  return CREDENTIAL_PATH_PREFIXES.find((prefix) => first === prefix.slice(1));
}

/**
 * A request target as logged: origin-form (`/media/…`, also `//media/…`) or absolute-form
 * (`http://host/media/…`), redacted when its path is, or normalises to, a credential path
 * (`/MEDIA/…`, `/media%2Fhls/…`, `/api/../media/…`, `/media;x/…`: requests another router
 * could serve as media, or that look like media links); unchanged otherwise.
 */
export function redactRequestUrl(url: string): string {
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0] ?? '';
  const afterOrigin = url.slice(origin.length);
  const slashes = /^\/*/.exec(afterOrigin)![0];
  const path = `/${afterOrigin.slice(slashes.length)}`;
  const prefix = credentialPrefix(path);
  if (prefix !== undefined) return origin + slashes + prefix.slice(1) + redactUnderPrefix(path.slice(prefix.length));
  const queryAt = path.search(/[?#]/);
  const segments = normalisedSegments(queryAt === -1 ? path : path.slice(0, queryAt));
  const named = namedCredentialPrefix(segments);
  if (named === undefined) return url;
  // Logged in its normalised form: the raw form could hide a signature in any of its spellings.
  const rest = segments
    .slice(1)
    .map((segment) => `/${segment}`)
    .join('');
  const query = queryAt === -1 || queryAt === path.length - 1 ? '' : `?${REDACTED}`;
  return origin + named + redactUnderPrefix(rest) + query;
}

/** Where a path may start in free text: not inside a word or a path segment (`GET:/media`, `"/media`, `url=/media`). */
const PATH_START = /(?<![A-Za-z0-9._~%-])(?:[a-z][a-z0-9+.-]*:\/\/|\/|\\|%(?:25)*(?:2f|5c))/gi;
/** A run of text that can be one URL (what a log message quotes a path with ends it). */
const URL_LIKE = /[^\s"'`<>()]+/g;

/** A token with its first credential path (in any spelling `redactRequestUrl` knows) redacted to its end. */
function redactToken(token: string): string {
  for (const start of token.matchAll(PATH_START)) {
    const candidate = token.slice(start.index);
    const redacted = redactRequestUrl(candidate);
    if (redacted !== candidate) return token.slice(0, start.index) + redacted;
  }
  return token;
}

/** Free text (an error message, a stack, a log message) with every credential path in it redacted. */
export function redactCredentialPaths(text: string): string {
  const folded = readable(text).toLowerCase();
  if (!CREDENTIAL_PATH_PREFIXES.some((prefix) => folded.includes(prefix.slice(1)))) return text;
  return text.replace(URL_LIKE, redactToken);
}
