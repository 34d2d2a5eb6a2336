/**
 * The style nonce the shell put in index.html (`<meta name="veza-style-nonce">`, named in this
 * document's CSP; common/csp.ts explains why). wavesurfer.js puts it on the <style> it writes into
 * its shadow root. DOM only: read once, on first use.
 */
import { isStyleNonce, STYLE_NONCE_META } from '../../common/style-nonce.js';

/** The nonce in a document's meta, or null when there is none (Vite's dev server) or it is malformed. */
export function readStyleNonce(root: Pick<ParentNode, 'querySelector'>): string | null {
  const content = root.querySelector(`meta[name="${STYLE_NONCE_META}"]`)?.getAttribute('content');
  return isStyleNonce(content) ? content : null;
}

let cached: string | null | undefined;

/** This document's style nonce, or undefined when it has none (then no policy needs one). */
export function styleNonce(): string | undefined {
  if (cached === undefined) cached = readStyleNonce(document);
  return cached ?? undefined;
}
