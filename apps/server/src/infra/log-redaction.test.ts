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

  it('leaves every other path alone', () => {
    for (const url of ['/api/v1/tracks?limit=5', '/mediafile/abc', '/healthz', `/api/v1/tracks/${TRACK}/stream`, '/']) {
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
