import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from './series.js';

const HEIGHT = 180;
/** Lines are drawn in these theme colours, in order (defined per theme in app.css). */
const LINE_VARS = ['--chart-1', '--chart-2', '--chart-3'];

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Days are UTC days (the rollups'), so the axis is drawn in UTC: no day shifts by the viewer's zone. */
const utc = (seconds: number): Date => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC');

function options(data: ChartData, width: number, valueFormat: (v: number) => string): uPlot.Options {
  const text = cssVar('--text-3');
  const grid = cssVar('--border');
  const font = `11px ${getComputedStyle(document.body).fontFamily}`;
  const axis: uPlot.Axis = { stroke: text, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const few = data.x.length <= 16;
  return {
    width,
    height: HEIGHT,
    tzDate: utc,
    legend: { show: data.lines.length > 1 },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [axis, { ...axis, size: 48, values: (_u, splits) => splits.map(valueFormat) }],
    series: [
      { value: '{D} {MMM} {YYYY}' },
      ...data.lines.map((line, i) => {
        const colour = cssVar(LINE_VARS[i % LINE_VARS.length]!);
        return {
          label: line.label,
          stroke: colour,
          width: 2,
          // Only the first line is filled: two filled areas would hide each other.
          ...(i === 0 ? { fill: `color-mix(in srgb, ${colour} 14%, transparent)` } : {}),
          points: { show: few, size: 6, fill: colour },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : valueFormat(v)),
        };
      }),
    ],
  };
}

/**
 * A time-series chart (uPlot, on canvas). It follows its container's width and redraws itself in
 * the new colours when the theme changes. The figures are also in a table or a heading beside
 * it: a canvas says nothing to a screen reader, so `label` summarises it.
 */
export function LineChart({
  data,
  label,
  valueFormat = (v) => String(Math.round(v * 100) / 100),
}: {
  data: ChartData;
  label: string;
  valueFormat?: (value: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const format = useRef(valueFormat);
  format.current = valueFormat;

  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    let chart: uPlot | null = null;
    const draw = () => {
      chart?.destroy();
      const aligned: uPlot.AlignedData = [data.x, ...data.lines.map((l) => l.values)];
      chart = new uPlot(
        options(data, Math.max(el.clientWidth, 200), (v) => format.current(v)),
        aligned,
        el,
      );
    };
    draw();
    const resize = new ResizeObserver(() => chart?.setSize({ width: Math.max(el.clientWidth, 200), height: HEIGHT }));
    resize.observe(el);
    const theme = new MutationObserver(draw);
    theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      resize.disconnect();
      theme.disconnect();
      chart?.destroy();
    };
  }, [data]);

  return <div className="line-chart" ref={box} role="img" aria-label={label} />;
}
