#!/usr/bin/env node
/**
 * Time to first audio in the desktop UI (browser host, Debian's Chromium, loopback): from the click
 * on "Play <title>" to the <audio> element's `playing` event and to its currentTime moving past 0,
 * both measured inside the page with performance.now(). Two cases:
 *  - streamed: HLS from the built server (`veza-server serve`), each run in a fresh browser context
 *    (empty HTTP cache), the core signed in already (its session lives in the host);
 *  - offline: the same track downloaded first, then the server stopped: a local file via the
 *    host's /local-media.
 * One warm-up run per case (reported, not counted), then RUNS; the median is the figure. Targets:
 * < 500 ms streamed, < 150 ms offline (docs/benchmarks.md).
 *
 *   node scripts/bench/desktop-first-audio.mjs    (needs `pnpm build`, the desktop build and Chromium)
 *
 * Prints a Markdown table and writes scripts/bench/results/desktop-first-audio.json
 * (VEZA_BENCH_RUNS=n shortens it for a quick check and leaves the results file alone).
 */
/* global document, requestAnimationFrame -- the measuring callback runs in the page */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  getDataDir,
  machineInfo,
  median,
  onCleanup,
  ROOT,
  round,
  runBench,
  saveResults,
  startVeza,
  stopProcess,
  table,
} from './lib/harness.mjs';
import { ARTIST, artistToken, openNotices, spawnTracked, upload } from './lib/media.mjs';

const NAME = 'desktop-first-audio';
const HARD_TIMEOUT_MS = 6 * 60_000;
const RUNS = Number(process.env.VEZA_BENCH_RUNS) > 0 ? Number(process.env.VEZA_BENCH_RUNS) : 9;
const TITLE = 'First Audio Tone';
const TRACK_SECONDS = 30;
const TARGETS = { streamed: 500, offline: 150 };
const HOST_BUNDLE = path.join(ROOT, 'apps/desktop/dist/host/host.mjs');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

function chromiumPath() {
  const found = [process.env.VEZA_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (candidate) => candidate && fs.existsSync(candidate),
  );
  return found ?? chromium.executablePath();
}

function makeTone(file) {
  const result = spawnSync(process.env.VEZA_FFMPEG ?? 'ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${TRACK_SECONDS}:sample_rate=44100`],
    ...['-ac', '2', '-c:a', 'libmp3lame', '-b:a', '192k', file],
  ]);
  if (result.status !== 0) throw new Error(`ffmpeg could not make the input: ${result.stderr}`);
}

/** The built browser host on a free port; resolves with its URL once it prints it. */
async function startHost(serverUrl) {
  const work = path.dirname(getDataDir());
  // A snapshot of the renderer and bridge: a rebuild of dist/ during the run must not touch them.
  const renderer = path.join(work, 'renderer');
  for (let waited = 0; !fs.existsSync(path.join(ROOT, 'apps/desktop/dist/renderer/index.html')); waited += 250) {
    if (waited > 120_000) throw new Error('apps/desktop/dist/renderer/index.html is missing: build the desktop first.');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  fs.cpSync(path.join(ROOT, 'apps/desktop/dist/renderer'), renderer, { recursive: true });
  fs.mkdirSync(path.join(renderer, '__veza'));
  fs.copyFileSync(path.join(ROOT, 'apps/desktop/dist/host/bridge.js'), path.join(renderer, '__veza', 'bridge.js'));
  const args = [
    '--port',
    '0',
    '--data-dir',
    path.join(work, 'desktop'),
    '--server-url',
    serverUrl,
    '--renderer-dir',
    renderer,
  ];
  const entry = spawnTracked('host', process.execPath, [HOST_BUNDLE, ...args], { pipeStdout: true });
  const url = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('the browser host did not start within 30 s')), 30_000);
    entry.child.stdout.on('data', (chunk) => {
      text += chunk;
      const match = /Open (http:\/\/\S+) in your browser/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void entry.exit.then((result) => reject(new Error(`the browser host exited: ${JSON.stringify(result)}`)));
  });
  return { ...entry, url };
}

const connection = (page) => page.getByRole('status', { name: 'Connection' });

/**
 * One measurement in a fresh context: open the library, arm listeners on the <audio> element, then
 * click Play from inside the page so the clock starts at the click itself.
 */
