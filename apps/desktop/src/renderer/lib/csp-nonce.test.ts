import { describe, expect, it } from 'vitest';
import { readStyleNonce } from './csp-nonce.js';

/** A stand-in for the document: the one meta, or none. */
function page(content: string | null): Pick<ParentNode, 'querySelector'> {
  return {
    querySelector: ((selector: string) => {
      expect(selector).toBe('meta[name="veza-style-nonce"]');
      return content === null ? null : { getAttribute: (name: string) => (name === 'content' ? content : null) };
    }) as ParentNode['querySelector'],
  };
}

describe('readStyleNonce', () => {
  it('reads the nonce the shell put in index.html', () => {
    expect(readStyleNonce(page('q83vEjRWeJq83vEjRWeJqw=='))).toBe('q83vEjRWeJq83vEjRWeJqw==');
  });

  it('has none without the meta (dev server) or with a malformed one', () => {
    expect(readStyleNonce(page(null))).toBeNull();
    for (const bad of ['', 'short==', 'q83vEjRWeJq83vEjRWeJqw==" x', "q83vEjRWeJq83vEjRWeJqw=='; style-src *"])
      expect(readStyleNonce(page(bad))).toBeNull();
  });
});
