import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import {
  CONFIG_FILE_VARIABLE,
  SECRET_FILE_VARIABLES,
  SERVER_VARIABLES,
  type ServerVariable,
} from './config-variables.js';

export type Env = Record<string, string | undefined>;

/** Blank counts as unset, as everywhere in the configuration. */
const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

const FILE_KEYS = new Set<string>([...SERVER_VARIABLES, ...SECRET_FILE_VARIABLES.map((name) => `${name}_FILE`)]);

/**
 * The environment the configuration is read from: the real environment, over the file named by
 * VEZA_CONFIG_FILE (KEY=VALUE lines, comments and quotes as in a dotenv file), with each
 * `<SECRET>_FILE` replaced by the secret it names. Values are never echoed in problems: any of
 * them may be a secret.
 */
export function resolveEnvironment(env: Env, cwd: string): { env: Env; problems: string[] } {
  const problems: string[] = [];
  const resolved: Env = { ...env };
  const origin = new Map<string, string>();
  for (const [key, value] of Object.entries(env)) if (isSet(value)) origin.set(key, 'the environment');

  const configFile = env[CONFIG_FILE_VARIABLE]?.trim();
  if (configFile) {
    const file = path.resolve(cwd, configFile);
    for (const [key, value] of Object.entries(readConfigFile(file, problems))) {
      if (isSet(resolved[key])) continue; // the real environment wins
      resolved[key] = value;
      if (isSet(value)) origin.set(key, file);
    }
  }

  for (const name of SECRET_FILE_VARIABLES) {
    const fileVariable = `${name}_FILE`;
    const secretPath = resolved[fileVariable];
    if (!isSet(secretPath)) continue;
    if (isSet(resolved[name])) {
      problems.push(
        `${name} (from ${origin.get(name)}) and ${fileVariable} (from ${origin.get(fileVariable)}) are both set; keep one`,
      );
      continue;
    }
    const secret = readSecretFile(fileVariable, path.resolve(cwd, secretPath.trim()), problems);
    if (secret !== undefined) resolved[name] = secret;
  }
  return { env: resolved, problems };
}

/** The file's known settings; everything else in it is reported, since it would have no effect. */
function readConfigFile(file: string, problems: string[]): Env {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`${CONFIG_FILE_VARIABLE} names ${file}, which cannot be read (${describeFsError(error)})`);
    return {};
  }
  const { keyLines, malformed } = scanLines(text);
  const found: { line: number; problem: string }[] = malformed.map((line) => ({
    line,
    problem: `${file} line ${line} is not KEY=VALUE or a # comment`,
  }));

  const settings: Env = {};
  for (const [key, value] of Object.entries(parseEnv(text))) {
    const line = keyLines.get(key);
    // Names parseEnv made out of a malformed line were reported above.
    if (line === undefined) continue;
    if (FILE_KEYS.has(key)) settings[key] = value;
    else if (key === CONFIG_FILE_VARIABLE)
      found.push({ line, problem: `${file} line ${line}: ${key} cannot be set here` });
    else if (key.startsWith('VEZA_')) {
      const near = nearestVariable(key);
      found.push({
        line,
        problem: `${file} line ${line}: ${key} is not a Veza server setting${near ? ` (did you mean ${near}?)` : ''}`,
      });
    } else {
      found.push({
        line,
        problem: `${file} line ${line}: ${key} is not read by veza-server; set it in the environment instead`,
      });
    }
  }
  problems.push(...found.sort((a, b) => a.line - b.line).map((f) => f.problem));
  return settings;
}

/**
 * Where each key is set (its last line, which is the one that counts), and the lines that are
 * neither blank, a comment, nor KEY=VALUE: parseEnv skips or mangles those silently (differently
 * across Node versions), which would hide a typo.
 */
function scanLines(text: string): { keyLines: Map<string, number>; malformed: number[] } {
  const keyLines = new Map<string, number>();
  const malformed: number[] = [];
  let openQuote: string | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    if (openQuote !== undefined) {
      if (line.includes(openQuote)) openQuote = undefined;
      return;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const assignment = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!assignment) {
      malformed.push(index + 1);
      return;
    }
    keyLines.set(assignment[1]!, index + 1);
    // A quoted value may span lines: skip to its closing quote.
    const value = assignment[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && !value.slice(1).includes(quote)) openQuote = quote;
  });
  return { keyLines, malformed };
}

function readSecretFile(variable: string, file: string, problems: string[]): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`${variable} names ${file}, which cannot be read (${describeFsError(error)})`);
    return undefined;
  }
  // Editors and `echo` end files with a newline that is not part of the secret.
  const secret = text.replace(/\r?\n$/, '');
  if (secret.trim() === '') {
    problems.push(`${variable} names ${file}, which is empty`);
    return undefined;
  }
  return secret;
}

function describeFsError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return (error as Error).message;
  }
}

/** The known name a typo most likely meant: at most two edits away. */
function nearestVariable(name: string): ServerVariable | undefined {
  let best: { name: ServerVariable; distance: number } | undefined;
  for (const known of SERVER_VARIABLES) {
    const distance = editDistance(name, known);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name: known, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
