import { once } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { MEDIA_PREFIX } from '../features/media/serving.js';
import { CREDENTIAL_PATH_PREFIXES, redactCredentialPaths, redactRequestUrl } from './log-redaction.js';
import { createLogger } from './logger.js';

const TRACK = '0b9c8a4e-2f7d-4c1a-9e3b-5d6f7a8b9c0d';
const USER = '7e6d5c4b-3a29-4817-8f6e-5d4c3b2a1908';
const SIGNATURE = 'Zk3_q9Xa-LmP0wRt7YhB2cVn5sDf8GjK';
const HLS = `/media/hls/${TRACK}/3/${USER}/1796680800/${SIGNATURE}/128k/seg_00007.m4s`;
const HLS_REDACTED = `/media/hls/${TRACK}/3/${USER}/1796680800/[redacted]/128k/seg_00007.m4s`;
const DOWNLOAD = `/media/dl/${TRACK}/3/256k/${USER}/1796680800/${SIGNATURE}/Daft_Punk_-_One_More_Time.m4a`;

describe('redactRequestUrl', () => {
  it('blanks the signature of a media path and keeps what tells which file it was', () => {
    expect(redactRequestUrl(HLS)).toBe(HLS_REDACTED);
    expect(redactRequestUrl(`/${HLS}`)).toBe(`/${HLS_REDACTED}`);
    expect(redactRequestUrl(`http://veza.test:8080${HLS}`)).toBe(`http://veza.test:8080${HLS_REDACTED}`);
    // A download's file name comes from the title: not kept either.
    expect(redactRequestUrl(DOWNLOAD)).toBe(`/media/dl/${TRACK}/3/256k/${USER}/1796680800/[redacted]/[redacted]`);
  });

  it('blanks anything that could be a credential in a path of another shape, and the query', () => {
    expect(redactRequestUrl(`/media/x/${SIGNATURE}/${SIGNATURE}?token=${SIGNATURE}`)).toBe(
      '/media/x/[redacted]/[redacted]?[redacted]',
    );
    expect(redactRequestUrl(`/media?sig=${SIGNATURE}`)).toBe('/media?[redacted]');
    expect(redactRequestUrl(`/media/${SIGNATURE.toLowerCase().slice(0, 20)}`)).toBe('/media/[redacted]');
  });

  it('blanks media paths in every spelling another router could read as one', () => {
    const rest = `hls/${TRACK}/3/${USER}/1796680800/${SIGNATURE}/128k/seg_00007.m4s`;
    const spellings = [
      `/media%2F${rest}`,
      `/media%2f${rest.replaceAll('/', '%2F')}`,
      `/MEDIA/${rest}`,
      `/./media/${rest}`,
      `/api/../media/${rest}`,
      `/api/%2e%2e/media/${rest}`,
      `/media;x/${rest}`,
      `/media%00/${rest}`,
      `/%6Dedia/${rest}`,
      `/%6D%65%64%69%61/${rest}`,
      `/%256Dedia/${rest}`,
      `/med\u200Bia/${rest}`,
      `/me%E2%80%8Bdia/${rest}`,
      `/\uFF4Dedia/${rest}`,
      `\\media\\${rest}`,
      `/api//..//media/${rest}?x=${SIGNATURE}`,
      `http://veza.test/MeDiA/${rest}`,
    ];
    for (const url of spellings) {
      const redacted = redactRequestUrl(url);
      expect(redacted, url).not.toContain(SIGNATURE);
      expect(redacted, url).toMatch(/^(?:http:\/\/veza\.test)?\/media\//);
    }
    // What is kept still tells which track and file.
    expect(redactRequestUrl(`/MEDIA/${rest}`)).toBe(HLS_REDACTED);
    expect(redactRequestUrl(`/api/../media/${rest}?x=1`)).toBe(`${HLS_REDACTED}?[redacted]`);
  });

  it('leaves every other path alone', () => {
    for (const url of [
      '/api/v1/tracks?limit=5',
      '/mediafile/abc',
      '/MEDIAFILE/abc',
      '/api/v1/media/x',
      '/media/../api/v1/x'.replace('/media/', '/med/'),
      '/healthz',
      `/api/v1/tracks/${TRACK}/stream`,
      '/',
    ]) {
      expect(redactRequestUrl(url)).toBe(url);
    }
  });
});

describe('redactCredentialPaths', () => {
  it('blanks every media path in free text and nothing else', () => {
    expect(redactCredentialPaths(`Reply was already sent in the "${HLS}" (GET) route; see /api/v1/tracks`)).toBe(
      `Reply was already sent in the "${HLS_REDACTED}" (GET) route; see /api/v1/tracks`,
    );
    expect(redactCredentialPaths(`Route GET:${HLS} not found\n    at http://h${HLS}`)).toBe(
      `Route GET:${HLS_REDACTED} not found\n    at http://h${HLS_REDACTED}`,
    );
    expect(redactCredentialPaths('nothing to see')).toBe('nothing to see');
    expect(redactCredentialPaths(`Route PROPFIND:/MEDIA/x/${SIGNATURE} not found; see /api/v1/media/y`)).toBe(
      'Route PROPFIND:/media/x/[redacted] not found; see /api/v1/media/y',
    );
    expect(redactCredentialPaths(`url=/%6Dedia/x/${SIGNATURE} at http://h/api/../media/${SIGNATURE}`)).toBe(
      'url=/media/x/[redacted] at http://h/media/[redacted]',
    );
  });

  it('covers the prefix the media routes are served under', () => {
    expect(CREDENTIAL_PATH_PREFIXES).toContain(MEDIA_PREFIX);
  });
});

describe('the logger', () => {
  it('never writes a media signature: request serializer, errors, stacks and messages', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    logger.info({ req: { method: 'POST', url: HLS, headers: { host: 'veza.test' } } }, 'incoming request');
    const error = new Error(`Reply was already sent in the "${HLS}" (POST) route`);
    logger.error({ err: error }, 'request errored');
    logger.error(error);
    logger.info(`Route OPTIONS:${HLS} not found`);
    logger.warn('%s failed', HLS);

    expect(lines).toHaveLength(5);
    expect(lines.filter((line) => line.includes(SIGNATURE))).toEqual([]);
    const [request, errored, alone] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(request!.req).toEqual({ method: 'POST', url: HLS_REDACTED, host: 'veza.test' });
    expect((errored!.err as { message: string }).message).toContain(HLS_REDACTED);
    expect((errored!.err as { stack: string }).stack).toContain(HLS_REDACTED);
    expect(alone!.msg).toContain(HLS_REDACTED);
  });
});

