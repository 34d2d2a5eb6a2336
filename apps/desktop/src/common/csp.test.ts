import { describe, expect, it } from 'vitest';
import { buildRendererCsp, httpOriginOf, type RendererCspInput } from './csp.js';
import { isStyleNonce, styleNonceMeta } from './style-nonce.js';

const NONCE = 'q83vEjRWeJq83vEjRWeJqw==';
/** What the Electron shell passes (main/csp.ts): offline media on its own scheme, IPC for the bridge. */
const ELECTRON: Omit<RendererCspInput, 'serverOrigins'> = { localMediaScheme: 'veza-media:', bridgeSocket: null };
/** What the browser host passes (host/server/security.ts): everything from itself, the bridge on its socket. */
const HOST: Omit<RendererCspInput, 'serverOrigins'> = { localMediaScheme: null, bridgeSocket: 'ws://127.0.0.1:4000' };

const FIXED_TAIL = [
  "font-src 'self'",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "object-src 'none'",
];

describe('buildRendererCsp', () => {
  it("builds the Electron shell's strict policy around the server origin and the style nonce", () => {
    expect(buildRendererCsp({ ...ELECTRON, serverOrigins: ['https://veza.example.org'], styleNonce: NONCE })).toBe(
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'nonce-q83vEjRWeJq83vEjRWeJqw=='",
        "img-src 'self' data: blob: veza-media: https://veza.example.org",
        "media-src 'self' blob: veza-media: https://veza.example.org",
        "connect-src 'self' https://veza.example.org wss://veza.example.org veza-media:",
        ...FIXED_TAIL,
      ].join('; '),
    );
  });

  it("builds the browser host's policy: its own socket, no local-media scheme, every server once", () => {
    const servers = ['https://veza.example.org', 'http://127.0.0.1:8080', 'https://veza.example.org'];
    expect(buildRendererCsp({ ...HOST, serverOrigins: servers, styleNonce: NONCE })).toBe(
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'nonce-q83vEjRWeJq83vEjRWeJqw=='",
        "img-src 'self' data: blob: https://veza.example.org http://127.0.0.1:8080",
        "media-src 'self' blob: https://veza.example.org http://127.0.0.1:8080",
        "connect-src 'self' ws://127.0.0.1:4000 https://veza.example.org http://127.0.0.1:8080 wss://veza.example.org ws://127.0.0.1:8080",
        ...FIXED_TAIL,
      ].join('; '),
    );
  });

  it("never allows 'unsafe-inline': without a nonce (files other than index.html) styles are 'self' only", () => {
    for (const shell of [ELECTRON, HOST]) {
      for (const styleNonce of [undefined, null]) {
        const csp = buildRendererCsp({ ...shell, serverOrigins: ['https://veza.example.org'], styleNonce });
        expect(csp).toContain("; style-src 'self'; img-src");
        expect(csp).not.toContain('unsafe');
        expect(csp).not.toContain('nonce');
      }
      expect(buildRendererCsp({ ...shell, serverOrigins: [], styleNonce: NONCE })).not.toContain('unsafe');
    }
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
      for (const shell of [ELECTRON, HOST]) {
        expect(() => buildRendererCsp({ ...shell, serverOrigins: [], styleNonce: bogus })).toThrow(
          'Invalid style nonce',
        );
      }
      expect(isStyleNonce(bogus)).toBe(false);
      expect(() => styleNonceMeta(bogus)).toThrow('Invalid style nonce');
    }
    expect(styleNonceMeta(NONCE)).toBe(`<meta name="veza-style-nonce" content="${NONCE}">`);
  });

  it('pairs http with ws for a plain-http server (local development)', () => {
    expect(buildRendererCsp({ ...ELECTRON, serverOrigins: ['http://127.0.0.1:8080'] })).toContain(
      "connect-src 'self' http://127.0.0.1:8080 ws://127.0.0.1:8080 veza-media:",
    );
  });

  it('names no server when there is none, and never lets a non-origin in', () => {
    for (const shell of [ELECTRON, HOST]) {
      const none = buildRendererCsp({ ...shell, serverOrigins: [] });
      expect(none).not.toContain('http');
      for (const bogus of ["https://x.org; script-src 'unsafe-inline", 'https://x.org/path', 'javascript:alert(1)']) {
        expect(buildRendererCsp({ ...shell, serverOrigins: [bogus] })).toBe(none);
      }
      expect(none.match(/script-src/g)).toHaveLength(1);
    }
    expect(buildRendererCsp({ ...ELECTRON, serverOrigins: [] })).toContain("connect-src 'self' veza-media:");
    expect(buildRendererCsp({ ...HOST, serverOrigins: [] })).toContain("connect-src 'self' ws://127.0.0.1:4000;");
  });

  it('derives the origin from a server URL', () => {
    expect(httpOriginOf('https://veza.example.org/api/')).toBe('https://veza.example.org');
    expect(httpOriginOf('http://localhost:3000')).toBe('http://localhost:3000');
    expect(httpOriginOf('ftp://x.org')).toBeNull();
    expect(httpOriginOf('')).toBeNull();
    expect(httpOriginOf(null)).toBeNull();
    expect(httpOriginOf('not a url')).toBeNull();
  });
});
