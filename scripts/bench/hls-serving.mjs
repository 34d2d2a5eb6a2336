#!/usr/bin/env node
/**
 * HLS segment serving benchmark: requests/s, MB/s and latency for one ~95 KB media segment (the
 * 128k rung of a 3-minute track), side by side in the same run and fed the same load:
 *   - nginx: Debian's nginx, 1 worker, sendfile, no access log, serving the data dir's media folder;
 *   - veza: the built server (`veza-server serve`, default configuration: 64 MB hot cache) through
 *     the real signed URL from GET /api/v1/tracks/:id/stream, so every request pays the path checks
 *     and the HMAC;
 *   - veza, cache off: a second server on the same data dir and database with VEZA_MEDIA_CACHE_MB=0
 *     (a stat and a read of the file per request), to show what the cache is worth;
 *   - bare node: plain node:http answering the same bytes from memory (lib/bare-media-server.mjs),
 *     the floor of what Node can do.
 * The track goes through the real path first: an artist uploads it (POST /api/v1/tracks), the
 * processing job makes the ladder, and the `ready` frame arrives on the WebSocket. The load comes
 * from wrk (1 thread, 50 keep-alive connections) in its own process; rounds alternate the targets
 * (nginx, veza, veza cache off, bare node, then again), each run 2 s of warm-up and 10 s measured.
 * autocannon is not used: on this machine it tops out near 800 requests/s for a 95 KB answer.
 *
 *   apt-get install wrk nginx           (wrk is needed; nginx is /usr/sbin/nginx or VEZA_BENCH_NGINX)
 *   node scripts/bench/hls-serving.mjs  (or `pnpm bench`, which runs every bench file)
 *
 * VEZA_BENCH_DURATION=3 shortens each run (the results file is then left as it was). Prints
 * Markdown tables and writes scripts/bench/results/hls-serving.json. Stops everything it started by
 * PID (servers, their PostgreSQL, nginx and its worker, wrk) and removes its temporary directory,
 * also on error; gives up after HARD_TIMEOUT_MS.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  cpuSince,
  cpuSnapshot,
  duration,
  getDataDir,
  machineInfo,
  median,
  request,
  round,
  runBench,
  saveResults,
  startVeza,
  stopProcess,
  table,
} from './lib/harness.mjs';
import {
  artistToken,
  findWrk,
  loadAudio,
  makeInputs,
  openNotices,
  processCpu,
  runWrk,
  serverBuild,
  startBareMediaServer,
  startNginx,
  streamPath,
  upload,
} from './lib/media.mjs';

const NAME = 'hls-serving';
const HARD_TIMEOUT_MS = 8 * 60_000;
const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const DEFAULT_DURATION = 10;
const DURATION = duration(DEFAULT_DURATION);
const ROUNDS = 3;
const READY_TIMEOUT_MS = 180_000;
const VEZA_ENV = { VEZA_LOG_LEVEL: 'info' };
/** DESIGN.md: Veza ≥ 0.6× nginx on the same files in the same run, floor 0.5×. */
const TARGET_RATIO = 0.6;
const FLOOR_RATIO = 0.5;

/** The embedded PostgreSQL of a running server, as a URL a second server can use. */
async function databaseUrl(dataDir) {
  const pidFile = await fsp.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8');
  const port = Number(pidFile.split('\n')[3]);
  const password = (await fsp.readFile(path.join(dataDir, 'postgres.password'), 'utf8')).trim();
  return `postgres://veza:${encodeURIComponent(password)}@127.0.0.1:${port}/veza`;
}

async function fetchBytes(port, urlPath) {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, { signal: AbortSignal.timeout(10_000) });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, body, headers: res.headers };
}

/** One wrk run against a target, with the CPU each party used meanwhile. */
async function load(wrk, target, label) {
  const url = `http://127.0.0.1:${target.port}${target.path}`;
  await runWrk(wrk, url, { connections: CONNECTIONS, seconds: WARMUP_SECONDS, label: `${label}-warmup` });
  const pids = { server: target.pid };
  const before = cpuSnapshot(pids);
  const wrkBefore = processCpu();
  const result = await runWrk(wrk, url, { connections: CONNECTIONS, seconds: DURATION, label });
  const after = cpuSnapshot(pids);
  const wrkCpuS = processCpu().reaped - wrkBefore.reaped;
  const cpu = cpuSince(before, after);
  const seconds = result.durationUs / 1e6;
  const errors = Object.values(result.errors).reduce((sum, n) => sum + n, 0);
  if (result.errors.status > 0.01 * result.requests) {
    throw new Error(`${target.key}: ${result.errors.status} of ${result.requests} answers were not 2xx/3xx`);
  }
  return {
    target: target.key,
    requests: result.requests,
    requestsPerSecond: round(result.requests / seconds),
    megabytesPerSecond: round(result.bytes / seconds / 1e6, 1),
    latencyMs: {
      p50: round(result.latencyUs.p50 / 1000, 2),
      p90: round(result.latencyUs.p90 / 1000, 2),
      p99: round(result.latencyUs.p99 / 1000, 2),
      max: round(result.latencyUs.max / 1000, 1),
    },
    errors,
    wrkErrors: result.errors,
    serverCpuUsPerRequest: round((((cpu.server ?? 0) + (cpu.serverChildren ?? 0)) / (result.requests / seconds)) * 1e6),
    cpuCores: {
      // nginx: master + worker; Veza: the Node process (its PostgreSQL is serverChildren).
      server: round((cpu.server ?? 0) + (target.key === 'nginx' ? (cpu.serverChildren ?? 0) : 0), 2),
      postgres: target.key === 'veza' ? (cpu.serverChildren ?? 0) : 0,
      wrk: round(wrkCpuS / ((after.at - before.at) / 1000), 2),
      machine: cpu.machine ?? null,
    },
  };
}

