import { add, allocatable, podRequests } from './pod-requests';
import { HostView, ownerOf } from './filters';

/**
 * Higher is better. Least-requested spreads load (the emptier host wins),
 * balanced allocation prefers hosts whose CPU and memory fill evenly, and a
 * small term spreads pods of one owner apart (as SelectorSpread does).
 */
export function scoreHost(pod: any, view: HostView): number {
  const cap = allocatable(view.host);
  const after = add(view.used, podRequests(pod));
  const cpu = cap.cpuMillis > 0 ? after.cpuMillis / cap.cpuMillis : 1;
  const mem = cap.memoryBytes > 0 ? after.memoryBytes / cap.memoryBytes : 1;
  const podsFrac = cap.pods > 0 ? after.pods / cap.pods : 1;
  const leastRequested = (1 - cpu + (1 - mem) + (1 - podsFrac)) / 3;
  const balanced = 1 - Math.abs(cpu - mem);
  const owner = ownerOf(pod);
  const siblings = owner ? (view.owners.get(owner) ?? 0) : 0;
  return 100 * leastRequested + 50 * balanced - 10 * siblings;
}
