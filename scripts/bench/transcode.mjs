#!/usr/bin/env node
/**
 * Transcoding benchmark: how fast packages/audio turns a 3-minute upload into what a track needs.
 *  - ladder: `probe` + `transcodeLadder` (the 3-rung AAC ladder 64k/128k/256k, HLS fMP4, loudness
 *    measured in the same ffmpeg pass): wall time, × realtime (DESIGN.md target ≥ 20×) and CPU;
 *  - job: what the processing job pays after the upload (apps/server/src/features/media/processing.ts):
 *    ladder + computePeaks + packageRendition and SHA-256 for each of the 3 renditions;
 *  - breakdown: each stage alone (decode, loudness, each rung), one run, to see where the CPU goes.
 * Three inputs, stereo 44.1 kHz, 180 s (lib/media.mjs): the demo piece "Glass Arpeggio" rendered
 * at 3 minutes as FLAC (tonal, sparse spectrum), the same with pink noise mixed in as FLAC
 * (dense, full spectrum, like most produced music) and that as a 320 kbit/s MP3.
 *
 *   node scripts/bench/transcode.mjs       (or `pnpm bench`, which runs every bench file)
 *
 * ffmpeg runs as a child of this process, as it does under the server; its CPU is read from
 * /proc/self/stat (children waited for). Prints Markdown tables and writes
 * scripts/bench/results/transcode.json. Stops everything it started and removes its temporary
 * directory, also on error; gives up after HARD_TIMEOUT_MS.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { getDataDir, machineInfo, machineTicks, median, round, runBench, saveResults, table } from './lib/harness.mjs';
import { INPUT_SECONDS, loadAudio, makeInputs, processCpu, serverBuild } from './lib/media.mjs';

const NAME = 'transcode';
const HARD_TIMEOUT_MS = 12 * 60_000;
const LADDER_RUNS = 3;
const JOB_RUNS = 2;
const INPUT_NAMES = ['tonal.flac', 'dense.flac', 'dense.mp3'];
const BREAKDOWN_INPUTS = ['tonal.flac', 'dense.flac'];
const CLOCK_TICKS = 100;
const run = promisify(execFile);

/** Wall time, CPU of this process and of the ffmpeg runs it waited for, and the machine's busy cores. */
async function measured(fn) {
  const cpuBefore = processCpu();
  const machineBefore = machineTicks();
  const startedAt = performance.now();
  const value = await fn();
  const wallMs = performance.now() - startedAt;
  const cpuAfter = processCpu();
  const machineAfter = machineTicks();
  return {
    value,
    wallMs,
    ffmpegCpuS: round(cpuAfter.reaped - cpuBefore.reaped, 2),
    nodeCpuS: round(cpuAfter.self - cpuBefore.self, 2),
    machineCores:
      machineBefore && machineAfter
        ? round((machineAfter.busy - machineBefore.busy) / CLOCK_TICKS / (wallMs / 1000), 2)
        : null,
  };
}

async function ladderRun(audio, tools, input, outDir) {
  const probing = await measured(() => audio.probe(input.file, { tools }));
  const ladder = await measured(() =>
    audio.transcodeLadder({ file: input.file, probed: probing.value }, outDir, audio.DEFAULT_LADDER, { tools }),
  );
  const segment = path.join(outDir, '128k', 'seg_00001.m4s');
  return {
    probeMs: round(probing.wallMs),
    ladderMs: round(ladder.wallMs),
    realtime: round(INPUT_SECONDS / (ladder.wallMs / 1000), 1),
    ffmpegCpuS: ladder.ffmpegCpuS,
    realtimePerCpuSecond: round(INPUT_SECONDS / ladder.ffmpegCpuS, 1),
    nodeCpuS: ladder.nodeCpuS,
    machineCores: ladder.machineCores,
    segments: ladder.value.variants.map((variant) => variant.segmentCount),
    bandwidth: ladder.value.variants.map((variant) => variant.averageBandwidth),
    segment128kBytes: (await fsp.stat(segment)).size,
    loudnessLufs: ladder.value.loudness.integratedLufs,
  };
}

