import { describe, expect, it } from 'vitest';
import { buildCsp, serverOriginOf } from './csp.js';

describe('buildCsp', () => {
  it('builds the strict policy around the server origin', () => {
    expect(buildCsp({ serverOrigin: 'https://veza.example.org' })).toBe(
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
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
