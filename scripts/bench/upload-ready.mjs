#!/usr/bin/env node
/**
 * Upload-to-ready benchmark: an artist uploads a 3-minute track to the built server
 * (`veza-server serve`, default configuration) and waits for it to be playable.
 *  - upload: POST /api/v1/tracks (multipart `file`) until its 202; the server has then received the
 *    file, probed it, decoded it once to check it, made the cover and queued the processing job;
 *  - ready: from the 202 to the `{"type":"track","state":"ready"}` frame on the uploader's
 *    WebSocket (GET /api/v1/ws): the durable job's ladder, peaks and downloads, published.
 * One upload at a time: one warm-up upload (reported, not counted), then the inputs in turn,
 * RUNS each: a 320 kbit/s MP3 with a full spectrum (most uploads) and the tonal demo-piece FLAC
 * (the slowest case for the AAC coders; lib/media.mjs). Each track's stream URL must answer after.
 *
 *   node scripts/bench/upload-ready.mjs    (or `pnpm bench`, which runs every bench file)
 *
 * Prints Markdown tables and writes scripts/bench/results/upload-ready.json. Stops everything it
 * started and removes its temporary directory, also on error; gives up after HARD_TIMEOUT_MS.
 */
import path from 'node:path';
import {
  getDataDir,
  machineInfo,
  machineTicks,
  median,
  request,
  round,
  runBench,
  saveResults,
  startVeza,
  table,
  treeTicks,
} from './lib/harness.mjs';
import {
  artistToken,
  INPUT_SECONDS,
  loadAudio,
  makeInputs,
  openNotices,
  processCpu,
  serverBuild,
  streamPath,
  upload,
} from './lib/media.mjs';

const NAME = 'upload-ready';
const HARD_TIMEOUT_MS = 8 * 60_000;
const RUNS = 3;
const INPUT_NAMES = ['dense.mp3', 'tonal.flac'];
const READY_TIMEOUT_MS = 180_000;
const VEZA_ENV = { VEZA_LOG_LEVEL: 'info' };
const CLOCK_TICKS = 100;

/** CPU seconds of the server's PostgreSQL (its live children) right now. */
function postgresCpu(pid) {
  const tree = treeTicks(pid);
  if (!tree) return 0;
  let ticks = 0;
  for (const value of tree.children.values()) ticks += value;
  return ticks / CLOCK_TICKS;
}

async function uploadOnce(server, token, notices, input, title) {
  const pid = server.child.pid;
  const cpuBefore = processCpu(pid);
  const pgBefore = postgresCpu(pid);
  const machineBefore = machineTicks();
  const { track, startedAt, acceptedAt, uploadMs } = await upload(server, token, input.file, title);
  const frames = await notices.finished(track.id, READY_TIMEOUT_MS);
  const readyAt = frames.at(-1).at;
  const cpuAfter = processCpu(pid);
  const machineAfter = machineTicks();
  const wallS = (readyAt - startedAt) / 1000;
  const grant = await request(server.port, 'GET', await streamPath(server, token, track.id));
  if (grant.status !== 200) throw new Error(`${track.id}: master playlist answered ${grant.status}`);
  return {
    input: path.basename(input.file),
    trackId: track.id,
    bytes: input.bytes,
    uploadMs: round(uploadMs),
    firstFrameMs: round(frames[0].at - acceptedAt),
    readyMs: round(readyAt - acceptedAt),
    totalMs: round(readyAt - startedAt),
    realtime: round(INPUT_SECONDS / ((readyAt - acceptedAt) / 1000), 1),
    frames: frames.length,
    cpuS: {
      server: round(cpuAfter.self - cpuBefore.self, 2),
      ffmpeg: round(cpuAfter.reaped - cpuBefore.reaped, 2),
      postgres: round(postgresCpu(pid) - pgBefore, 2),
    },
    machineCores:
      machineBefore && machineAfter ? round((machineAfter.busy - machineBefore.busy) / 100 / wallS, 2) : null,
  };
}

