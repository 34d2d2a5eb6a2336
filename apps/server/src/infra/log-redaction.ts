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

/**
 * A request target as logged: origin-form (`/media/…`, also `//media/…`) or absolute-form
 * (`http://host/media/…`), redacted when its path is a credential path, unchanged otherwise.
 */
export function redactRequestUrl(url: string): string {
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0] ?? '';
  const afterOrigin = url.slice(origin.length);
  const slashes = /^\/*/.exec(afterOrigin)![0];
  const path = `/${afterOrigin.slice(slashes.length)}`;
  const prefix = credentialPrefix(path);
  if (prefix === undefined) return url;
  return origin + slashes + prefix.slice(1) + redactUnderPrefix(path.slice(prefix.length));
}

const IN_TEXT = new RegExp(
  `(${CREDENTIAL_PATH_PREFIXES.map((prefix) => prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})` +
    '(?=[/?#]|$)([^\\s"\'`<>()]*)',
  'gm',
);

/** Free text (an error message, a stack, a log message) with every credential path in it redacted. */
export function redactCredentialPaths(text: string): string {
  if (!CREDENTIAL_PATH_PREFIXES.some((prefix) => text.includes(prefix))) return text;
  return text.replace(IN_TEXT, (_match, prefix: string, rest: string) => prefix + redactUnderPrefix(rest));
}
