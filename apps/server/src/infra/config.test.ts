import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os, { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { resolveEnvironment } from './config-sources.js';
import { SECRET_FILE_VARIABLES, SERVER_VARIABLES } from './config-variables.js';

const CWD = path.resolve('/srv/veza');
const SECRET = 's'.repeat(32);

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env, CWD);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('listens on 127.0.0.1:8080 with the data dir under the working directory', () => {
    expect(loadConfig({}, CWD)).toEqual({
      host: '127.0.0.1',
      port: 8080,
      dataDir: path.join(CWD, 'data'),
      publicUrl: 'http://127.0.0.1:8080',
      databaseUrl: undefined,
      natsUrl: undefined,
      logLevel: 'info',
      logFormat: undefined,
      jwtSecret: undefined,
      corsOrigins: [],
      demo: false,
      production: false,
      trustProxy: false,
      authRequestsPerMinute: 60,
      uploadMaxBytes: 500 * 1024 * 1024,
      transcodeConcurrency: availableParallelism(),
      mediaCacheBytes: 64 * 1024 * 1024,
      ffmpegPath: undefined,
      ffprobePath: undefined,
      maxSocketsPerUser: 20,
      maxPendingSocketsPerAddress: 32,
      firstRequestTimeoutMs: 10_000,
      metricsToken: undefined,
      metricsListen: undefined,
    });
  });

  it('uses process.cwd() when no directory is given', () => {
    expect(loadConfig({}).dataDir).toBe(path.join(process.cwd(), 'data'));
  });

  it('treats empty and blank variables as unset', () => {
    const config = loadConfig(
      { VEZA_HOST: '', VEZA_PORT: '   ', VEZA_DATA_DIR: '', DATABASE_URL: ' ', VEZA_LOG_LEVEL: '', VEZA_DEMO: '' },
      CWD,
    );
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: path.join(CWD, 'data'),
      databaseUrl: undefined,
      logLevel: 'info',
      demo: false,
    });
  });
});