function report(results) {
  const out = [];
  const m = results.machine;
  out.push(`## HLS segment serving benchmark (${results.date})`, '');
  out.push(`${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`, '');
  out.push(
    `One ${results.segment.bytes}-byte segment (${results.segment.name} of the 128k rung), wrk 1 thread × ` +
      `${results.connections} connections, ${results.durationSeconds} s per run after ${results.warmupSeconds} s ` +
      `of warm-up, ${results.rounds} rounds alternating the targets.`,
    '',
  );
  out.push(
    table(
      [
        'target',
        'req/s',
        'MB/s',
        'p50 ms',
        'p99 ms',
        '× nginx',
        'server CPU µs / request',
        'CPU cores: server / wrk / machine',
        'runs req/s',
      ],
      results.summary.map((row) => [
        row.label,
        row.requestsPerSecond,
        row.megabytesPerSecond,
        row.p50,
        row.p99,
        row.ratioToNginx,
        row.cpuUsPerRequest,
        `${row.cpuServer} / ${row.cpuWrk} / ${row.cpuMachine}`,
        row.runs.join(', '),
      ]),
    ),
    '',
  );
  out.push(
    `Veza / nginx: **${results.ratio.veza}×** (per round ${results.ratio.perRound.join(', ')}; target ≥ ` +
      `${TARGET_RATIO}×, floor ${FLOOR_RATIO}×): ${results.ratio.verdict}. Cache off: ${results.ratio.vezaNoCache}×.`,
    '',
  );
  for (const note of results.notes) out.push(`- ${note}`);
  return out.join('\n');
}

