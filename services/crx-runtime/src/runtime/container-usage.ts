import { readFileSync } from 'node:fs';
import type { ProcessUsage } from '@openpacific/contracts';

/** What a container has used so far, without its time: CPU nanoseconds (cumulative) and working set bytes. */
export type Usage = Omit<ProcessUsage, 'timestamp'>;

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on every Linux architecture Node runs on). */
const USER_HZ = 100;

/** A field of a cgroup `*.stat` file (`key value` lines: memory.stat, cpu.stat), or undefined. */
export function statField(text: string, key: string): number | undefined {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * The working set as cAdvisor computes it for kubelet: usage less inactive file pages, never below zero. On cgroup v1
 * the hierarchical `total_inactive_file` (the container's cgroup has no children, so it equals `inactive_file`).
 */
export function workingSet(usageBytes: number, memoryStat: string): number {
  const inactive = statField(memoryStat, 'total_inactive_file') ?? statField(memoryStat, 'inactive_file') ?? 0;
  return Math.max(0, usageBytes - inactive);
}

/** CPU nanoseconds of one process from its /proc/<pid>/stat line: its own and its reaped children's user and system time. */
export function procStatCpuNanos(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses: count from after its closing one (field 3 on).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime are fields 14-17, i.e. 11-14 counted from field 3.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + (Number(fields[i]) || 0), 0);
  return (ticks * 1e9) / USER_HZ;
}

/** Resident memory of a process from its /proc/<pid>/status (`VmRSS: 1234 kB`); 0 for a kernel thread or a zombie. */
export function vmRssBytes(status: string): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * The usage of a set of processes (a container's tree) from /proc, where no cgroup counts it: the sum of their CPU
 * time (a child's time once its parent reaped it is in the parent's, so each is counted once) and resident memory.
 * A process gone meanwhile is left out.
 */
export function procUsage(pids: number[]): Usage {
  let cpuUsageCoreNanoSeconds = 0;
  let memoryWorkingSetBytes = 0;
  for (const pid of pids) {
    try {
      cpuUsageCoreNanoSeconds += procStatCpuNanos(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      memoryWorkingSetBytes += vmRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      // exited between the listing and the reading
    }
  }
  return { cpuUsageCoreNanoSeconds, memoryWorkingSetBytes };
}
