import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostPids, hostPidsFileName } from './host-plan';
import { readJsonIfPresent } from './json-file';
import type { ClusterState } from '@openpacific/contracts';

export type { ClusterState, HostState, ManagedServer } from '@openpacific/contracts';

export const clusterStateFileName = 'cluster.json';

export function clusterStateFile(dataDir: string): string {
  return join(dataDir, clusterStateFileName);
}

export function hostPidsFile(dataDir: string, host: string): string {
  return join(dataDir, 'hosts', host, hostPidsFileName);
}

export function readClusterState(dataDir: string): ClusterState | undefined {
  return readJsonIfPresent<ClusterState>(clusterStateFile(dataDir));
}

/** A host's service pids as its supervisor last recorded them (fresher than cluster.json after a restart). */
export function readHostPids(dataDir: string, host: string): HostPids | undefined {
  return readJsonIfPresent<HostPids>(hostPidsFile(dataDir, host));
}

/** The postmaster's pid: the first line of postmaster.pid in the Postgres data folder. */
export function postmasterPid(pgDataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(pgDataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, we may just not signal it.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