async function main() {
  const wrk = await findWrk();
  if (!wrk) {
    throw new Error(
      'wrk is not installed (apt-get install wrk). autocannon is no substitute here: it tops out near 800 ' +
        'requests/s on a 95 KB answer, so it would measure itself, not the servers.',
    );
  }
  const audio = await loadAudio();
  const dataDir = getDataDir();
  const work = path.join(path.dirname(dataDir), 'work');
  console.error('bench: synthesising the 3-minute input…');
  const input = (await makeInputs(audio, path.join(work, 'inputs'), ['tonal.flac']))['tonal.flac'];

  console.error('bench: starting Veza, uploading the track…');
  const veza = await startVeza('veza', { env: VEZA_ENV });
  const token = await artistToken(veza);
  const notices = await openNotices(veza, token);
  const { track } = await upload(veza, token, input.file, 'Bench Segment Track');
  await notices.finished(track.id, READY_TIMEOUT_MS);
  notices.close();

  // The real chain a player follows: signed master → variant playlist → segment.
  const masterPath = await streamPath(veza, token, track.id);
  const base = masterPath.slice(0, -'master.m3u8'.length);
  const version = Number(masterPath.split('/')[4]);
  const master = await request(veza.port, 'GET', masterPath);
  if (master.status !== 200 || !master.text.includes('128k/index.m3u8')) {
    throw new Error(`master playlist: ${master.status} ${master.text.slice(0, 200)}`);
  }
  const variant = await request(veza.port, 'GET', `${base}128k/index.m3u8`);
  const segments = variant.text.split('\n').filter((line) => line && !line.startsWith('#'));
  if (variant.status !== 200 || segments.length < 3) throw new Error(`variant playlist: ${variant.status}`);
  const segment = segments[1];
  const segmentFile = path.join(dataDir, 'media', 'tracks', track.id, `v${version}`, 'hls', '128k', segment);
  const onDisk = await fsp.readFile(segmentFile);

  console.error('bench: starting the second Veza (cache off), nginx and the bare Node server…');
  const vezaNoCache = await startVeza('veza-nocache', {
    env: {
      ...VEZA_ENV,
      VEZA_MEDIA_CACHE_MB: '0',
      VEZA_TRANSCODE_CONCURRENCY: '0',
      DATABASE_URL: await databaseUrl(dataDir),
    },
  });
  const nginx = await startNginx(path.join(work, 'nginx'), path.join(dataDir, 'media'));
  const bare = await startBareMediaServer(segmentFile);

  const targets = [
    { key: 'nginx', label: 'nginx 1.22, 1 worker', port: nginx.port, pid: nginx.child.pid },
    { key: 'veza', label: 'Veza (hot cache, 64 MB)', port: veza.port, pid: veza.child.pid },
    { key: 'vezaNoCache', label: 'Veza, VEZA_MEDIA_CACHE_MB=0', port: vezaNoCache.port, pid: vezaNoCache.child.pid },
    { key: 'bareNode', label: 'bare node:http, Buffer', port: bare.port, pid: bare.child.pid },
  ];
  targets[0].path = `/tracks/${track.id}/v${version}/hls/128k/${segment}`;
  targets[1].path = `${base}128k/${segment}`;
  targets[2].path = targets[1].path;
  targets[3].path = '/';
  for (const target of targets) {
    const got = await fetchBytes(target.port, target.path);
    if (got.status !== 200 || !got.body.equals(onDisk)) {
      throw new Error(`${target.key}: ${got.status}, ${got.body.length} bytes, not the segment on disk`);
    }
  }

  const runs = [];
  for (let round_ = 1; round_ <= ROUNDS; round_++) {
    for (const target of targets) {
      console.error(`bench: round ${round_}/${ROUNDS}: ${target.key}…`);
      runs.push({ round: round_, ...(await load(wrk, target, `wrk-${target.key}-${round_}`)) });
    }
  }
  await stopProcess(vezaNoCache);

  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const of = (key) => runs.filter((run) => run.target === key);
  const nginxRate = mean(of('nginx').map((run) => run.requestsPerSecond));
  const summary = targets.map((target) => {
    const mine = of(target.key);
    const rate = mean(mine.map((run) => run.requestsPerSecond));
    return {
      key: target.key,
      label: target.label,
      requestsPerSecond: round(rate),
      megabytesPerSecond: round(mean(mine.map((run) => run.megabytesPerSecond)), 1),
      p50: round(median(mine.map((run) => run.latencyMs.p50)), 2),
      p99: round(median(mine.map((run) => run.latencyMs.p99)), 2),
      ratioToNginx: round(rate / nginxRate, 2),
      cpuServer: round(mean(mine.map((run) => run.cpuCores.server)), 2),
      cpuUsPerRequest: round(mean(mine.map((run) => run.serverCpuUsPerRequest))),
      cpuWrk: round(mean(mine.map((run) => run.cpuCores.wrk)), 2),
      cpuMachine: round(mean(mine.map((run) => run.cpuCores.machine ?? 0)), 2),
      errors: mine.reduce((sum, run) => sum + run.errors, 0),
      runs: mine.map((run) => run.requestsPerSecond),
    };
  });
  const ratioOf = (key) => summary.find((row) => row.key === key).ratioToNginx;
  const perRound = Array.from({ length: ROUNDS }, (_, i) => {
    const inRound = (key) => runs.find((run) => run.round === i + 1 && run.target === key).requestsPerSecond;
    return round(inRound('veza') / inRound('nginx'), 2);
  });
  const ratio = ratioOf('veza');
  const results = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    server: await serverBuild(),
    serverEnv: { NODE_ENV: 'production', VEZA_HOST: '127.0.0.1', ...VEZA_ENV },
    segment: {
      name: segment,
      rung: '128k',
      bytes: onDisk.length,
      trackSeconds: 180,
      input: 'tonal.flac',
      pcmMd5: input.pcmMd5,
    },
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    warmupSeconds: WARMUP_SECONDS,
    rounds: ROUNDS,
    summary,
    ratio: {
      veza: ratio,
      vezaNoCache: ratioOf('vezaNoCache'),
      bareNode: ratioOf('bareNode'),
      perRound,
      target: TARGET_RATIO,
      floor: FLOOR_RATIO,
      verdict:
        ratio >= TARGET_RATIO ? 'meets the target' : ratio >= FLOOR_RATIO ? 'above the floor only' : 'BELOW THE FLOOR',
    },
    runs,
    notes: [
      'req/s and MB/s: mean over the rounds; p50/p99: median over the rounds (wrk, whole run). × nginx: req/s ' +
        'against nginx in the same run.',
      'CPU cores over each measured run from /proc: server = nginx master + worker, or the Node process; wrk = the ' +
        'load generator; machine = all busy CPU (2 = every core busy), so anything above server + wrk is other ' +
        'processes.',
      'Every Veza request goes through the real signed URL (path checks and one HMAC) and whatever the server ' +
        'does around them. nginx runs with its defaults otherwise (no open_file_cache).',
    ],
  };
  console.log(report(results));
  await saveResults(NAME, results);
}

runBench(NAME, HARD_TIMEOUT_MS, main);
