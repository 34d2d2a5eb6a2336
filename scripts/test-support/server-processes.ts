import { readOwner } from '../../apps/server/src/infra/db/data-dir-lock.js';
import { clusterPaths, findLivePostmaster } from '../../apps/server/src/infra/db/embedded-postgres.js';
import { stopByPid, whenDead } from '../lib/process.mjs';

export interface Running {
  owner: { pid: number } | undefined;
  postmaster: { pid: number } | undefined;
}

/** The server process that holds the data dir, and its embedded PostgreSQL. */
export async function whatRuns(dataDir: string): Promise<Running> {
  return {
    owner: await readOwner(dataDir),
    postmaster: await findLivePostmaster(clusterPaths(dataDir).clusterDir),
  };
}

/** After a failed test: the server a command left running stops, and with it its PostgreSQL. */
export async function stopLeftoverServer(dataDir: string): Promise<void> {
  const { owner, postmaster } = await whatRuns(dataDir);
  if (owner) await stopByPid(owner.pid, { timeoutMs: 60_000 });
  const left = await findLivePostmaster(clusterPaths(dataDir).clusterDir);
  if (left) await stopByPid(left.pid, { signal: 'SIGINT', timeoutMs: 60_000 });
  else if (postmaster) await whenDead(postmaster.pid, { timeoutMs: 60_000 });
}
