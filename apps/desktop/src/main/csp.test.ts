import { describe, expect, it } from 'vitest';
import { isStyleNonce, styleNonceMeta } from '../common/style-nonce.js';
import { buildCsp, createStyleNonce, serverOriginOf } from './csp.js';

const NONCE = 'q83vEjRWeJq83vEjRWeJqw==';

describe('buildCsp', () => {
  it('builds the strict policy around the server origin and the style nonce', () => {
    expect(buildCsp({ serverOrigin: 'https://veza.example.org', styleNonce: NONCE })).toBe(
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'nonce-q83vEjRWeJq83vEjRWeJqw=='",
        "img-src 'self' data: blob: veza-media: https://veza.example.org",
        "media-src 'self' blob: veza-media: https://veza.example.org",
        "connect-src 'self' https://veza.example.org wss://veza.example.org veza-media:",
        "font-src 'self'",
        "worker-src 'self' blob:",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "frame-src 'none'",
        "object-src 'none'",
      ].join('; '),
    );
  });

  it("never allows 'unsafe-inline': without a nonce (files other than index.html) styles are 'self' only", () => {
    for (const styleNonce of [undefined, null]) {
      const csp = buildCsp({ serverOrigin: 'https://veza.example.org', styleNonce });
      expect(csp).toContain("; style-src 'self'; img-src");
      expect(csp).not.toContain('unsafe');
      expect(csp).not.toContain('nonce');
    }
    expect(buildCsp({ serverOrigin: null, styleNonce: NONCE })).not.toContain('unsafe');
  });

  it('accepts only a base64 nonce, so it cannot inject sources or directives', () => {
    for (const bogus of [
      "q83vEjRWeJq83vEjRWeJqw=='; script-src 'unsafe-inline",
      'q83vEjRWeJq83vEjRWeJqw== *',
      'q83vEjRWeJq83vEjRWeJqw==;',
      'q83vEjRWeJq83vEjRWeJqw=="',
      'q83vEjRWeJq83vEjRWeJq-_A',
      'q83vEjRWeJq83vEjRWe=Jqw=',
      'q83vEjRWeJ==',
      '',
    ]) {
      expect(() => buildCsp({ serverOrigin: null, styleNonce: bogus })).toThrow('Invalid style nonce');
      expect(isStyleNonce(bogus)).toBe(false);
      expect(() => styleNonceMeta(bogus)).toThrow('Invalid style nonce');
    }
    expect(styleNonceMeta(NONCE)).toBe(`<meta name="veza-style-nonce" content="${NONCE}">`);
  });

  it('makes a fresh 16-byte base64 nonce each time', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => createStyleNonce()));
    expect(nonces.size).toBe(50);
    for (const nonce of nonces) {
      expect(isStyleNonce(nonce)).toBe(true);
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
    }
  });

  it('pairs http with ws for a plain-http server (local development)', () => {
    expect(buildCsp({ serverOrigin: 'http://127.0.0.1:8080' })).toContain(
      "connect-src 'self' http://127.0.0.1:8080 ws://127.0.0.1:8080 veza-media:",
    );
  });

  it('names no server when there is none, and never lets a non-origin in', () => {
    const none = buildCsp({ serverOrigin: null });
    expect(none).toContain("connect-src 'self' veza-media:");
    expect(none).not.toContain('http');
    for (const bogus of ["https://x.org; script-src 'unsafe-inline'", 'https://x.org/path', 'javascript:alert(1)']) {
      const csp = buildCsp({ serverOrigin: bogus });
      expect(csp).toBe(none);
    }
    expect(none.match(/script-src/g)).toHaveLength(1);
  });

  it('derives the origin from a server URL', () => {
    expect(serverOriginOf('https://veza.example.org/api/')).toBe('https://veza.example.org');
    expect(serverOriginOf('http://localhost:3000')).toBe('http://localhost:3000');
    expect(serverOriginOf('ftp://x.org')).toBeNull();
    expect(serverOriginOf('')).toBeNull();
    expect(serverOriginOf('not a url')).toBeNull();
  });
});
