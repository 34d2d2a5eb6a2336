import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: ROOT });

async function lintAs(relativePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, relativePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

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
