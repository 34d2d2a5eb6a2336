import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: ROOT });

async function lintAs(relativePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, relativePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

// The first lint loads the config, its plugins and the TypeScript parser: seconds on a busy machine.
beforeAll(() => lintAs('apps/server/src/warm-up.ts', 'export {};\n'), 60_000);

describe('import boundaries', () => {
  it.each([
    ["import { readFile } from 'node:fs/promises';\nexport const f = readFile;\n", 'no-restricted-imports'],
    ["import path from 'path';\nexport const p = path;\n", 'no-restricted-imports'],
    ["import pg from 'pg';\nexport const p = pg;\n", 'no-restricted-imports'],
    ['export const w = window.location;\n', 'no-restricted-globals'],
    ['export const b = Buffer.from([]);\n', 'no-restricted-globals'],
  ])('refuses %j in packages/shared', async (code, rule) => {
    const problems = await lintAs('packages/shared/src/boundary-probe.ts', code);
    expect(problems.some((p) => p.startsWith(rule))).toBe(true);
  });

  it('allows runtime-neutral code in packages/shared', async () => {
    const problems = await lintAs(
      'packages/shared/src/boundary-probe.ts',
      "import { Type } from 'typebox';\nexport const S = Type.String();\n",
    );
    expect(problems).toEqual([]);
  });

  it('allows Node imports on the server', async () => {
    const problems = await lintAs(
      'apps/server/src/boundary-probe.ts',
      "import fs from 'node:fs';\nexport const f = fs;\n",
    );
    expect(problems).toEqual([]);
  });

  it.each([
    ["import fs from 'node:fs';\nexport const f = fs;\n", 'no-restricted-imports'],
    ["import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n", 'no-restricted-imports'],
    [
      "import { DesktopCore } from '../core/desktop-core.js';\nexport const c = DesktopCore;\n",
      'no-restricted-imports',
    ],
    [
      'export const View = (p: { html: string }) => <div dangerouslySetInnerHTML={{ __html: p.html }} />;\n',
      'no-restricted-syntax',
    ],
    ['export function put(e: HTMLElement, t: string) {\n  e.innerHTML = t;\n}\n', 'no-restricted-syntax'],
    ["export const canUpload = (user: { role: string }) => user.role === 'artist';\n", 'no-restricted-syntax'],
    ["export const isAdmin = (role: string) => 'admin' !== role;\n", 'no-restricted-syntax'],
  ])('refuses %j in the desktop renderer', async (code, rule) => {
    const problems = await lintAs('apps/desktop/src/renderer/boundary-probe.tsx', code);
    expect(problems.some((p) => p.startsWith(rule))).toBe(true);
  });

  it.each(['apps/desktop/src/core/boundary-probe.ts', 'apps/desktop/src/common/boundary-probe.ts'])(
    'refuses Electron in %s',
    async (file) => {
      const problems = await lintAs(file, "import { app } from 'electron';\nexport const a = app;\n");
      expect(problems.some((p) => p.startsWith('no-restricted-imports'))).toBe(true);
    },
  );

  it('refuses Node built-ins in desktop common/ but allows them in core', async () => {
    const code = "import path from 'node:path';\nexport const p = path;\n";
    expect((await lintAs('apps/desktop/src/common/boundary-probe.ts', code)).length).toBeGreaterThan(0);
    expect(await lintAs('apps/desktop/src/core/boundary-probe.ts', code)).toEqual([]);
  });
});

describe('server feature boundaries', () => {
  const FEATURES_DIR = path.join(ROOT, 'apps/server/src/features');

  it.each([
    [
      'apps/server/src/features/media/boundary-probe.ts',
      "import { HotCache } from '../media/hot-cache.js';\nimport { actorOf } from '../auth/actor.js';\nexport const a = [HotCache, actorOf];\n",
    ],
    [
      'apps/server/src/features/chat/gateway/boundary-probe.ts',
      "import { trackColumns } from '../../media/track-rows.js';\nexport const t = trackColumns;\n",
    ],
    ['apps/server/src/features/library/boundary-probe.ts', "export { ChatService } from '../chat/service.js';\n"],
    ['apps/server/src/features/library/boundary-probe.ts', "export * from '../chat/gateway/hub.js';\n"],
    [
      'apps/server/src/features/library/boundary-probe.ts',
      "export const load = () => import('../media/service.js');\n",
    ],
    [
      'apps/server/src/features/library/boundary-probe.ts',
      "import type { MediaService } from '../media/service.js';\nexport type M = MediaService;\n",
    ],
    [
      'apps/server/src/features/library/boundary-probe.ts',
      "import { FEATURES } from '../index.js';\nexport const f = FEATURES;\n",
    ],
  ])('refuses a deep cross-feature import in %s: %j', async (file, code) => {
    const problems = await lintAs(file, code);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith('veza/feature-imports'))).toBe(true);
  });

  it("accepts another feature's index, the feature's own files, the module type and infrastructure", async () => {
    const problems = await lintAs(
      'apps/server/src/features/chat/gateway/boundary-probe.ts',
      [
        "import { actorOf } from '../../auth/index.js';",
        "import { ChatService } from '../service.js';",
        "import { ChatHub } from './hub.js';",
        "import { defineFeature } from '../../feature-module.js';",
        "import { AppError } from '../../../infra/errors.js';",
        "import { Type } from 'typebox';",
        'export const all = [actorOf, ChatService, ChatHub, defineFeature, AppError, Type];',
        '',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
  });

  it('leaves the wiring outside the features alone', async () => {
    const problems = await lintAs(
      'apps/server/src/boundary-probe.ts',
      "import { MediaService } from './features/media/service.js';\nexport const m = MediaService;\n",
    );
    expect(problems).toEqual([]);
  });

  /** Which features each feature imports (type imports included), read from the source. */
  function featureGraph(): Map<string, Set<string>> {
    const graph = new Map<string, Set<string>>();
    const features = readdirSync(FEATURES_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    for (const feature of features) {
      const uses = new Set<string>();
      graph.set(feature.name, uses);
      const files = readdirSync(path.join(FEATURES_DIR, feature.name), { recursive: true, encoding: 'utf8' });
      for (const file of files.filter((name) => name.endsWith('.ts'))) {
        const full = path.join(FEATURES_DIR, feature.name, file);
        const source = readFileSync(full, 'utf8');
        for (const [, specifier] of source.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
          const target = path.relative(FEATURES_DIR, path.resolve(path.dirname(full), specifier!)).split(path.sep);
          if (target.length > 1 && target[0] !== '..' && target[0] !== feature.name) uses.add(target[0]!);
        }
      }
    }
    return graph;
  }

  it('has no import cycles between features', () => {
    const graph = featureGraph();
    // The real graph has edges, so an empty reading would mean the parser broke.
    expect(graph.get('chat')?.has('auth')).toBe(true);
    const cycles: string[] = [];
    const visit = (feature: string, trail: string[]): void => {
      if (trail.includes(feature)) {
        cycles.push([...trail.slice(trail.indexOf(feature)), feature].join(' → '));
        return;
      }
      for (const next of graph.get(feature) ?? []) visit(next, [...trail, feature]);
    };
    for (const feature of graph.keys()) visit(feature, []);
    expect(cycles).toEqual([]);
  });
});