async function measure(browser, host, expectLocal) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(host.url);
    await connection(page)
      .waitFor({ timeout: 15_000 })
      .catch(async (error) => {
        const shot = path.join(path.dirname(getDataDir()), 'logs', `no-connection-${Date.now()}.png`);
        await page.screenshot({ path: shot }).catch(() => undefined);
        throw new Error(
          `${error.message}\n(screenshot: ${shot}; page text: ${(await page.textContent('body').catch(() => ''))?.slice(0, 300)})`,
        );
      });
    await page.getByRole('button', { name: 'Library' }).click();
    const play = page.getByRole('button', { name: `Play ${TITLE}` });
    await play.waitFor({ timeout: 15_000 });
    const times = await play.evaluate(
      (button) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no audio within 10 s')), 10_000);
          const marks = { playing: null, progressed: null };
          let start = 0;
          const audio = () => document.querySelector('audio[data-testid="audio"]');
          const watch = () => {
            const element = audio();
            if (element && !element.__benchArmed) {
              element.__benchArmed = true;
              element.addEventListener('playing', () => (marks.playing ??= performance.now() - start));
            }
            if (element && element.currentTime > 0 && marks.progressed === null)
              marks.progressed = performance.now() - start;
            if (marks.playing !== null && marks.progressed !== null) {
              clearTimeout(timer);
              resolve({ ...marks, src: element.currentSrc });
            } else requestAnimationFrame(watch);
          };
          start = performance.now();
          button.click();
          watch();
        }),
    );
    if (expectLocal !== times.src.includes('/local-media/')) {
      throw new Error(
        `expected a ${expectLocal ? 'local file' : 'stream'}, the player used ${times.src.slice(0, 60)}…`,
      );
    }
    return { playingMs: round(times.playing, 1), firstAudioMs: round(times.progressed, 1) };
  } finally {
    await context.close();
  }
}

async function series(label, browser, host, expectLocal) {
  console.error(`bench: ${label}: warm-up…`);
  const warmup = await measure(browser, host, expectLocal);
  const runs = [];
  for (let i = 1; i <= RUNS; i++) {
    runs.push(await measure(browser, host, expectLocal));
    console.error(`bench: ${label} ${i}/${RUNS}: first audio ${runs.at(-1).firstAudioMs} ms`);
  }
  return {
    case: label,
    warmup,
    medianFirstAudioMs: round(median(runs.map((run) => run.firstAudioMs)), 1),
    medianPlayingMs: round(median(runs.map((run) => run.playingMs)), 1),
    targetMs: TARGETS[label],
    runs,
  };
}

async function signIn(browser, host) {
  const page = await browser.newPage();
  await page.goto(host.url);
  await page.getByLabel('Email or username').fill(ARTIST.username);
  await page.getByLabel('Password', { exact: true }).fill(ARTIST.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await connection(page).getByText('Online').waitFor({ timeout: 15_000 });
  return page;
}

async function download(page) {
  await page.getByRole('button', { name: 'Library' }).click();
  await page.getByRole('button', { name: `Download ${TITLE}` }).click();
  await page.getByRole('button', { name: 'Downloads' }).click();
  const row = page.getByTestId('download-row').first();
  const deadline = Date.now() + 60_000;
  while ((await row.getAttribute('data-state').catch(() => null)) !== 'done') {
    if (Date.now() > deadline) throw new Error('the download did not finish within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main() {
  if (!fs.existsSync(HOST_BUNDLE))
    throw new Error('apps/desktop/dist/host/host.mjs is missing: run `pnpm --filter @veza/desktop build`.');
  const server = await startVeza('veza');
  const token = await artistToken(server);
  const notices = await openNotices(server, token);
  const input = path.join(path.dirname(getDataDir()), 'tone.mp3');
  makeTone(input);
  const { track } = await upload(server, token, input, TITLE);
  await notices.finished(track.id, 120_000);

  const host = await startHost(server.publicUrl);
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  onCleanup(() => browser.close());
  const page = await signIn(browser, host);

  const streamed = await series('streamed', browser, host, false);
  await download(page);
  await page.close();
  // Truly offline: nothing answers on the server's port any more.
  await stopProcess(server);
  const offline = await series('offline', browser, host, true);

  const results = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    runsPerCase: RUNS,
    trackSeconds: TRACK_SECONDS,
    cases: [streamed, offline],
  };
  console.log(`\n## Desktop time to first audio (${results.date})\n`);
  console.log(
    `${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}, Chromium ${browser.version()}\n`,
  );
  console.log(
    table(
      ['case', 'median first audio ms', 'median playing event ms', 'target ms', 'warm-up ms', 'all runs ms'],
      results.cases.map((row) => [
        row.case,
        row.medianFirstAudioMs,
        row.medianPlayingMs,
        `< ${row.targetMs} ${row.medianFirstAudioMs < row.targetMs ? '✓' : '✗'}`,
        row.warmup.firstAudioMs,
        row.runs.map((run) => run.firstAudioMs).join(', '),
      ]),
    ),
  );
  if (process.env.VEZA_BENCH_RUNS)
    console.error(`bench: VEZA_BENCH_RUNS set: scripts/bench/results/${NAME}.json left as it was`);
  else await saveResults(NAME, results);
}

runBench(NAME, HARD_TIMEOUT_MS, main);
