import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test-support/shell-run.js';
import { ENV_SUBSTITUTIONS, type StandIns } from './documented-commands.js';

/**
 * Where documented commands run: a fresh copy of the checkout, and the stand-ins of its
 * environment. Every command run here gets, besides ENV_SUBSTITUTIONS:
 * - VEZA_PORT and VEZA_WEB_PORT: free ports (the defaults 8080 and 5174 may be taken);
 * - ELECTRON_MIRROR: a closed port on 127.0.0.1, and an empty electron_config_cache: a test never
 *   downloads Electron, and the download fails for real, as it does without internet;
 * - PATH starting with a dir that holds `veza-server` (the bin @veza/server declares, as an
 *   installed package links it) and `xdg-open` (writes the URL it is given to a file instead of
 *   opening a browser);
 * - no DATABASE_URL and no other VEZA_* variable of the test's own environment.
 */
export class Sandbox {
  readonly binDir: string;
  readonly openedUrlsFile: string;
  private readonly dataDirs = new Map<string, string>();

  private constructor(
    readonly checkout: string,
    private readonly scratch: string,
    readonly electronMirrorPort: number,
  ) {
    this.binDir = path.join(scratch, 'bin');
    this.openedUrlsFile = path.join(scratch, 'opened-urls.txt');
  }

  static async create(checkout: string): Promise<Sandbox> {
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-docs-sandbox-'));
    const sandbox = new Sandbox(checkout, scratch, await freePort());
    await fs.mkdir(sandbox.binDir);
    await fs.mkdir(path.join(scratch, 'electron-cache'));
    // The bin @veza/server declares, as `npm install -g` or a container image would link it.
    const serverPackage = path.join(checkout, 'apps', 'server');
    const bin = JSON.parse(await fs.readFile(path.join(serverPackage, 'package.json'), 'utf8')).bin;
    const cli = path.join(serverPackage, typeof bin === 'string' ? bin : bin['veza-server']);
    await executable(path.join(sandbox.binDir, 'veza-server'), `exec "${process.execPath}" "${cli}" "$@"`);
    await executable(path.join(sandbox.binDir, 'xdg-open'), `printf '%s\\n' "$1" >> "${sandbox.openedUrlsFile}"`);
    return sandbox;
  }

  /** A temp dir for a data dir: directly under the tmpdir, which the postgres user can traverse. */
  async newDataDir(): Promise<string> {
    return fs.mkdtemp(path.join(os.tmpdir(), 'veza-docs-data-'));
  }

  /** The line's environment and its command without the leading VAR=value assignments. */
  async prepare(line: string): Promise<PreparedRun> {
    const { assignments, command } = splitAssignments(line);
    const port = await freePort();
    const documentedDirs = assignments.filter(([name]) => name === 'VEZA_DATA_DIR').map(([, value]) => value);
    for (const value of documentedDirs) {
      if (!this.dataDirs.has(value)) this.dataDirs.set(value, await this.newDataDir());
    }
    const stand: StandIns = { port, dataDir: (value) => this.dataDirs.get(value)! };
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([key]) => key !== 'DATABASE_URL' && !key.startsWith('VEZA_')),
      ),
      PATH: `${this.binDir}${path.delimiter}${process.env.PATH ?? ''}`,
      VEZA_PORT: String(port),
      VEZA_WEB_PORT: String(await freePort()),
      ELECTRON_MIRROR: `http://127.0.0.1:${this.electronMirrorPort}/`,
      electron_config_cache: path.join(this.scratch, 'electron-cache'),
      npm_config_update_notifier: 'false',
    };
    for (const [name, value] of assignments) {
      const substitute = ENV_SUBSTITUTIONS[name];
      if (!substitute) {
        throw new Error(
          `"${line}" sets ${name}: add ${name} to ENV_SUBSTITUTIONS in scripts/docs/documented-commands.ts ` +
            '(as written, or with a stand-in for the test).',
        );
      }
      env[name] = substitute(value, stand);
    }
    // Without VEZA_DATA_DIR the server uses ./data of the copy, as it would for a reader who runs
    // the lines one after another in their clone: those lines share it.
    return { command, env, port, dataDir: env.VEZA_DATA_DIR ?? path.join(this.checkout, 'data') };
  }

  async remove(): Promise<void> {
    await fs.rm(this.scratch, { recursive: true, force: true });
    for (const dir of this.dataDirs.values()) await fs.rm(dir, { recursive: true, force: true });
  }
}

export interface PreparedRun {
  command: string;
  env: NodeJS.ProcessEnv;
  /** The server's port (VEZA_PORT). */
  port: number;
  /** The server's data dir (VEZA_DATA_DIR). */
  dataDir: string;
}

async function executable(file: string, body: string): Promise<void> {
  await fs.writeFile(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

/** `A=1 B=2 cmd …` → the assignments and `cmd …` (values without spaces or quotes, as the docs write them). */
export function splitAssignments(line: string): { assignments: [string, string][]; command: string } {
  const assignments: [string, string][] = [];
  let rest = line.trim();
  for (let match = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s+/.exec(rest); match;) {
    assignments.push([match[1]!, match[2]!]);
    rest = rest.slice(match[0].length);
    match = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s+/.exec(rest);
  }
  return { assignments, command: rest };
}
