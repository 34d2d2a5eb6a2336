/** API keys start with this prefix so they can be told from JWT access tokens at a glance. */
export const API_KEY_PREFIX = 'vz_';