function report(results) {
  const out = [];
  const m = results.machine;
  out.push(`## Upload to ready benchmark (${results.date})`, '');
  out.push(`${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`, '');
  out.push(
    table(
      [
        'input (180 s)',
        'MB',
        'upload → 202 ms',
        '202 → first frame ms',
        '202 → ready ms',
        'upload start → ready ms',
        'CPU s: server / ffmpeg / pg',
        'machine busy cores',
        'all runs: 202 → ready ms',
      ],
      results.summary.map((row) => [
        row.input,
        round(row.bytes / 1e6, 1),
        row.uploadMs,
        row.firstFrameMs,
        row.readyMs,
        row.totalMs,
        `${row.cpuS.server} / ${row.cpuS.ffmpeg} / ${row.cpuS.postgres}`,
        row.machineCores,
        row.runs.join(', '),
      ]),
    ),
    '',
  );
  const w = results.warmup;
  out.push(
    `Warm-up upload (${w.input}, first after start, not counted): upload ${w.uploadMs} ms, 202 → ready ${w.readyMs} ms.`,
    '',
  );
  for (const note of results.notes) out.push(`- ${note}`);
  return out.join('\n');
}

async function main() {
  const audio = await loadAudio();
  console.error('bench: synthesising the inputs…');
  const inputs = await makeInputs(audio, path.join(path.dirname(getDataDir()), 'work', 'inputs'), INPUT_NAMES);
  const server = await startVeza('veza', { env: VEZA_ENV });
  const token = await artistToken(server);
  const notices = await openNotices(server, token);

  console.error('bench: warm-up upload…');
  const warmup = await uploadOnce(server, token, notices, inputs[INPUT_NAMES[0]], 'Warm-up');
  const runs = [];
  for (let i = 1; i <= RUNS; i++) {
    for (const name of INPUT_NAMES) {
      console.error(`bench: upload ${name} ${i}/${RUNS}…`);
      runs.push(await uploadOnce(server, token, notices, inputs[name], `Bench ${name} ${i}`));
    }
  }
  notices.close();

  const med = (list, pick) => round(median(list.map(pick)));
  const summary = INPUT_NAMES.map((name) => {
    const mine = runs.filter((run) => run.input === name);
    return {
      input: name,
      bytes: inputs[name].bytes,
      pcmMd5: inputs[name].pcmMd5,
      uploadMs: med(mine, (run) => run.uploadMs),
      firstFrameMs: med(mine, (run) => run.firstFrameMs),
      readyMs: med(mine, (run) => run.readyMs),
      totalMs: med(mine, (run) => run.totalMs),
      cpuS: {
        server: round(median(mine.map((run) => run.cpuS.server)), 2),
        ffmpeg: round(median(mine.map((run) => run.cpuS.ffmpeg)), 2),
        postgres: round(median(mine.map((run) => run.cpuS.postgres)), 2),
      },
      machineCores: round(median(mine.map((run) => run.machineCores ?? 0)), 2),
      runs: mine.map((run) => run.readyMs),
    };
  });
  const results = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    server: await serverBuild(),
    serverEnv: { NODE_ENV: 'production', VEZA_HOST: '127.0.0.1', ...VEZA_ENV },
    inputSeconds: INPUT_SECONDS,
    runsPerInput: RUNS,
    summary,
    warmup,
    runs,
    notes: [
      `Medians of ${RUNS} uploads per input, one upload at a time. upload → 202 includes sending the file over ` +
        'loopback and what the server does before answering (probe, a full decode to check the file, the cover, ' +
        'storing the source, the row and the job).',
      '202 → first frame: until the first `track` progress frame reaches the WebSocket (the job has been claimed ' +
        'and ffmpeg reported progress); 202 → ready: until the `ready` frame, after the ladder, peaks, the three ' +
        'download files and the publish.',
      'CPU s over the whole upload: server = the Node process, ffmpeg = the ffmpeg/ffprobe runs it waited for, ' +
        'pg = its embedded PostgreSQL. machine busy cores: all busy CPU over the upload (2 = every core busy).',
    ],
  };
  console.log(report(results));
  await saveResults(NAME, results);
}

runBench(NAME, HARD_TIMEOUT_MS, main);
