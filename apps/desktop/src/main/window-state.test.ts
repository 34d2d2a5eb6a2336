import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  clampToWorkArea,
  DEFAULT_WINDOW_SIZE,
  initialWindowBounds,
  loadWindowState,
  parseWindowState,
  saveWindowState,
} from './window-state.js';

const screen = { x: 0, y: 0, width: 1920, height: 1040 };

describe('window state', () => {
  it('keeps bounds that already fit', () => {
    expect(clampToWorkArea({ x: 100, y: 50, width: 1200, height: 800 }, screen)).toEqual({
      x: 100,
      y: 50,
      width: 1200,
      height: 800,
    });
  });

  it('brings a window from a vanished monitor back onto the display', () => {
    expect(clampToWorkArea({ x: 3000, y: -500, width: 1200, height: 800 }, screen)).toEqual({
      x: 720,
      y: 0,
      width: 1200,
      height: 800,
    });
  });

  it('shrinks a window bigger than the display, never below the display itself', () => {
    expect(clampToWorkArea({ x: -50, y: -50, width: 4000, height: 3000 }, screen)).toEqual(screen);
    const tiny = { x: 0, y: 0, width: 800, height: 500 };
    expect(clampToWorkArea({ x: 10, y: 10, width: 2000, height: 2000 }, tiny)).toEqual(tiny);
  });

  it('respects the work area origin of a secondary display', () => {
    const right = { x: 1920, y: 0, width: 1280, height: 1000 };
    expect(clampToWorkArea({ x: 1900, y: 100, width: 1000, height: 700 }, right)).toEqual({
      x: 1920,
      y: 100,
      width: 1000,
      height: 700,
    });
  });

  it('validates what it reads', () => {
    const good = { x: 1, y: 2, width: 1000, height: 700, maximized: true };
    expect(parseWindowState(good)).toEqual(good);
    for (const bad of [
      null,
      [],
      'x',
      { ...good, width: 'wide' },
      { ...good, x: Number.NaN },
      { ...good, height: 1e9 },
      { ...good, width: 10 },
      { ...good, x: 1.5 },
      { ...good, maximized: 'yes' },
    ]) {
      expect(parseWindowState(bad)).toBeNull();
    }
  });

  it('starts with the default size when nothing was saved, else the clamped saved bounds', () => {
    expect(initialWindowBounds(null, () => screen)).toEqual({ bounds: DEFAULT_WINDOW_SIZE, maximized: false });
    const seen: unknown[] = [];
    const result = initialWindowBounds({ x: 5000, y: 0, width: 1000, height: 700, maximized: true }, (rect) => {
      seen.push(rect);
      return screen;
    });
    expect(seen).toEqual([{ x: 5000, y: 0, width: 1000, height: 700 }]);
    expect(result).toEqual({ bounds: { x: 920, y: 0, width: 1000, height: 700 }, maximized: true });
  });

  const dir = mkdtemp(path.join(tmpdir(), 'veza-window-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('round-trips through the file and ignores a corrupt one', async () => {
    const file = path.join(await dir, 'window-state.json');
    expect(await loadWindowState(file)).toBeNull();
    const state = { x: 10, y: 20, width: 1100, height: 700, maximized: false };
    await saveWindowState(file, state);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(state);
    expect(await loadWindowState(file)).toEqual(state);
    await writeFile(file, '{not json');
    expect(await loadWindowState(file)).toBeNull();
  });
});
