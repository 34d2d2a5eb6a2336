/**
 * The command names alone, without their argument schemas: the preload bundle needs the list but
 * must stay tiny (no TypeBox, no @veza/shared). `satisfies` makes adding a command to the contract
 * without listing it here (or listing one that does not exist) a type error.
 */
import type { CommandName } from './contract.js';

export const COMMAND_NAMES_LIST = {
  getSession: true,
  signIn: true,
  signUp: true,
  signOut: true,
  getConnection: true,

  listRooms: true,
  listPublicRooms: true,
  createRoom: true,
  joinRoom: true,
  leaveRoom: true,
  openDirectMessage: true,
  getMessages: true,
  sendMessage: true,
  retryMessage: true,
  discardMessage: true,
  editMessage: true,
  deleteMessage: true,
  react: true,
  markRead: true,
  notifyTyping: true,
  searchMessages: true,

  listTracks: true,
  searchLibrary: true,
  getTrack: true,
  listArtists: true,
  listAlbums: true,
  setLiked: true,
  listPlaylists: true,
  getPlaylist: true,
  createPlaylist: true,
  deletePlaylist: true,
  addToPlaylist: true,
  removeFromPlaylist: true,
  uploadTrack: true,

  resolvePlayback: true,
  reportPlay: true,

  listDownloads: true,
  downloadTracks: true,
  downloadPlaylist: true,
  cancelDownload: true,
  removeDownload: true,

  getSettings: true,
  updateSettings: true,
  openExternal: true,
  chooseDirectory: true,
} as const satisfies Record<CommandName, true>;

/** Every command name, in contract order. */
export const COMMAND_NAME_LIST = Object.keys(COMMAND_NAMES_LIST) as CommandName[];

/** The IPC channel commands travel on (renderer → main) and the one events travel on (main → renderer). */
export const IPC_COMMAND_CHANNEL = 'veza:command';
export const IPC_EVENT_CHANNEL = 'veza:event';
