/**
 * electron-builder.yml, checked without building anything: it parses, it matches
 * electron-builder's own JSON schema (the scheme.json electron-builder validates against), and
 * the security settings and file list are what the desktop issue requires.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const desktopDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const configFile = path.resolve(desktopDir, '../../electron-builder.yml');

// js-yaml and ajv are not our dependencies: reach the copies electron-builder itself uses.
const fromDesktop = createRequire(path.join(desktopDir, 'package.json'));
const fromBuilder = createRequire(fromDesktop.resolve('electron-builder/package.json'));
const fromBuilderLib = createRequire(fromBuilder.resolve('app-builder-lib/package.json'));
const yaml = fromBuilderLib('js-yaml') as { load(text: string): unknown };
const Ajv = (fromBuilderLib('ajv') as { default: new (options: object) => AjvInstance }).default;
const scheme: unknown = fromBuilderLib('app-builder-lib/scheme.json');

interface AjvInstance {
  compile(schema: unknown): ((data: unknown) => boolean) & { errors?: unknown[] | null };
}

type Config = Record<string, unknown> & {
  directories: Record<string, string>;
  files: string[];
  electronFuses: Record<string, boolean>;
  mac: Record<string, unknown>;
  linux: Record<string, unknown>;
  win: Record<string, unknown>;
  publish: Record<string, string>;
};

const config = yaml.load(readFileSync(configFile, 'utf8')) as Config;

describe('electron-builder.yml', () => {
  it("validates against electron-builder's schema", () => {
    // The same ajv options electron-builder uses (app-builder-lib/out/util/config/schemaValidator.js).
    const validate = new Ajv({ allErrors: true, coerceTypes: true, strict: false }).compile(scheme);
    const valid = validate(structuredClone(config));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('keeps the identity and the veza:// protocol', () => {
    expect(config).toMatchObject({ appId: 'app.veza.desktop', productName: 'Veza' });
    expect(config.protocols).toEqual([{ name: 'Veza', schemes: ['veza'] }]);
  });

  it('sets every fuse the desktop issue requires', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs into asar, unpacks native modules, rebuilds them for Electron', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(false);
  });

  it('ships the app build and never the browser host', () => {
    expect(config.files).toEqual(
      expect.arrayContaining([
        'dist/main/**/*',
        'dist/preload/**/*',
        'dist/core/**/*',
        'dist/renderer/**/*',
        'package.json',
      ]),
    );
    for (const pattern of config.files) {
      expect(pattern).not.toMatch(/dist\/host|^dist\/\*\*|^dist\/?$|^\*\*/);
    }
    // The build script writes dist/main/main.cjs: package.json's "main" must point at it.
    const pkg = JSON.parse(readFileSync(path.join(desktopDir, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/main/main.cjs');
  });

  it('points at build resources that exist', () => {
    const buildResources = path.resolve(desktopDir, config.directories.buildResources!);
    expect(buildResources).toBe(path.join(desktopDir, 'build'));
    expect(existsSync(path.join(buildResources, 'icon.png'))).toBe(true);
    for (const key of ['entitlements', 'entitlementsInherit']) {
      const file = path.resolve(desktopDir, config.mac[key] as string);
      expect(readFileSync(file, 'utf8')).toMatch(
        /com\.apple\.security\.cs\.allow-jit[\s\S]*audio-input[\s\S]*network\.client/,
      );
    }
    const png = readFileSync(path.join(buildResources, 'icon.png'));
    expect(png.readUInt32BE(16)).toBe(1024);
    expect(png.readUInt32BE(20)).toBe(1024);
  });

  it('targets dmg+zip (hardened), nsis, AppImage+deb, and a generic update feed', () => {
    expect(config.mac).toMatchObject({ target: ['dmg', 'zip'], hardenedRuntime: true, gatekeeperAssess: false });
    expect(config.win).toMatchObject({ target: ['nsis'] });
    expect(config.linux).toMatchObject({ target: ['AppImage', 'deb'], category: 'AudioVideo' });
    expect(config.linux.maintainer).toEqual(expect.any(String));
    expect(config.publish).toEqual({ provider: 'generic', url: 'https://updates.veza.example/desktop/${os}' });
  });
});
