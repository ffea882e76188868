import { HostEventTypes, HOSTS_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent, StreamAppend } from '@openpacific/event-store';
import { objectEvent } from '@openpacific/objects';

/** The scheduler's host controller speaks as kube-controller-manager's node lifecycle controller does. */
const NODE_CONTROLLER = { actor: 'system:serviceaccount:kube-system:node-controller', source: 'scheduler' };

/**
 * Events about a host as `kubectl describe node` finds them: involvedObject kind Node with the node's uid
 * (the Host's: a Node is a view of it), in namespace default. `kubectl describe host` is a different kind,
 * so each is also written about the Host.
 */
function aboutHost(host: any, type: 'Normal' | 'Warning', reason: string, message: string, onceKey?: string): StreamAppend[] {
  const { name, uid } = host.metadata;
  return [
    { apiVersion: 'v1', kind: 'Node' },
    { apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host' },
  ].map((ref) => objectEvent({ ...ref, name, uid }, { type, reason, message, component: 'node-controller', actor: NODE_CONTROLLER, ...(onceKey ? { onceKey } : {}) }));
}

/**
 * RegisteredNode once per registration (epoch) and, when the runtime fenced the epoch before, a Warning
 * saying so. Named after the epoch, so reading the host's history again (a restarted scheduler, a
 * second replica) writes nothing twice.
 */
export function registrationEvents(recorded: RecordedEvent): StreamAppend[] {
  if (recorded.type !== HostEventTypes.registered) return [];
  const data = recorded.data as { resource: string; object: any; fence?: { epoch: number; leaseExpiredAt: string; pods: string[] } };
  if (data.resource !== HOSTS_RESOURCE) return [];
  const host = data.object;
  const epoch = host.status?.epoch ?? 0;
  const out = aboutHost(host, 'Normal', 'RegisteredNode', `Node ${host.metadata.name} event: Registered Node ${host.metadata.name} in Controller (epoch ${epoch})`, `registered/${epoch}`);
  if (data.fence) {
    const f = data.fence;
    const pods = f.pods.length ? `; stopped ${f.pods.length} pod(s): ${f.pods.join(', ')}` : '';
    out.push(...aboutHost(host, 'Warning', 'HostFenced', `Host lease of epoch ${f.epoch} expired at ${f.leaseExpiredAt}: the runtime stopped its workloads${pods}`, `fenced/${f.epoch}`));
  }
  return out;
}

/** NodeReady / NodeNotReady (and unknown) as the Ready condition changes: written with that change. */
export function readinessEvents(host: any, status: string, reason: string, message: string): StreamAppend[] {
  const name = host.metadata.name;
  if (status === 'True') return aboutHost(host, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`);
  return aboutHost(host, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady (${reason}: ${message})`);
}
