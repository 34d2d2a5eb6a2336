import { Type } from 'typebox';
import { UuidSchema } from '@veza/shared';

/**
 * Per-user request budgets for the library routes that write, search or report plays (the access
 * check runs first, so the caller is known). Generous for a person and their player, tight
 * enough to stop a script from flooding playlists, likes or the search index.
 */
export const LIBRARY_ROUTE_LIMITS = { writesPerMinute: 120, searchesPerMinute: 60, playReportsPerMinute: 60 };

export const security = [{ bearer: [] }];
export const tags = ['library'];
export const idParams = Type.Object({ id: UuidSchema });
