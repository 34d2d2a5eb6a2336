/**
 * Turns pino's JSON lines into lines for people reading a terminal:
 *   14:03:07.215 INFO  veza-server ready url=http://127.0.0.1:8080 startMs=812
 * It formats what pino already serialised, so redaction (done before serialising) holds in both
 * formats alike.
 */

const LEVELS: Record<number, { label: string; color: string }> = {
  10: { label: 'TRACE', color: '\x1b[90m' },
  20: { label: 'DEBUG', color: '\x1b[90m' },
  30: { label: 'INFO ', color: '\x1b[32m' },
  40: { label: 'WARN ', color: '\x1b[33m' },
  50: { label: 'ERROR', color: '\x1b[31m' },
  60: { label: 'FATAL', color: '\x1b[35m' },
};
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

/** Fields every line has, or that the line shows in its own way. */
const SHOWN_APART = new Set([
  'level',
  'time',
  'msg',
  'service',
  'pid',
  'hostname',
  'req',
  'res',
  'err',
  'responseTime',
]);

export interface PrettyOptions {
  colors: boolean;
}

export function formatLogLine(json: string, { colors }: PrettyOptions): string {
  let line: Record<string, unknown>;
  try {
    line = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const paint = (color: string, text: string): string => (colors ? `${color}${text}${RESET}` : text);
  const level = LEVELS[Number(line.level)] ?? { label: String(line.level).padEnd(5), color: '' };

  const parts = [paint(DIM, clockTime(line.time)), paint(level.color, level.label)];
  if (typeof line.msg === 'string' && line.msg !== '') parts.push(line.msg);
  const req = line.req as { method?: unknown; url?: unknown } | undefined;
  if (req && typeof req === 'object') parts.push(`${String(req.method)} ${String(req.url)}`);
  const res = line.res as { statusCode?: unknown } | undefined;
  if (res && typeof res === 'object' && res.statusCode !== undefined) parts.push(String(res.statusCode));
  if (typeof line.responseTime === 'number') parts.push(`${line.responseTime.toFixed(1)} ms`);

  const fields = Object.entries(line)
    .filter(([key, value]) => !SHOWN_APART.has(key) && value !== undefined)
    .map(([key, value]) => paint(DIM, `${key}=`) + formatValue(value));
  let text = [...parts, ...fields].join(' ');

  const err = line.err as { message?: unknown; stack?: unknown } | undefined;
  if (err && typeof err === 'object') {
    const detail = typeof err.stack === 'string' ? err.stack : String(err.message);
    text += `\n${detail
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}`;
  }
  return `${text}\n`;
}

function clockTime(time: unknown): string {
  const date = new Date(typeof time === 'string' || typeof time === 'number' ? time : Date.now());
  if (Number.isNaN(date.getTime())) return String(time);
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** A pino destination that writes each line formatted for people. */
export class PrettyDestination {
  constructor(
    private readonly output: { write(text: string): unknown },
    private readonly options: PrettyOptions,
  ) {}

  write(chunk: string): void {
    // pino writes one line per call; split anyway in case a caller batches.
    for (const line of chunk.split('\n')) if (line !== '') this.output.write(formatLogLine(line, this.options));
  }
}
