export { COMMAND_NAME_LIST } from './contract/command-names.js';

/** The IPC channel commands travel on (renderer → main) and the one events travel on (main → renderer). */
export const IPC_COMMAND_CHANNEL = 'veza:command';
export const IPC_EVENT_CHANNEL = 'veza:event';
