/**
 * What the media benchmarks share: the 3-minute input files, an artist account, uploads and their
 * WebSocket progress, other programs (nginx, wrk, a bare Node file server) as child processes
 * stopped by PID on every exit path, and CPU read from /proc (including children a process has
 * waited for, which is where a finished ffmpeg's CPU ends up).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import {
  ROOT,
  freePort,
  logPath,
  logTail,
  onCleanup,
  request,
  round,
  runCli,
  startBare,
  stopProcess,
} from './harness.mjs';
import { startProcess } from '../../lib/process.mjs';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const AUDIO_DIST = path.join(ROOT, 'packages/audio/dist/index.js');
export const BARE_MEDIA_SERVER = path.join(HERE, 'bare-media-server.mjs');
const WRK_REPORT = path.join(HERE, 'wrk-report.lua');
/** Linux clock ticks per second for /proc/<pid>/stat; 100 on every mainstream kernel config. */
const CLOCK_TICKS = 100;

export const INPUT_SECONDS = 180;
/** The demo piece rendered at 3 minutes: tonal, a sparse spectrum (the slowest case for the AAC coders). */
const INPUT_PIECE = 'glass-arpeggio';
export const ARTIST = { email: 'artist@example.com', username: 'artist', password: 'artist-password-1234' };

/** packages/audio as built (`pnpm build`). */
export async function loadAudio() {
  if (!fs.existsSync(AUDIO_DIST)) throw new Error('packages/audio/dist is missing: run `pnpm build` first.');
  return import(pathToFileURL(AUDIO_DIST).href);
}

/**
 * The benchmark inputs, all stereo 44.1 kHz and INPUT_SECONDS long:
 *  - tonal.flac: the demo piece "Glass Arpeggio" rendered at 3 minutes (16-bit FLAC);
 *  - dense.flac: the same with pink noise mixed in at about −12 dBFS, a full spectrum like most
 *    produced music;
 *  - dense.mp3: dense.flac as a 320 kbit/s MP3, the most common upload.
 */
