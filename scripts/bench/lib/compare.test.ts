import { describe, expect, it } from 'vitest';
import { compareFigures, comparisonTable, figuresOf, parseArgs, runOrder } from './compare.mjs';

describe('compare-builds command line', () => {
  it('takes two checkouts, the rounds and the benchmarks by name', () => {
    expect(parseArgs(['--base', '../old', '--head', '.', '--rounds', '5', 'fanout', 'chat-latency.mjs'])).toEqual({
      base: '../old',
      head: '.',
      rounds: 5,
      benchmarks: ['fanout', 'chat-latency'],
    });
    expect(parseArgs(['--base', 'a', '--head', 'b', 'auth']).rounds).toBe(3);
  });

  it('refuses what it cannot run, saying how it is used', () => {
    expect(() => parseArgs(['--head', 'b', 'fanout'])).toThrow(/--base and --head are required[\s\S]*usage/);
    expect(() => parseArgs(['--base', 'a', '--head', 'b'])).toThrow(/at least one benchmark/);
    expect(() => parseArgs(['--base', 'a', '--head', 'b', '--rounds', '0', 'fanout'])).toThrow(/positive integer/);
    expect(() => parseArgs(['--base', '--head', 'b', 'fanout'])).toThrow(/--base needs a value/);
    expect(() => parseArgs(['--base', 'a', '--head', 'b', '--runs', '2', 'fanout'])).toThrow(/unknown option --runs/);
  });

  it('alternates base and head, round after round', () => {
    expect(runOrder(2)).toEqual([
      { round: 1, side: 'base' },
      { round: 1, side: 'head' },
      { round: 2, side: 'base' },
      { round: 2, side: 'head' },
    ]);
  });
});

describe('figures of a run', () => {
  it('takes latency, throughput and CPU from chat-latency', () => {
    const figures = figuresOf('chat-latency', {
      date: '2026-12-07T00:00:00Z',
      run: {
        deliveredPerSecond: 1000,
        missing: 0,
        deliverLatencyMs: { p50: 2.3, p99: 5 },
        ackLatencyMs: { p50: 2.4, p99: 5.2 },
        cpuCores: { server: 0.09, postgres: 0.1 },
      },
    });
    expect(figures).toEqual({
      'deliveries/s': 1000,
      'deliver p50 ms': 2.3,
      'deliver p99 ms': 5,
      'ack p50 ms': 2.4,
      'ack p99 ms': 5.2,
      'server CPU cores': 0.09,
      'PostgreSQL CPU cores': 0.1,
      'missing after drain': 0,
    });
  });

  it('names each fan-out run by server, clients and rate, and leaves out what a run did not reach', () => {
    const figures = figuresOf('fanout', {
      runs: [
        { target: 'bare', clients: 1000, rate: 5, deliveredPerSecond: 5000, latencyMs: { p50: 6.9, p99: 14.9 } },
        { target: 'veza', clients: 1000, rate: 5, deliveredPerSecond: 4990, latencyMs: { p50: null, p99: null } },
      ],
      peaks: [{ clients: 1000, veza: 97230, bare: 99999 }],
    });
    expect(figures).toEqual({
      'bare 1000 clients × 5/s: deliveries/s': 5000,
      'bare 1000 clients × 5/s: p50 ms': 6.9,
      'bare 1000 clients × 5/s: p99 ms': 14.9,
      'veza 1000 clients × 5/s: deliveries/s': 4990,
      'peak veza 1000 clients: deliveries/s': 97230,
      'peak bare 1000 clients: deliveries/s': 99999,
    });
  });

  it('takes every number but the run description from a benchmark without its own list', () => {
    expect(
      figuresOf('auth', {
        machine: { cpus: 2 },
        durationSeconds: 10,
        start: { ms: 900 },
        runs: [{ rps: 5 }, { rps: 7 }],
      }),
    ).toEqual({ 'start.ms': 900, 'runs[0].rps': 5, 'runs[1].rps': 7 });
  });
});

describe('the comparison', () => {
  it('gives medians, head / base and whether the two builds overlap', () => {
    const rows = compareFigures(
      [
        { 'p99 ms': 10, 'deliveries/s': 1000 },
        { 'p99 ms': 12, 'deliveries/s': 1010 },
        { 'p99 ms': 11, 'deliveries/s': 990 },
      ],
      [
        { 'p99 ms': 20, 'deliveries/s': 1005 },
        { 'p99 ms': 22, 'deliveries/s': 995 },
        { 'p99 ms': 21, 'deliveries/s': 1000 },
      ],
    );
    expect(rows).toEqual([
      {
        name: 'p99 ms',
        base: { median: 11, min: 10, max: 12, n: 3 },
        head: { median: 21, min: 20, max: 22, n: 3 },
        ratio: 21 / 11,
        overlap: false,
      },
      {
        name: 'deliveries/s',
        base: { median: 1000, min: 990, max: 1010, n: 3 },
        head: { median: 1000, min: 995, max: 1005, n: 3 },
        ratio: 1,
        overlap: true,
      },
    ]);
    const text = comparisonTable(rows);
    expect(text).toContain('| p99 ms | 11 | 21 | 1.91 | 10–12 | 20–22 | **no** |');
    expect(text).toContain('| deliveries/s | 1000 | 1000 | 1.00 | 990–1010 | 995–1005 | yes |');
  });

  it('shows a figure only one build reached, without a ratio', () => {
    const rows = compareFigures([{ 'veza 10000 clients × 20/s: p99 ms': 240 }], []);
    expect(rows[0]).toMatchObject({ ratio: undefined, overlap: undefined, head: undefined });
    expect(comparisonTable(rows)).toContain(
      '| veza 10000 clients × 20/s: p99 ms | 240 | – | – | 240–240 (1 run) | – | – |',
    );
  });
});
