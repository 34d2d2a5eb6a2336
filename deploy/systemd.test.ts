import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepoFile, requireTool, runTool } from './tools.js';

const UNIT = 'deploy/systemd/veza.service';
const DOCUMENTED_NODE = '/usr/bin/node';

/** The unit's [Service] settings, every value of each key in order. */
function serviceSettings(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    if (section !== 'Service') continue;
    const at = line.indexOf('=');
    const key = line.slice(0, at);
    settings.set(key, [...(settings.get(key) ?? []), line.slice(at + 1)]);
  }
  return settings;
}

describe('the systemd unit', () => {
  const unitText = readRepoFile(UNIT);
  const settings = serviceSettings(unitText);
  const one = (key: string): string | undefined => settings.get(key)?.at(-1);
  let dir: string;
  let verifiable: string;

  beforeAll(() => {
    // verify needs ExecStart's binary to exist: a copy pointing at this machine's node.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veza-unit-'));
    verifiable = path.join(dir, 'veza.service');
    expect(unitText).toContain(`ExecStart=${DOCUMENTED_NODE} `);
    fs.writeFileSync(verifiable, unitText.replace(`ExecStart=${DOCUMENTED_NODE} `, `ExecStart=${process.execPath} `));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes systemd-analyze verify without a single warning', () => {
    const analyze = requireTool('systemd-analyze', 'systemd');
    const result = runTool(analyze, ['verify', verifiable]);
    // verify exits 0 on unknown keys and unparsable values; it only says so on stderr.
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('rates at most 2.0 in systemd-analyze security (0 is the most locked down, 10 the least)', () => {
    const analyze = requireTool('systemd-analyze', 'systemd');
    const result = runTool(analyze, ['security', '--offline=yes', '--threshold=20', '--no-pager', verifiable]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /Overall exposure level for veza\.service: [01]\.\d|Overall exposure level for veza\.service: 2\.0/,
    );
  });

  it('runs as its own user with the hardening the operations guide promises', () => {
    expect(one('User')).toBe('veza');
    expect(one('ExecStart')).toBe(`${DOCUMENTED_NODE} /opt/veza/dist/cli.js serve`);
    expect(one('StateDirectory')).toBe('veza');
    expect(settings.get('Environment')?.join(' ')).toContain('VEZA_DATA_DIR=/var/lib/veza');
    expect(one('ReadWritePaths')).toBe('/var/lib/veza');
    expect(one('EnvironmentFile')).toBe('-/etc/veza/veza.env');
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['CapabilityBoundingSet', ''],
      ['SystemCallFilter', '@system-service'],
      ['Restart', 'on-failure'],
      ['KillSignal', 'SIGTERM'],
    ] as const) {
      expect(one(key), key).toBe(value);
    }
    expect(one('RestrictAddressFamilies')?.split(' ').sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
  });

  it('leaves V8 its JIT: MemoryDenyWriteExecute is not set', () => {
    expect(settings.has('MemoryDenyWriteExecute')).toBe(false);
  });

  it('waits longer than the server’s own 30 s shutdown before it kills', () => {
    const stop = one('TimeoutStopSec') ?? '';
    expect(stop).toMatch(/^\d+$/);
    expect(Number(stop)).toBeGreaterThan(30);
  });

  it('ships an example environment file with only variables the server knows', () => {
    const example = readRepoFile('deploy/systemd/veza.env.example');
    const documented = readRepoFile('docs/configuration.md');
    const names = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]!);
    expect(names.length).toBeGreaterThan(3);
    for (const name of names) {
      const base = name.endsWith('_FILE') ? name.slice(0, -'_FILE'.length) : name;
      expect(documented, `${name} in docs/configuration.md`).toContain(`\`${base}`);
    }
  });
});
