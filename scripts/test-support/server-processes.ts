import { readOwner } from '../../apps/server/src/infra/db/data-dir-lock.js';
import { clusterPaths, findLivePostmaster, isProcessAlive } from '../../apps/server/src/infra/db/embedded-postgres.js';
import { until } from './shell-run.js';

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
  if (owner) process.kill(owner.pid, 'SIGTERM');
  await until(() => !owner || !isProcessAlive(owner.pid), 'a leftover server to stop').catch(() => {
    if (owner) process.kill(owner.pid, 'SIGKILL');
  });
  const left = await findLivePostmaster(clusterPaths(dataDir).clusterDir);
  if (left) process.kill(left.pid, 'SIGINT');
  if (postmaster || left) await until(() => !isProcessAlive((left ?? postmaster)!.pid), 'PostgreSQL to stop');
}