describe('loadConfig parses every variable', () => {
  it('reads all of them, trimmed', () => {
    const config = loadConfig(
      {
        VEZA_HOST: ' 0.0.0.0 ',
        VEZA_PORT: ' 9090 ',
        VEZA_DATA_DIR: 'var/veza',
        VEZA_PUBLIC_URL: 'https://veza.example.com/',
        DATABASE_URL: 'postgresql://veza:pw@db.internal:5433/veza',
        VEZA_NATS_URL: 'nats://nats.internal:4222',
        VEZA_LOG_LEVEL: 'DEBUG',
        VEZA_LOG_FORMAT: 'Pretty',
        VEZA_JWT_SECRET: ` ${SECRET} `,
        VEZA_CORS_ORIGINS: 'https://app.example.com, http://localhost:5173 ,,',
        VEZA_DEMO: 'yes',
        VEZA_TRUST_PROXY: '1',
        VEZA_AUTH_REQUESTS_PER_MINUTE: '600',
        VEZA_UPLOAD_MAX_MB: ' 50 ',
        VEZA_TRANSCODE_CONCURRENCY: '0',
        VEZA_MEDIA_CACHE_MB: '256',
        VEZA_FFMPEG: '/opt/ffmpeg/bin/ffmpeg',
        VEZA_FFPROBE: '/opt/ffmpeg/bin/ffprobe',
        VEZA_MAX_SOCKETS_PER_USER: ' 8 ',
        VEZA_MAX_PENDING_SOCKETS_PER_ADDRESS: '64',
        VEZA_FIRST_REQUEST_TIMEOUT_MS: '5000',
        NODE_ENV: 'development',
      },
      CWD,
    );
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 9090,
      dataDir: path.join(CWD, 'var/veza'),
      publicUrl: 'https://veza.example.com',
      databaseUrl: 'postgresql://veza:pw@db.internal:5433/veza',
      natsUrl: 'nats://nats.internal:4222',
      logLevel: 'debug',
      logFormat: 'pretty',
      jwtSecret: SECRET,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      demo: true,
      production: false,
      trustProxy: true,
      authRequestsPerMinute: 600,
      uploadMaxBytes: 50 * 1024 * 1024,
      transcodeConcurrency: 0,
      mediaCacheBytes: 256 * 1024 * 1024,
      ffmpegPath: '/opt/ffmpeg/bin/ffmpeg',
      ffprobePath: '/opt/ffmpeg/bin/ffprobe',
      maxSocketsPerUser: 8,
      maxPendingSocketsPerAddress: 64,
      firstRequestTimeoutMs: 5_000,
    });
  });

  it('refuses media sizes and concurrency that are not whole numbers in range, naming each', () => {
    expect(() =>
      loadConfig({ VEZA_UPLOAD_MAX_MB: '0', VEZA_TRANSCODE_CONCURRENCY: '-1', VEZA_MEDIA_CACHE_MB: '1.5' }, CWD),
    ).toThrow(
      expect.objectContaining({
        problems: [
          'VEZA_UPLOAD_MAX_MB must be an integer from 1 to 10240 (megabytes) (got "0")',
          'VEZA_TRANSCODE_CONCURRENCY must be an integer from 0 to 64 (got "-1")',
          'VEZA_MEDIA_CACHE_MB must be an integer from 0 to 16384 (megabytes) (got "1.5")',
        ],
      }),
    );
  });

  it('keeps an absolute data dir and accepts port 0 (any free port)', () => {
    const config = loadConfig({ VEZA_DATA_DIR: '/var/lib/veza', VEZA_PORT: '0' }, CWD);
    expect(config.dataDir).toBe(path.resolve('/var/lib/veza'));
    expect(config.port).toBe(0);
  });

  it('derives the public URL from host and port, bracketing IPv6 hosts', () => {
    expect(loadConfig({ VEZA_HOST: '::1', VEZA_PORT: '9000' }, CWD).publicUrl).toBe('http://[::1]:9000');
    expect(loadConfig({ VEZA_HOST: 'veza.lan' }, CWD).publicUrl).toBe('http://veza.lan:8080');
  });

  it('accepts postgres:// as well as postgresql:// database URLs', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/db' }, CWD).databaseUrl).toBe(
      'postgres://u@127.0.0.1/db',
    );
  });

  it.each([
    ['1', true],
    ['true', true],
    ['YES', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['No', false],
    ['off', false],
  ])('reads VEZA_DEMO=%s and VEZA_TRUST_PROXY=%s as %s', (raw, expected) => {
    const config = loadConfig({ VEZA_DEMO: raw, VEZA_TRUST_PROXY: raw }, CWD);
    expect(config.demo).toBe(expected);
    expect(config.trustProxy).toBe(expected);
  });

  it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])('accepts log level %s', (level) => {
    expect(loadConfig({ VEZA_LOG_LEVEL: level.toUpperCase() }, CWD).logLevel).toBe(level);
  });

  it('counts the JWT secret length in bytes, not characters', () => {
    expect(loadConfig({ VEZA_JWT_SECRET: 'é'.repeat(16) }, CWD).jwtSecret).toBe('é'.repeat(16));
    expect(problemsOf({ VEZA_JWT_SECRET: 'x'.repeat(31) })).toEqual(['VEZA_JWT_SECRET must be at least 32 bytes long']);
  });
});

