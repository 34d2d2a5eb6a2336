/** The app's settings, and the two commands only a shell (the window, the OS) can answer. */
import { Type } from 'typebox';
import { command } from './command.js';
import { PlaybackQualitySchema, type PlaybackQuality } from './library.js';
import { ServerUrlSchema } from './session.js';

export type ThemePreference = 'system' | 'light' | 'dark';

export interface Settings {
  serverUrl: string;
  theme: ThemePreference;
  startMinimised: boolean;
  notifications: boolean;
  downloadsDir: string;
  downloadQuotaBytes: number;
  playbackQuality: PlaybackQuality;
  /** 0..1 */
  volume: number;
}

const SettingsPatch = Type.Object(
  {
    serverUrl: Type.Optional(ServerUrlSchema),
    theme: Type.Optional(Type.Enum(['system', 'light', 'dark'])),
    startMinimised: Type.Optional(Type.Boolean()),
    notifications: Type.Optional(Type.Boolean()),
    downloadsDir: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    downloadQuotaBytes: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 50 })),
    playbackQuality: Type.Optional(PlaybackQualitySchema),
    volume: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);

export const settingsCommands = {
  getSettings: command().returns<Settings>(),
  updateSettings: command(SettingsPatch).returns<Settings>(),
};

/** Answered by the shell itself (Electron main, the browser tab), never by core. */
export const shellCommands = {
  /** http(s) only; anything else is refused. */
  openExternal: command(
    Type.Object({ url: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: false }),
  ).returns<void>(),
  /** Electron: a folder picker. The browser host answers null. */
  chooseDirectory: command().returns<string | null>(),
};

export type SettingsEvent = { type: 'settings.changed'; settings: Settings };