/** A Fastify app on a real socket whose log lines (JSON) are kept. */
async function listeningApp(level: 'info' | 'trace') {
  const lines: string[] = [];
  const app = Fastify({
    loggerInstance: createLogger(level, { write: (line: string) => void lines.push(line) }) as FastifyBaseLogger,
  });
  app.get('/api/v1/ping', () => ({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, lines, port: (app.server.address() as AddressInfo).port };
}

/** Writes raw bytes on a new connection and waits for the server to end it. */
async function sendRaw(port: number, bytes: string): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.resume();
  socket.end(bytes);
  await once(socket, 'close');
}

describe('request logging over a real socket', () => {
  it('never writes a signature from a media path in any spelling, with any method', async () => {
    const { app, lines, port } = await listeningApp('info');
    try {
      const paths = [
        `/media%2Fhls/${TRACK}/3/${USER}/1796680800/${SIGNATURE}/128k/seg_00007.m4s`,
        `/MEDIA/hls/${TRACK}/3/${USER}/1796680800/${SIGNATURE}/128k/seg_00007.m4s`,
        `/%6Dedia/hls/${TRACK}/3/${USER}/1796680800/${SIGNATURE}/128k/seg_00007.m4s`,
      ];
      for (const method of ['PROPFIND', 'TRACE', 'MKCOL', 'SEARCH', 'QUERY']) {
        for (const path of paths) {
          await sendRaw(port, `${method} ${path} HTTP/1.1\r\nHost: veza.test\r\nConnection: close\r\n\r\n`);
        }
      }
      expect(lines.some((line) => line.includes('incoming request'))).toBe(true);
      expect(lines.filter((line) => line.includes(SIGNATURE))).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('at trace, logs a malformed request without its raw bytes', async () => {
    const { app, lines, port } = await listeningApp('trace');
    try {
      await sendRaw(
        port,
        `POST ${HLS} HTTP/1.1\r\nHost: veza.test\r\nAuthorization: Bearer ${SIGNATURE}\r\nContent-Length: abc\r\n\r\n{"password":"hunter2hunter2"}`,
      );
      const clientError = lines.find((line) => line.includes('client error'));
      expect(clientError).toBeDefined();
      expect(clientError).not.toContain('rawPacket');
      expect(lines.filter((line) => line.includes(SIGNATURE) || line.includes('hunter2'))).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
