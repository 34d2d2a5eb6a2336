import { describe, expect, it } from 'vitest';
import { formatLogLine } from './log-format.js';
import { createConsoleLogger, type ConsoleOutput } from './logger.js';

/** A console that keeps what is written; `isTTY` as a terminal or a pipe would say. */
class Console implements ConsoleOutput {
  text = '';
  constructor(readonly isTTY: boolean) {}
  write(text: string): boolean {
    this.text += text;
    return true;
  }
  get lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }
}

const ESC = '\x1b[';

describe('the console logger', () => {
  it('writes lines for people on a terminal, in colour unless NO_COLOR is set', () => {
    const noColor = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    const terminal = new Console(true);
    createConsoleLogger('info', { output: terminal }).info(
      { url: 'http://127.0.0.1:8080', startMs: 812 },
      'veza-server ready',
    );
    expect(terminal.lines).toHaveLength(1);
    const plain = terminal.lines[0]!.replaceAll(new RegExp(`${ESC.replace('[', '\\[')}\\d+m`, 'g'), '');
    expect(plain).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}veza-server ready url=http:\/\/127\.0\.0\.1:8080 startMs=812$/,
    );
    expect(terminal.text).toContain(ESC);

    process.env.NO_COLOR = '1';
    try {
      const plainTerminal = new Console(true);
      createConsoleLogger('info', { output: plainTerminal }).info('no colours');
      expect(plainTerminal.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}no colours$/);
    } finally {
      if (noColor === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = noColor;
    }
  });

  it('writes JSON lines elsewhere (a pipe, a file, a supervisor)', () => {
    const pipe = new Console(false);
    createConsoleLogger('info', { output: pipe }).info({ startMs: 812 }, 'veza-server ready');
    expect(JSON.parse(pipe.lines[0]!)).toMatchObject({
      level: 30,
      msg: 'veza-server ready',
      startMs: 812,
      service: 'veza-server',
    });
  });

  it('follows VEZA_LOG_FORMAT over the guess, both ways', () => {
    const terminal = new Console(true);
    createConsoleLogger('info', { output: terminal, format: 'json' }).info('plain json');
    expect(JSON.parse(terminal.lines[0]!)).toMatchObject({ msg: 'plain json' });

    const pipe = new Console(false);
    createConsoleLogger('info', { output: pipe, format: 'pretty' }).warn({ attempt: 2 }, 'NATS disconnected');
    // Readable, and without colour codes where no terminal shows them.
    expect(pipe.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}NATS disconnected attempt=2$/);
    expect(pipe.text).not.toContain(ESC);
  });

  it('keeps secrets redacted in the readable format too', () => {
    for (const format of ['pretty', 'json'] as const) {
      const terminal = new Console(true);
      createConsoleLogger('info', { output: terminal, format }).info(
        {
          password: 'hunter2-hunter2',
          user: { token: 'vzr_refresh-secret', passwordHash: '$argon2id$secret-hash' },
          databaseUrl: 'postgres://veza:db-password@db/veza',
          req: { method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer eyJ-secret-jwt' } },
        },
        'something happened',
      );
      for (const secret of ['hunter2', 'vzr_refresh-secret', 'secret-hash', 'db-password', 'eyJ-secret-jwt'])
        expect(terminal.text, `${format} leaks ${secret}`).not.toContain(secret);
      expect(terminal.text).toContain('[redacted]');
    }
  });

  it('shows requests and errors in a form people read', () => {
    const base = { level: 30, time: '2026-12-07T10:00:00.000Z', service: 'veza-server', reqId: 'req-1' };
    const incoming = formatLogLine(
      JSON.stringify({ ...base, req: { method: 'POST', url: '/api/v1/auth/login' }, msg: 'incoming request' }),
      { colors: false },
    );
    expect(incoming).toMatch(/ INFO {2}incoming request POST \/api\/v1\/auth\/login reqId=req-1\n$/);
    const completed = formatLogLine(
      JSON.stringify({ ...base, res: { statusCode: 201 }, responseTime: 12.345, msg: 'request completed' }),
      { colors: false },
    );
    expect(completed).toMatch(/ INFO {2}request completed 201 12\.3 ms reqId=req-1\n$/);
    const failed = formatLogLine(
      JSON.stringify({
        ...base,
        level: 50,
        err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at handler (app.ts:1:1)' },
        msg: 'request failed',
      }),
      { colors: false },
    );
    expect(failed).toContain(' ERROR request failed reqId=req-1\n    Error: boom\n        at handler (app.ts:1:1)\n');
    // Values with spaces are quoted so a field's end stays visible.
    expect(
      formatLogLine(JSON.stringify({ ...base, msg: 'x', problem: 'ffmpeg is missing' }), { colors: false }),
    ).toContain('problem="ffmpeg is missing"');
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(formatLogLine('not json', { colors: false })).toBe('not json\n');
  });
});
