import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../infra/logger.js';
import { createTestApp, type TestApp } from '../test-support/app.js';

interface LogLine {
  level: number;
  msg: string;
  req?: { url?: string };
  res?: { statusCode?: number };
}

/** An app whose log lines (JSON, at `level`) the test reads. */
async function appLoggingAt(level: 'info' | 'debug'): Promise<{ t: TestApp; lines: LogLine[] }> {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text) lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return { t: await createTestApp({ logger: createLogger(level, sink) }), lines };
}

/** The request lines of the request to `url`: its incoming line carries the url, its completion the same reqId. */
function requestLines(lines: LogLine[], url: string): LogLine[] {
  const ids = new Set(
    lines.filter((l) => l.msg === 'incoming request' && l.req?.url === url).map((l) => (l as { reqId?: string }).reqId),
  );
  return lines.filter((l) => ids.has((l as { reqId?: string }).reqId));
}

describe('request log lines', () => {
  let info: { t: TestApp; lines: LogLine[] };
  let debug: { t: TestApp; lines: LogLine[] };
  beforeAll(async () => {
    [info, debug] = await Promise.all([appLoggingAt('info'), appLoggingAt('debug')]);
  });
  afterAll(async () => {
    await Promise.all([info?.t.close(), debug?.t.close()]);
  });

  it('leaves successful probes and scrapes out at info, and logs other requests', async () => {
    for (const url of ['/readyz', '/healthz', '/metrics', '/']) {
      expect((await info.t.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
    await info.t.app.inject({ method: 'GET', url: '/api/v1/missing' });
    const urls = info.lines.filter((l) => l.msg === 'incoming request').map((l) => l.req?.url);
    expect(urls).toEqual(['/', '/api/v1/missing']);
    expect(info.lines.filter((l) => l.msg === 'request completed')).toHaveLength(2);
  });

  it('logs a failing probe at info, where someone will see it', async () => {
    // The app's database goes away (the test database is dropped later; closing twice is harmless).
    await info.t.database.db.close();
    expect((await info.t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    const completed = info.lines.filter((l) => l.msg === 'request completed' && l.res?.statusCode === 503);
    expect(completed.map((l) => l.level)).toEqual([30]);
  });

  it('logs them at debug, both lines', async () => {
    for (const url of ['/readyz', '/healthz']) {
      await debug.t.app.inject({ method: 'GET', url });
      const lines = requestLines(debug.lines, url);
      expect(
        lines.map((l) => [l.msg, l.level]),
        url,
      ).toEqual([
        ['incoming request', 20],
        ['request completed', 20],
      ]);
      expect(lines[1]!.res?.statusCode).toBe(200);
    }
    // Everything else stays at info.
    await debug.t.app.inject({ method: 'GET', url: '/' });
    expect(requestLines(debug.lines, '/').map((l) => l.level)).toEqual([30, 30]);
  });
});