async function sha256Of(file) {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

/** What trackProcessingHandler does between claiming the job and publishing, step by step. */
async function jobRun(audio, tools, input, workDir) {
  const out = path.join(workDir, 'v1');
  await fsp.mkdir(out, { recursive: true });
  const options = { tools };
  const whole = await measured(async () => {
    const steps = {};
    const ladder = await measured(() =>
      audio.transcodeLadder(input, path.join(out, 'hls'), audio.DEFAULT_LADDER, options),
    );
    steps.ladderMs = ladder.wallMs;
    const peaks = await measured(async () => {
      const computed = await audio.computePeaks(input, options);
      await fsp.writeFile(path.join(out, 'peaks.json'), JSON.stringify(computed));
    });
    steps.peaksMs = peaks.wallMs;
    await fsp.mkdir(path.join(out, 'download'));
    steps.packageMs = 0;
    steps.sha256Ms = 0;
    for (const variant of ladder.value.variants) {
      const file = path.join(out, 'download', `${variant.id}.m4a`);
      const packaging = await measured(() => audio.packageRendition(path.join(out, 'hls', variant.id), file, options));
      steps.packageMs += packaging.wallMs;
      const hashing = await measured(() => sha256Of(file));
      steps.sha256Ms += hashing.wallMs;
    }
    return steps;
  });
  return {
    totalMs: round(whole.wallMs),
    ...Object.fromEntries(Object.entries(whole.value).map(([key, ms]) => [key, round(ms)])),
    realtime: round(INPUT_SECONDS / (whole.wallMs / 1000), 1),
    ffmpegCpuS: whole.ffmpegCpuS,
    nodeCpuS: whole.nodeCpuS,
    machineCores: whole.machineCores,
  };
}

/** Each stage of the ladder's ffmpeg pass alone: CPU seconds of one ffmpeg run each. */
async function breakdown(audio, tools, input, workDir) {
  const ffmpegCpu = async (args, cwd) => (await measured(() => run(tools.ffmpeg, args, { cwd }))).ffmpegCpuS;
  const decodeArgs = [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-i',
    input.file,
    '-map',
    '0:a:0',
    '-af',
    'aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo',
    '-f',
    'null',
    '-',
  ];
  await fsp.mkdir(workDir, { recursive: true });
  const out = { decodeAndResample: await ffmpegCpu(decodeArgs, workDir) };
  out.decodeAndLoudness = (await measured(() => audio.measureLoudness(input, { tools }))).ffmpegCpuS;
  for (const rung of audio.DEFAULT_LADDER) {
    const dir = path.join(workDir, `rung-${rung.id}`);
    await fsp.mkdir(path.join(dir, rung.id), { recursive: true });
    const args = audio.ladderArgs({ file: input.file, demuxer: input.probed.demuxer }, [rung], {
      segmentSeconds: 6,
      measureLoudness: false,
    });
    out[`decodeAndRung${rung.id}`] = await ffmpegCpu(args, dir);
  }
  return out;
}

function summarise(runs, keys) {
  return Object.fromEntries(
    keys.map((key) => [key, round(median(runs.map((r) => r[key])), key.endsWith('Ms') ? 0 : 1)]),
  );
}

function report(results) {
  const out = [];
  const m = results.machine;
  out.push(`## Transcoding benchmark (${results.date})`, '');
  out.push(`${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}, ${results.ffmpeg}`, '');
  out.push(`### Ladder: probe + transcodeLadder, 3 rungs, one ffmpeg pass (median of ${LADDER_RUNS})`, '');
  out.push(
    table(
      [
        'input (180 s)',
        'probe ms',
        'ladder ms',
        '× realtime',
        'ffmpeg CPU s',
        '× realtime per CPU second',
        'machine busy cores',
        'all runs: ladder ms',
      ],
      results.inputs.map((input) => [
        input.name,
        input.ladder.median.probeMs,
        input.ladder.median.ladderMs,
        input.ladder.median.realtime,
        input.ladder.median.ffmpegCpuS,
        input.ladder.median.realtimePerCpuSecond,
        input.ladder.median.machineCores,
        input.ladder.runs.map((r) => r.ladderMs).join(', '),
      ]),
    ),
    '',
  );
  out.push(`### Processing job: ladder + peaks + 3 × (package + SHA-256) (median of ${JOB_RUNS})`, '');
  out.push(
    table(
      ['input', 'total ms', '× realtime', 'ladder ms', 'peaks ms', 'package ×3 ms', 'SHA-256 ×3 ms', 'ffmpeg CPU s'],
      results.inputs.map((input) => [
        input.name,
        input.job.median.totalMs,
        input.job.median.realtime,
        input.job.median.ladderMs,
        input.job.median.peaksMs,
        input.job.median.packageMs,
        input.job.median.sha256Ms,
        input.job.median.ffmpegCpuS,
      ]),
    ),
    '',
  );
  out.push('### Where the ladder CPU goes (ffmpeg CPU seconds, each stage alone, one run)', '');
  const stages = Object.keys(results.breakdown[0]?.cpuS ?? {});
  out.push(
    table(
      ['input', ...stages],
      results.breakdown.map((row) => [row.name, ...stages.map((stage) => row.cpuS[stage])]),
    ),
    '',
  );
  for (const note of results.notes) out.push(`- ${note}`);
  return out.join('\n');
}

async function main() {
  const audio = await loadAudio();
  const tools = audio.findAudioTools();
  const versions = await audio.checkAudioTools(tools);
  const work = path.join(path.dirname(getDataDir()), 'work');
  console.error('bench: synthesising the inputs…');
  const inputs = await makeInputs(audio, path.join(work, 'inputs'), INPUT_NAMES);

  const ladderRuns = Object.fromEntries(INPUT_NAMES.map((name) => [name, []]));
  const jobRuns = Object.fromEntries(INPUT_NAMES.map((name) => [name, []]));
  // Rounds go over the inputs in turn, so a busy spell on the machine does not land on one input.
  for (let i = 0; i < LADDER_RUNS; i++) {
    for (const name of INPUT_NAMES) {
      console.error(`bench: ladder ${name} ${i + 1}/${LADDER_RUNS}…`);
      const outDir = path.join(work, `ladder-${name}-${i}`);
      ladderRuns[name].push(await ladderRun(audio, tools, inputs[name], outDir));
      await fsp.rm(outDir, { recursive: true, force: true });
    }
  }
  for (let i = 0; i < JOB_RUNS; i++) {
    for (const name of INPUT_NAMES) {
      console.error(`bench: job ${name} ${i + 1}/${JOB_RUNS}…`);
      const dir = path.join(work, `job-${name}-${i}`);
      jobRuns[name].push(await jobRun(audio, tools, inputs[name], dir));
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }
  const breakdownRows = [];
  for (const name of BREAKDOWN_INPUTS) {
    console.error(`bench: stage breakdown ${name}…`);
    const dir = path.join(work, `breakdown-${name}`);
    breakdownRows.push({ name, cpuS: await breakdown(audio, tools, inputs[name], dir) });
    await fsp.rm(dir, { recursive: true, force: true });
  }

  const ladderKeys = ['probeMs', 'ladderMs', 'realtime', 'ffmpegCpuS', 'realtimePerCpuSecond', 'machineCores'];
  const jobKeys = ['totalMs', 'realtime', 'ladderMs', 'peaksMs', 'packageMs', 'sha256Ms', 'ffmpegCpuS'];
  const results = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    server: await serverBuild(),
    ffmpeg: `ffmpeg ${versions.ffmpegVersion}`,
    inputSeconds: INPUT_SECONDS,
    inputs: INPUT_NAMES.map((name) => ({
      name,
      format: inputs[name].probed.format,
      codec: inputs[name].probed.codec,
      sampleRate: inputs[name].probed.sampleRate,
      channels: inputs[name].probed.channels,
      bytes: inputs[name].bytes,
      pcmMd5: inputs[name].pcmMd5,
      ladder: { median: summarise(ladderRuns[name], ladderKeys), runs: ladderRuns[name] },
      job: { median: summarise(jobRuns[name], jobKeys), runs: jobRuns[name] },
    })),
    breakdown: breakdownRows,
    notes: [
      '× realtime = 180 s of audio / wall time. ffmpeg CPU s is the CPU of the ffmpeg processes (read from ' +
        '/proc/self/stat once they exited); × realtime per CPU second is what one dedicated core would give.',
      'ffmpeg 5.1 encodes the three rungs one after the other on one thread, so the ladder wall time is about its ' +
        'CPU time when a core is free; machine busy cores = all busy CPU during the run (2 would mean no core was free).',
      'Breakdown: each stage as its own ffmpeg run over the whole input; a rung alone includes decoding and ' +
        'resampling to 48 kHz (the decodeAndResample column).',
    ],
  };
  console.log(report(results));
  await saveResults(NAME, results);
}

runBench(NAME, HARD_TIMEOUT_MS, main);