export async function makeInputs(audio, dir, names = ['tonal.flac', 'dense.flac', 'dense.mp3']) {
  const tools = audio.findAudioTools();
  await fsp.mkdir(dir, { recursive: true });
  const piece = audio.DEMO_PIECES.find((candidate) => candidate.slug === INPUT_PIECE);
  const tonal = path.join(dir, 'tonal.flac');
  const dense = path.join(dir, 'dense.flac');
  await audio.synthesizeDemoPiece({ ...piece, durationSec: INPUT_SECONDS }, tonal, { tools, timeoutMs: 120_000 });
  const ffmpeg = (args) => run(tools.ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
  if (names.some((name) => name.startsWith('dense'))) {
    await ffmpeg([
      '-i',
      tonal,
      '-f',
      'lavfi',
      '-i',
      `anoisesrc=color=pink:amplitude=0.25:sample_rate=44100:duration=${INPUT_SECONDS}`,
      '-filter_complex',
      '[1:a]aformat=channel_layouts=stereo[noise];[0:a][noise]amix=inputs=2:normalize=0[out]',
      '-map',
      '[out]',
      '-c:a',
      'flac',
      '-sample_fmt',
      's16',
      dense,
    ]);
  }
  if (names.includes('dense.mp3')) {
    await ffmpeg(['-i', dense, '-c:a', 'libmp3lame', '-b:a', '320k', path.join(dir, 'dense.mp3')]);
  }
  const inputs = {};
  for (const name of names) {
    const file = path.join(dir, name);
    // The demo recipes may change: the decoded audio's MD5 tells whether two runs had the same input.
    const { stdout } = await ffmpeg(['-i', file, '-map', '0:a:0', '-f', 'md5', '-']);
    inputs[name] = {
      file,
      probed: await audio.probe(file, { tools }),
      bytes: (await fsp.stat(file)).size,
      pcmMd5: stdout.trim().replace(/^MD5=/, ''),
    };
  }
  return inputs;
}

/**
 * Which server the figures belong to: the commit, and the files under apps/server and packages
 * that differed from it when the benchmark ran (built from a work tree in progress, say).
 */
export async function serverBuild() {
  try {
    const git = async (...args) => (await run('git', args, { cwd: ROOT })).stdout;
    const changed = await git('status', '--porcelain', '--', 'apps/server/src', 'packages');
    return {
      commit: (await git('rev-parse', '--short', 'HEAD')).trim(),
      uncommitted: changed
        .split('\n')
        .filter(Boolean)
        .map((line) => line.slice(3)),
    };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// CPU

/** CPU seconds of a process itself and of its children it has waited for (exited ffmpeg runs). */
export function processCpu(pid = process.pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) … utime(11) stime(12) cutime(13) cstime(14)
    return {
      self: (Number(f[11]) + Number(f[12])) / CLOCK_TICKS,
      reaped: (Number(f[13]) + Number(f[14])) / CLOCK_TICKS,
    };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes other than the Veza server

/**
 * Spawns a program in its own process group with its output in the log (stdout piped when asked);
 * it is stopped by PID (SIGTERM, then SIGKILL) on every exit path of the benchmark.
 */
export function spawnTracked(label, command, args, { env = process.env, pipeStdout = false } = {}) {
  const entry = startProcess({
    label,
    command,
    args,
    cwd: ROOT,
    env,
    logFile: logPath(label),
    stdout: pipeStdout ? 'pipe' : 'log',
  });
  onCleanup(() => stopProcess(entry, 4000));
  return entry;
}

function childPids(parentPid) {
  const pids = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]) === parentPid) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function waitForPort(port, entry, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (entry.child.exitCode !== null || entry.child.signalCode !== null) {
      throw new Error(`${entry.label} exited during start-up:\n${await logTail(entry.logFile)}`);
    }
    try {
      const res = await request(port, 'GET', '/', { timeoutMs: 500 });
      if (res.status > 0) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${entry.label} not listening within ${timeoutMs / 1000} s`);
    await sleep(20);
  }
}

/**
 * Debian's nginx in the foreground: one worker, sendfile, no access log, a prefix and config in
 * `dir`, `root` as its document root, 127.0.0.1 and a free port. Its worker is stopped by PID too
 * should the master die without taking it down.
 */
export async function startNginx(dir, root, label = 'nginx') {
  const nginx = process.env.VEZA_BENCH_NGINX ?? '/usr/sbin/nginx';
  if (!fs.existsSync(nginx)) throw new Error(`${nginx} is missing (apt-get install nginx, or set VEZA_BENCH_NGINX)`);
  const port = await freePort();
  await fsp.mkdir(path.join(dir, 'tmp'), { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  await fsp.writeFile(
    conf,
    [
      'daemon off;',
      'worker_processes 1;',
      // As root the worker would otherwise run as nobody, who cannot read the data dir.
      ...(runningAsRoot ? ['user root;'] : []),
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      '  sendfile on;',
      '  tcp_nopush on;',
      '  keepalive_requests 1000000;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (kind) => `  ${kind}_temp_path ${path.join(dir, 'tmp', kind)};`,
      ),
      '  types { video/iso.segment m4s; application/vnd.apple.mpegurl m3u8; audio/mp4 mp4; }',
      `  server { listen 127.0.0.1:${port}; root ${root}; }`,
      '}',
      '',
    ].join('\n'),
  );
  const entry = spawnTracked(label, nginx, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', conf]);
  await waitForPort(port, entry, 10_000);
  const workers = childPids(entry.child.pid);
  onCleanup(async () => {
    await entry.exit;
    for (const pid of workers) {
      try {
        if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('nginx: worker')) process.kill(pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
  });
  return { ...entry, port, workers };
}

/** lib/bare-media-server.mjs: plain node:http answering one file from memory; resolves with its port. */
export function startBareMediaServer(file, label = 'bare-node') {
  return startBare(label, BARE_MEDIA_SERVER, [file]);
}

// ---------------------------------------------------------------------------------------------
// wrk

/** The wrk binary, or undefined when it is not installed. */
export async function findWrk() {
  const candidate = process.env.VEZA_BENCH_WRK ?? 'wrk';
  try {
    await run(candidate, ['--version']).catch((error) => {
      // wrk --version prints its banner and exits 1.
      if (!/wrk/.test(`${error.stdout}${error.stderr}`)) throw error;
    });
    return candidate;
  } catch {
    return undefined;
  }
}

/**
 * One wrk run (1 thread, keep-alive connections, a 10 s request timeout) in its own process;
 * lib/wrk-report.lua prints the summary as JSON. Returns requests, bytes, errors and latency.
 */
export async function runWrk(wrk, url, { connections, seconds, label }) {
  const entry = spawnTracked(
    label,
    wrk,
    ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', WRK_REPORT, url],
    { pipeStdout: true },
  );
  let out = '';
  entry.child.stdout.on('data', (chunk) => (out += chunk));
  const timer = setTimeout(() => entry.child.kill('SIGKILL'), (seconds + 20) * 1000);
  const result = await entry.exit;
  clearTimeout(timer);
  const line = out.split('\n').find((text) => text.startsWith('WRK_JSON '));
  if (result.code !== 0 || !line) {
    throw new Error(`wrk ${label} failed (${JSON.stringify(result)}):\n${out}\n${await logTail(entry.logFile)}`);
  }
  return JSON.parse(line.slice('WRK_JSON '.length));
}

// ---------------------------------------------------------------------------------------------
// Veza: an artist, uploads, progress

/** Creates the artist account on the server's data dir and logs it in; resolves with an access token. */
export async function artistToken(server) {
  await runCli(
    [
      'user',
      'create',
      '--email',
      ARTIST.email,
      '--username',
      ARTIST.username,
      '--password',
      ARTIST.password,
      '--role',
      'artist',
    ],
    'user-create',
  );
  return login(server);
}

export async function login(server) {
  const res = await request(server.port, 'POST', '/api/v1/auth/login', {
    body: { login: ARTIST.username, password: ARTIST.password },
    timeoutMs: 10_000,
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return JSON.parse(res.text).accessToken;
}

/** POST /api/v1/tracks (multipart `file`); resolves with the track and the request's wall time. */
export async function upload(server, token, file, title) {
  const form = new FormData();
  form.append('file', await fs.openAsBlob(file), path.basename(file));
  form.append('title', title);
  const startedAt = performance.now();
  const res = await fetch(`http://127.0.0.1:${server.port}/api/v1/tracks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  const acceptedAt = performance.now();
  if (res.status !== 202) throw new Error(`upload failed: ${res.status} ${text}`);
  return { track: JSON.parse(text), startedAt, acceptedAt, uploadMs: acceptedAt - startedAt };
}

/**
 * The uploader's WebSocket: hello with the access token, then every `track` frame is kept with the
 * time it arrived (performance.now()), so frames that beat the 202 are not lost.
 */
export async function openNotices(server, token) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/ws`);
  const frames = new Map();
  const waiters = new Set();
  ws.on('message', (data) => {
    const at = performance.now();
    let frame;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (frame.type !== 'track') return;
    if (!frames.has(frame.trackId)) frames.set(frame.trackId, []);
    frames.get(frame.trackId).push({ at, state: frame.state, percent: frame.percent, reason: frame.failureReason });
    for (const waiter of waiters) waiter();
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no welcome on /api/v1/ws within 10 s')), 10_000);
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, token, cursors: {} })));
    ws.on('message', function onMessage(data) {
      if (!data.toString().includes('"welcome"')) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve();
    });
  });
  onCleanup(() => ws.terminate());
  /** Resolves with the track's frames once one says ready (rejects on failed or after timeoutMs). */
  const finished = (trackId, timeoutMs) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const list = frames.get(trackId) ?? [];
        const last = list.find((frame) => frame.state === 'ready' || frame.state === 'failed');
        if (!last) return;
        done();
        if (last.state === 'ready') resolve(list);
        else reject(new Error(`track ${trackId} failed: ${last.reason}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`track ${trackId} not ready within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return { ws, finished, close: () => ws.close() };
}

/** GET /api/v1/tracks/:id/stream: the signed master playlist URL, as a path on the server's real port. */
export async function streamPath(server, token, trackId) {
  const res = await request(server.port, 'GET', `/api/v1/tracks/${trackId}/stream`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`stream grant failed: ${res.status} ${res.text}`);
  return new URL(JSON.parse(res.text).url).pathname;
}

export const seconds = (ms) => round(ms / 1000, 2);
