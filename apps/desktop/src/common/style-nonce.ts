/**
 * The per-document style nonce (see common/csp.ts for why it exists). The shell that serves
 * index.html makes a fresh one per response, names it in the CSP's style-src and hands it to the
 * page in a <meta>; the renderer reads that meta and gives the nonce to wavesurfer.js.
 *
 * Pure: no DOM, no Node. Shared by main, the browser host and the renderer.
 */

/** `<meta name="veza-style-nonce" content="...">` in index.html's <head>. */
export const STYLE_NONCE_META = 'veza-style-nonce';

/** Strict base64 (the CSP nonce grammar's subset), at least 16 bytes' worth. */
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * True for a value that may enter a policy as `'nonce-<value>'` and an attribute as is: base64
 * only, so no quote, space, `;` or `"` can end the source or the attribute early.
 */
export function isStyleNonce(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 24 && BASE64_RE.test(value);
}

/** The <meta> that hands the nonce to the page; throws on anything but a valid nonce. */
export function styleNonceMeta(nonce: string): string {
  if (!isStyleNonce(nonce)) throw new Error('Invalid style nonce');
  return `<meta name="${STYLE_NONCE_META}" content="${nonce}">`;
}

/** Inserts markup right after the opening <head> tag; throws when there is none. */
export function injectIntoHead(html: string, tags: string): string {
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (!head) throw new Error('index.html has no <head>');
  const at = head.index + head[0].length;
  return `${html.slice(0, at)}${tags}${html.slice(at)}`;
}
