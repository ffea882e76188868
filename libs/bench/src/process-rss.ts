import { readFileSync } from 'node:fs';
import type { ClusterState } from '@openpacific/contracts';

/** VmRSS of a /proc/<pid>/status text, in KiB (0 when absent: a kernel thread or a gone process). */
export function vmRssKb(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) : 0;
}

/** Every service and host process the launcher lists in cluster.json, by name (Postgres and NATS only when it runs them). */
export function clusterPids(state: ClusterState): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const s of state.services) pids[s.name] = s.pid;
  for (const h of state.hosts) {
    if (h.agentPid) pids[`${h.name}/spherelet-agent`] = h.agentPid;
    if (h.runtimePid) pids[`${h.name}/crx-runtime`] = h.runtimePid;
  }
  if (state.nats.managed && state.nats.pid) pids['nats-server'] = state.nats.pid;
  if (state.postgres.managed && state.postgres.pid) pids.postgres = state.postgres.pid;
  return pids;
}

/** RSS in MiB per process name, read from /proc now. */
export function rssMb(pids: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    let kb = 0;
    try {
      kb = vmRssKb(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      // Gone: counts as nothing, and the row says 0.
    }
    out[name] = Math.round(kb / 102.4) / 10;
  }
  return out;
}
