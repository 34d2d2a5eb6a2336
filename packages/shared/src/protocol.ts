/** Version of the WebSocket protocol; the client sends it in `hello` and the server refuses others. */
export const PROTOCOL_VERSION = 1;

/** API keys start with this prefix so they can be told from JWT access tokens at a glance. */
export const API_KEY_PREFIX = 'vz_';
