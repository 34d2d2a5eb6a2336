import { describe, expect, it } from 'vitest';
import { buildRendererCsp } from '../common/csp.js';
import { isStyleNonce } from '../common/style-nonce.js';
import { buildHostCsp } from '../host/server/security.js';
import { buildCsp, createStyleNonce } from './csp.js';

const NONCE = 'q83vEjRWeJq83vEjRWeJqw==';

describe('the two shells share one policy', () => {
  it('Electron: the server, veza-media: for offline files, no bridge socket', () => {
    expect(buildCsp({ serverOrigin: 'https://veza.example.org', styleNonce: NONCE })).toBe(
      buildRendererCsp({
        serverOrigins: ['https://veza.example.org'],
        localMediaScheme: 'veza-media:',
        bridgeSocket: null,
        styleNonce: NONCE,
      }),
    );
    expect(buildCsp({ serverOrigin: null })).toBe(
      buildRendererCsp({ serverOrigins: [], localMediaScheme: 'veza-media:', bridgeSocket: null }),
    );
  });

  it('browser host: server URLs reduced to origins, its own socket, no local-media scheme', () => {
    expect(buildHostCsp('http://127.0.0.1:4000', ['https://veza.example.org/api', 'javascript:x'], NONCE)).toBe(
      buildRendererCsp({
        serverOrigins: ['https://veza.example.org'],
        localMediaScheme: null,
        bridgeSocket: 'ws://127.0.0.1:4000',
        styleNonce: NONCE,
      }),
    );
  });

  it('differ only in the sources of their local files and their bridge', () => {
    const directives = (csp: string) => csp.split('; ').map((directive) => directive.split(' ')[0]);
    const electron = buildCsp({ serverOrigin: 'https://veza.example.org', styleNonce: NONCE });
    const host = buildHostCsp('http://127.0.0.1:4000', ['https://veza.example.org'], NONCE);
    expect(directives(electron)).toEqual(directives(host));
    const strip = (csp: string) => csp.replaceAll(' veza-media:', '').replace(' ws://127.0.0.1:4000', '');
    expect(strip(electron)).toBe(strip(host));
  });
});

describe('createStyleNonce', () => {
  it('makes a fresh 16-byte base64 nonce each time', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => createStyleNonce()));
    expect(nonces.size).toBe(50);
    for (const nonce of nonces) {
      expect(isStyleNonce(nonce)).toBe(true);
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
    }
  });
});
