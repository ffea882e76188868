import type { ProcessUsage } from '@openpacific/contracts';

/** This process's own resource usage (a host's agent and runtime count theirs in the host's figure). */
export function processUsage(): ProcessUsage {
  const { user, system } = process.cpuUsage();
  return { cpuUsageCoreNanoSeconds: (user + system) * 1000, memoryWorkingSetBytes: process.memoryUsage.rss(), timestamp: Date.now() };
}