describe('loadConfig rejects invalid values', () => {
  it('lists every problem at once', () => {
    let thrown: unknown;
    try {
      loadConfig(
        {
          VEZA_PORT: 'abc',
          VEZA_PUBLIC_URL: 'ftp://veza.example.com',
          DATABASE_URL: 'mysql://root@db/veza',
          VEZA_NATS_URL: 'http://nats:4222',
          VEZA_LOG_LEVEL: 'loud',
          VEZA_JWT_SECRET: 'short',
          VEZA_CORS_ORIGINS: 'https://ok.example, not a url',
          VEZA_DEMO: 'maybe',
          VEZA_TRUST_PROXY: 'sometimes',
          VEZA_AUTH_REQUESTS_PER_MINUTE: 'lots',
        },
        CWD,
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toEqual([
      'VEZA_PORT must be an integer between 0 and 65535 (got "abc")',
      'VEZA_PUBLIC_URL must be an http(s) URL (got "ftp://veza.example.com")',
      'DATABASE_URL must be a postgres:// or postgresql:// URL',
      'VEZA_NATS_URL must be a nats:// or tls:// URL (got a http:// URL)',
      'VEZA_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'VEZA_JWT_SECRET must be at least 32 bytes long',
      'VEZA_CORS_ORIGINS has an invalid origin "not a url"',
      'VEZA_AUTH_REQUESTS_PER_MINUTE must be a positive integer (got "lots")',
      'VEZA_DEMO must be true or false (got "maybe")',
      'VEZA_TRUST_PROXY must be true or false (got "sometimes")',
    ]);
    // The message carries every problem, one per line, for the console.
    for (const problem of error.problems) expect(error.message).toContain(`  - ${problem}`);
    expect(error.message.split('\n')).toHaveLength(error.problems.length + 1);
  });

  it.each(['abc', '70000', '65536', '-1', '80.5', '8080x'])('rejects VEZA_PORT=%s', (port) => {
    expect(problemsOf({ VEZA_PORT: port })).toEqual([
      `VEZA_PORT must be an integer between 0 and 65535 (got "${port}")`,
    ]);
  });

  it('accepts the highest port', () => {
    expect(loadConfig({ VEZA_PORT: '65535' }, CWD).port).toBe(65535);
  });

  it.each(['not a url', 'veza.example.com', 'ws://veza.example.com'])('rejects VEZA_PUBLIC_URL=%s', (url) => {
    expect(problemsOf({ VEZA_PUBLIC_URL: url })).toEqual([`VEZA_PUBLIC_URL must be an http(s) URL (got "${url}")`]);
  });

  it.each(['mysql://root@db/veza', 'localhost:5432', 'http://db:5432/veza'])('rejects DATABASE_URL=%s', (url) => {
    const problems = problemsOf({ DATABASE_URL: url });
    expect(problems).toEqual(['DATABASE_URL must be a postgres:// or postgresql:// URL']);
    // The URL may hold a password: it is never echoed.
    expect(problems.join('\n')).not.toContain(url);
  });

  it('rejects a VEZA_LOG_FORMAT other than pretty or json', () => {
    expect(problemsOf({ VEZA_LOG_FORMAT: 'yaml' })).toEqual(['VEZA_LOG_FORMAT must be pretty or json (got "yaml")']);
  });

  it('rejects VEZA_LOG_LEVEL=loud', () => {
    expect(problemsOf({ VEZA_LOG_LEVEL: 'loud' })).toEqual([
      'VEZA_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
  });

  it('rejects a short VEZA_JWT_SECRET without echoing it', () => {
    const problems = problemsOf({ VEZA_JWT_SECRET: 'hunter2-hunter2' });
    expect(problems).toEqual(['VEZA_JWT_SECRET must be at least 32 bytes long']);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it.each(['0', '-5', '1.5', 'ten'])('rejects VEZA_AUTH_REQUESTS_PER_MINUTE=%s', (rate) => {
    expect(problemsOf({ VEZA_AUTH_REQUESTS_PER_MINUTE: rate })).toEqual([
      `VEZA_AUTH_REQUESTS_PER_MINUTE must be a positive integer (got "${rate}")`,
    ]);
  });

  it('rejects VEZA_DEMO=maybe', () => {
    expect(problemsOf({ VEZA_DEMO: 'maybe' })).toEqual(['VEZA_DEMO must be true or false (got "maybe")']);
  });

  it('refuses NATS over WebSocket, which the server cannot use', () => {
    expect(problemsOf({ VEZA_NATS_URL: 'ws://nats:8080' })).toEqual([
      'VEZA_NATS_URL must be a nats:// or tls:// URL (got a ws:// URL)',
    ]);
  });

  it('never tells back the value of a secret variable, at most the scheme of a URL', () => {
    expect(problemsOf({ VEZA_NATS_URL: 'http://natsuser:S3cretNatsPw@nats:4222' })).toEqual([
      'VEZA_NATS_URL must be a nats:// or tls:// URL (got a http:// URL)',
    ]);
    // Without `//` the "scheme" is the user name: not told back either.
    expect(problemsOf({ VEZA_NATS_URL: 'natsuser:S3cretNatsPw@nats:4222' })).toEqual([
      'VEZA_NATS_URL must be a nats:// or tls:// URL (got something else)',
    ]);
    const secrets = {
      VEZA_NATS_URL: 'http://natsuser:S3cretNatsPw@nats:4222',
      DATABASE_URL: 'mysql://dbuser:S3cretDbPw@db/veza',
      VEZA_JWT_SECRET: 'S3cretJwt',
      VEZA_METRICS_TOKEN: 'S3cret metrics',
    };
    const problems = problemsOf(secrets).join('\n');
    expect(problems).not.toMatch(/S3cret|natsuser|dbuser/);
    for (const name of SECRET_FILE_VARIABLES) expect(problems).toContain(name);
  });

  it('reports a VEZA_DEMO typo in production too', () => {
    expect(problemsOf({ VEZA_DEMO: 'maybe', NODE_ENV: 'production' })).toEqual([
      'VEZA_DEMO must be true or false (got "maybe")',
    ]);
  });

  it('names VEZA_HOST when the host cannot form a URL', () => {
    expect(problemsOf({ VEZA_HOST: 'bad host' })).toEqual([
      'VEZA_HOST is not a valid host name or address (got "bad host")',
    ]);
  });
});

describe('production', () => {
  it('NODE_ENV=production forces demo off', () => {
    const config = loadConfig({ NODE_ENV: 'production', VEZA_DEMO: 'true' }, CWD);
    expect(config.production).toBe(true);
    expect(config.demo).toBe(false);
  });

  it('other NODE_ENV values are not production', () => {
    for (const NODE_ENV of ['development', 'test', 'Production', undefined]) {
      const config = loadConfig({ NODE_ENV, VEZA_DEMO: 'true' }, CWD);
      expect(config.production, String(NODE_ENV)).toBe(false);
      expect(config.demo, String(NODE_ENV)).toBe(true);
    }
  });
});

describe('configuration file (VEZA_CONFIG_FILE)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-config-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  let fileCount = 0;
  async function writeFile(text: string, mode = 0o600): Promise<string> {
    const file = path.join(dir, `file-${++fileCount}`);
    await fs.writeFile(file, text, { mode });
    return file;
  }
  function problemsIn(env: Record<string, string | undefined>): string[] {
    try {
      loadConfig(env, dir);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  }

  it('reads KEY=VALUE lines with comments, quotes and export, and the environment wins', async () => {
    const file = await writeFile(
      [
        '# Veza on the small server',
        'VEZA_PORT=9000',
        'export VEZA_HOST=0.0.0.0',
        'VEZA_PUBLIC_URL="https://veza.example.org" # behind Caddy',
        "VEZA_CORS_ORIGINS='https://a.example, https://b.example'",
        '',
        'VEZA_LOG_LEVEL=debug',
        'VEZA_DATA_DIR=/var/lib/veza',
        'NODE_ENV=production',
      ].join('\n'),
    );
    const config = loadConfig({ VEZA_CONFIG_FILE: file, VEZA_LOG_LEVEL: 'warn', VEZA_HOST: '' }, dir);
    expect(config).toMatchObject({
      port: 9000,
      // A blank environment variable is unset, so the file's value stands.
      host: '0.0.0.0',
      publicUrl: 'https://veza.example.org',
      corsOrigins: ['https://a.example', 'https://b.example'],
      logLevel: 'warn',
      dataDir: path.resolve('/var/lib/veza'),
      production: true,
    });
  });

  it('finds a relative path from the working directory', async () => {
    const file = await writeFile('VEZA_PORT=9001\n');
    expect(loadConfig({ VEZA_CONFIG_FILE: path.basename(file) }, dir).port).toBe(9001);
  });

  it('validates what the file sets like the environment', async () => {
    const file = await writeFile('VEZA_PORT=eighty\n');
    expect(problemsIn({ VEZA_CONFIG_FILE: file })).toEqual([
      'VEZA_PORT must be an integer between 0 and 65535 (got "eighty")',
    ]);
  });

  it('reports a file it cannot read', async () => {
    const missing = path.join(dir, 'nope.env');
    expect(problemsIn({ VEZA_CONFIG_FILE: missing })).toEqual([
      `VEZA_CONFIG_FILE names ${missing}, which cannot be read (no such file)`,
    ]);
    expect(problemsIn({ VEZA_CONFIG_FILE: dir })).toEqual([
      `VEZA_CONFIG_FILE names ${dir}, which cannot be read (it is a directory)`,
    ]);
  });

  it('reports typos: unknown VEZA_ names (with the likely one), other names, and lines that are not settings', async () => {
    const file = await writeFile(
      [
        'VEZA_PROT=8080',
        'VEZA_SOMETHING_ELSE=1',
        'PGSSLMODE=require',
        'VEZA_JWT_SECRET hunter2hunter2hunter2hunter2hunter2',
        'VEZA_LOG_LEVEL=debug',
      ].join('\n'),
    );
    const problems = problemsIn({ VEZA_CONFIG_FILE: file });
    expect(problems).toEqual([
      `${file} line 1: VEZA_PROT is not a Veza server setting (did you mean VEZA_PORT?)`,
      `${file} line 2: VEZA_SOMETHING_ELSE is not a Veza server setting`,
      `${file} line 3: PGSSLMODE is not read by veza-server; set it in the environment instead`,
      `${file} line 4 is not KEY=VALUE or a # comment`,
    ]);
    // A malformed line may hold a secret: it is never echoed.
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('accepts a quoted value over several lines', async () => {
    const file = await writeFile('VEZA_CORS_ORIGINS="https://a.example,\nhttps://b.example"\nVEZA_PORT=9002\n');
    const config = loadConfig({ VEZA_CONFIG_FILE: file }, dir);
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.port).toBe(9002);
  });

  it('never tells back a secret read from its _FILE', async () => {
    const file = await writeFile('http://natsuser:S3cretNatsPw@nats:4222\n');
    expect(problemsIn({ VEZA_NATS_URL_FILE: file })).toEqual([
      'VEZA_NATS_URL must be a nats:// or tls:// URL (got a http:// URL)',
    ]);
  });

  it('refuses VEZA_CONFIG_FILE inside the file', async () => {
    const file = await writeFile('VEZA_CONFIG_FILE=/etc/other.env\n');
    expect(problemsIn({ VEZA_CONFIG_FILE: file })).toEqual([`${file} line 1: VEZA_CONFIG_FILE cannot be set here`]);
  });

  it("accepts the systemd unit's example file as it ships", () => {
    const example = fileURLToPath(new URL('../../../../deploy/systemd/veza.env.example', import.meta.url));
    expect(loadConfig({ VEZA_CONFIG_FILE: example }, dir)).toMatchObject({
      publicUrl: 'https://veza.example.org',
      trustProxy: true,
    });
  });

  it('hands the audio tool paths to the server', async () => {
    const file = await writeFile('VEZA_FFMPEG=/opt/ff/ffmpeg\nVEZA_FFPROBE=/opt/ff/ffprobe\n');
    expect(loadConfig({ VEZA_CONFIG_FILE: file }, dir)).toMatchObject({
      ffmpegPath: '/opt/ff/ffmpeg',
      ffprobePath: '/opt/ff/ffprobe',
    });
  });
});

describe('secrets from files (<NAME>_FILE)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-secrets-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  const secretFile = async (name: string, text: string): Promise<string> => {
    const file = path.join(dir, name);
    await fs.writeFile(file, text, { mode: 0o600 });
    return file;
  };
  const problemsIn = (env: Record<string, string | undefined>): string[] => {
    try {
      loadConfig(env, dir);
    } catch (error) {
      return (error as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  };

  it('reads each secret from its file, without the trailing newline', async () => {
    const config = loadConfig(
      {
        VEZA_JWT_SECRET_FILE: await secretFile('jwt', `${SECRET}\n`),
        DATABASE_URL_FILE: await secretFile('db', 'postgres://veza:pa ss@db.internal/veza\r\n'),
        VEZA_NATS_URL_FILE: await secretFile('nats', 'nats://user:pw@nats.internal:4222'),
      },
      dir,
    );
    expect(config.jwtSecret).toBe(SECRET);
    expect(config.databaseUrl).toBe('postgres://veza:pa ss@db.internal/veza');
    expect(config.natsUrl).toBe('nats://user:pw@nats.internal:4222');
  });

  it('gives every variable listed in SECRET_FILE_VARIABLES its _FILE variant', async () => {
    for (const name of SECRET_FILE_VARIABLES) {
      const file = await secretFile(`generic-${name}`, `value-of-${name}\n`);
      expect(resolveEnvironment({ [`${name}_FILE`]: file }, dir), name).toEqual({
        env: { [`${name}_FILE`]: file, [name]: `value-of-${name}` },
        problems: [],
      });
    }
  });

  it('takes a secret file named in the configuration file, relative to the working directory', async () => {
    await secretFile('jwt-relative', `${SECRET}\n`);
    const configFile = await secretFile('veza.env', 'VEZA_JWT_SECRET_FILE=jwt-relative\n');
    expect(loadConfig({ VEZA_CONFIG_FILE: configFile }, dir).jwtSecret).toBe(SECRET);
  });

  it('refuses a secret set both ways, saying where each came from, without echoing it', async () => {
    const jwt = await secretFile('jwt-both', `${SECRET}\n`);
    const configFile = await secretFile('both.env', `VEZA_JWT_SECRET_FILE=${jwt}\n`);
    const problems = problemsIn({ VEZA_CONFIG_FILE: configFile, VEZA_JWT_SECRET: 'e'.repeat(40) });
    expect(problems).toEqual([
      `VEZA_JWT_SECRET (from the environment) and VEZA_JWT_SECRET_FILE (from ${configFile}) are both set; keep one`,
    ]);
    expect(problems.join('\n')).not.toContain('eeee');
  });

  it('reports a secret file that is missing or empty', async () => {
    const missing = path.join(dir, 'missing');
    const empty = await secretFile('empty', '\n');
    expect(problemsIn({ DATABASE_URL_FILE: missing, VEZA_NATS_URL_FILE: empty })).toEqual([
      `DATABASE_URL_FILE names ${missing}, which cannot be read (no such file)`,
      `VEZA_NATS_URL_FILE names ${empty}, which is empty`,
    ]);
  });

  it('validates the secret as if it were set directly, never echoing it', async () => {
    const problems = problemsIn({ DATABASE_URL_FILE: await secretFile('bad-db', 'mysql://root:topsecret@db/veza\n') });
    expect(problems).toEqual(['DATABASE_URL must be a postgres:// or postgresql:// URL']);
    expect(problems.join('\n')).not.toContain('topsecret');
  });
});

describe('docs/configuration.md', () => {
  it('documents every server variable, and no other', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../../docs/configuration.md', import.meta.url)), 'utf8');
    // The server's table is the first one; the desktop app's has a section of its own.
    const serverPart = doc.slice(0, doc.indexOf('## The desktop app'));
    const documented = new Set<string>();
    for (const row of serverPart.split('\n').filter((line) => line.startsWith('| `'))) {
      const firstCell = row.split('|')[1]!;
      for (const match of firstCell.matchAll(/`([A-Z0-9_]+)`/g)) documented.add(match[1]!);
    }
    const read = [...SERVER_VARIABLES, ...SECRET_FILE_VARIABLES.map((name) => `${name}_FILE`), 'VEZA_CONFIG_FILE'];
    expect([...documented].sort()).toEqual([...read].sort());
  });
});

describe('connection caps', () => {
  it('refuses caps and bounds that are not whole numbers in range, naming each', () => {
    expect(
      problemsOf({
        VEZA_MAX_SOCKETS_PER_USER: '0',
        VEZA_MAX_PENDING_SOCKETS_PER_ADDRESS: 'many',
        VEZA_FIRST_REQUEST_TIMEOUT_MS: '10',
      }),
    ).toEqual([
      'VEZA_MAX_SOCKETS_PER_USER must be an integer from 1 to 10000 (got "0")',
      'VEZA_MAX_PENDING_SOCKETS_PER_ADDRESS must be an integer from 1 to 1000000 (got "many")',
      'VEZA_FIRST_REQUEST_TIMEOUT_MS must be an integer from 100 to 600000 (milliseconds) (got "10")',
    ]);
  });
});

describe('metrics protection', () => {
  const TOKEN = 'a'.repeat(16);

  it('reads VEZA_METRICS_TOKEN and VEZA_METRICS_LISTEN', () => {
    expect(loadConfig({ VEZA_METRICS_TOKEN: TOKEN, VEZA_METRICS_LISTEN: '10.0.0.5:9464' }, CWD)).toMatchObject({
      metricsToken: TOKEN,
      metricsListen: { host: '10.0.0.5', port: 9464 },
    });
    expect(loadConfig({ VEZA_METRICS_LISTEN: '[::1]:9464' }, CWD).metricsListen).toEqual({ host: '::1', port: 9464 });
    expect(loadConfig({ VEZA_METRICS_LISTEN: 'metrics.internal:9464' }, CWD).metricsListen).toEqual({
      host: 'metrics.internal',
      port: 9464,
    });
    // A token Prometheus can send as it is (openssl rand -hex 32, base64…).
    const hex = 'f'.repeat(64);
    expect(loadConfig({ VEZA_METRICS_TOKEN: hex }, CWD).metricsToken).toBe(hex);
    expect(loadConfig({ VEZA_METRICS_TOKEN: 'abc+/DEF=_-.~0123' }, CWD).metricsToken).toBe('abc+/DEF=_-.~0123');
  });

  it.each(['short', 'has spaces in the middle', 'quote"inside-the-token', 'é'.repeat(20)])(
    'refuses VEZA_METRICS_TOKEN=%j without echoing it',
    (token) => {
      const problems = problemsOf({ VEZA_METRICS_TOKEN: token });
      expect(problems).toEqual([
        'VEZA_METRICS_TOKEN must be at least 16 characters of letters, digits and -._~+/= (make one with: openssl rand -hex 32)',
      ]);
      expect(problems.join()).not.toContain(token);
    },
  );

  it.each([
    '9464',
    ':9464',
    '127.0.0.1',
    '127.0.0.1:',
    '127.0.0.1:65536',
    '::1:9464',
    '[::1]',
    'bad host:9464',
    'a/b:1',
  ])('refuses VEZA_METRICS_LISTEN=%j', (listen) => {
    expect(problemsOf({ VEZA_METRICS_LISTEN: listen })).toEqual([
      `VEZA_METRICS_LISTEN must be host:port, e.g. 127.0.0.1:9464 or [::1]:9464 (got "${listen}")`,
    ]);
  });

  it('refuses the main address as the metrics address', () => {
    expect(problemsOf({ VEZA_METRICS_LISTEN: '127.0.0.1:8080' })).toEqual([
      'VEZA_METRICS_LISTEN must differ from VEZA_HOST:VEZA_PORT (the main port)',
    ]);
    expect(loadConfig({ VEZA_METRICS_LISTEN: '127.0.0.1:9464' }, CWD).metricsListen?.port).toBe(9464);
  });
});
