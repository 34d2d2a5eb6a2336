import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { AudioToolsMissingError } from './errors.js';
import { runProcess } from './runner.js';

export interface AudioTools {
  ffmpeg: string;
  ffprobe: string;
}

type Env = Record<string, string | undefined>;

const INSTALL_HINT =
  'Install FFmpeg (Debian/Ubuntu: apt install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg)';

/** VEZA_FFMPEG / VEZA_FFPROBE first, then a PATH search done here rather than through a shell. */
export function findAudioTools(env: Env = process.env): AudioTools {
  return { ffmpeg: findTool('ffmpeg', 'VEZA_FFMPEG', env), ffprobe: findTool('ffprobe', 'VEZA_FFPROBE', env) };
}

function findTool(name: string, envVar: string, env: Env): string {
  const configured = env[envVar];
  if (configured) {
    if (isExecutableFile(configured)) return configured;
    throw new AudioToolsMissingError(
      `${envVar} is set to "${configured}", which is not an executable file. Point it at the ${name} binary or unset it.`,
    );
  }
  const extensions = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const extension of extensions) {
      const candidate = path.join(dir, name + extension.toLowerCase());
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  throw new AudioToolsMissingError(`${name} was not found on PATH. ${INSTALL_HINT}, or set ${envVar} to its path.`);
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface AudioToolVersions {
  ffmpegVersion: string;
  ffprobeVersion: string;
}

/** Runs both binaries once so a broken install shows up at start-up instead of on the first upload. */
export async function checkAudioTools(tools: AudioTools, timeoutMs = 15_000): Promise<AudioToolVersions> {
  const [ffmpegVersion, ffprobeVersion] = await Promise.all([
    toolVersion('ffmpeg', tools.ffmpeg, timeoutMs),
    toolVersion('ffprobe', tools.ffprobe, timeoutMs),
  ]);
  return { ffmpegVersion, ffprobeVersion };
}

async function toolVersion(name: string, binary: string, timeoutMs: number): Promise<string> {
  let stdout: string;
  try {
    stdout = (await runProcess({ command: binary, args: ['-hide_banner', '-version'], timeoutMs })).stdout.toString();
  } catch (error) {
    throw new AudioToolsMissingError(
      `${binary} did not run as ${name} (${(error as Error).message}). ${INSTALL_HINT}.`,
      {
        cause: error,
      },
    );
  }
  const version = new RegExp(`^${name} version (\\S+)`).exec(stdout)?.[1];
  if (!version) throw new AudioToolsMissingError(`${binary} does not look like ${name}: unexpected -version output.`);
  return version;
}
