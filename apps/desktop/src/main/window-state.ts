import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MIN_WINDOW_HEIGHT, MIN_WINDOW_WIDTH } from './window-options.js';

/** Remembered between launches in userData/window-state.json. */
export interface WindowState {
  x: number;
  y: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 800 };
const MAX_EDGE = 16_384;

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** The saved state if the file's content is a plausible one, otherwise null (never throws). */
export function parseWindowState(raw: unknown): WindowState | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const value = raw as Record<string, unknown>;
  if (!isInteger(value.x, -MAX_EDGE, MAX_EDGE) || !isInteger(value.y, -MAX_EDGE, MAX_EDGE)) return null;
  if (!isInteger(value.width, 100, MAX_EDGE) || !isInteger(value.height, 100, MAX_EDGE)) return null;
  if (typeof value.maximized !== 'boolean') return null;
  return { x: value.x, y: value.y, width: value.width, height: value.height, maximized: value.maximized };
}

/**
 * Fits saved bounds inside a display's work area (the display `screen.getDisplayMatching` picks:
 * the one the window overlaps most, or the nearest). A window saved on a monitor that is gone, or
 * bigger than the current one, comes back whole and visible.
 */
export function clampToWorkArea(bounds: Rect, workArea: Rect): Rect {
  const width = Math.max(Math.min(bounds.width, workArea.width), Math.min(MIN_WINDOW_WIDTH, workArea.width));
  const height = Math.max(Math.min(bounds.height, workArea.height), Math.min(MIN_WINDOW_HEIGHT, workArea.height));
  const x = Math.min(Math.max(bounds.x, workArea.x), workArea.x + workArea.width - width);
  const y = Math.min(Math.max(bounds.y, workArea.y), workArea.y + workArea.height - height);
  return { x, y, width, height };
}

/** Where the window opens: saved and clamped, or the default size centred by Electron. */
export function initialWindowBounds(
  saved: WindowState | null,
  workAreaFor: (rect: Rect) => Rect,
): { bounds: Partial<Rect> & { width: number; height: number }; maximized: boolean } {
  if (!saved) return { bounds: { ...DEFAULT_WINDOW_SIZE }, maximized: false };
  const rect = { x: saved.x, y: saved.y, width: saved.width, height: saved.height };
  return { bounds: clampToWorkArea(rect, workAreaFor(rect)), maximized: saved.maximized };
}

export async function loadWindowState(file: string): Promise<WindowState | null> {
  try {
    return parseWindowState(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return null;
  }
}

export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  await writeFile(temporary, JSON.stringify(state));
  await rename(temporary, file);
}
