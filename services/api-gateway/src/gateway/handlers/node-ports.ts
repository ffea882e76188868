import { randomInt } from 'node:crypto';
import { SERVICES_RESOURCE } from '@openpacific/contracts';
import type { StatusCause } from '@openpacific/kube-api';
import type { ReadModel } from '@openpacific/objects';

/**
 * Node ports as kube-apiserver's port allocator hands them out (pkg/registry/core/service/portallocator and the
 * Service REST's initNodePorts / updateNodePorts): from 30000-32767, never one another Service holds, in its words.
 *
 * "Holds" is what this gateway's read model knows. Writes the read model does not show yet are told apart by each
 * port's allocation stream (allocations.ts), as cluster IPs across replicas (cluster-ip.ts): each port judged free is
 * noted with its stream's version, and the write appends the port's allocation at that version with the object's
 * event. Of two writes, in one gateway or two, that judged one port free on the same state, the second meets a version
 * conflict and decides again once its read model shows the first's Service.
 */

export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;
export const NODE_PORT_RANGE = `${NODE_PORT_MIN}-${NODE_PORT_MAX}`;

/** The node ports other Services hold (their ports' and health check's; deleting Services' included). */
export function allocatedNodePorts(readModel: ReadModel, except?: { namespace?: string; name?: string }): Set<number> {
  const held = new Set<number>();
  for (const { object: svc } of readModel.list(SERVICES_RESOURCE)) {
    if (except && svc.metadata?.namespace === except.namespace && svc.metadata?.name === except.name) continue;
    for (const p of Array.isArray(svc.spec?.ports) ? svc.spec.ports : []) if (Number.isInteger(p?.nodePort) && p.nodePort > 0) held.add(p.nodePort);
    if (Number.isInteger(svc.spec?.healthCheckNodePort) && svc.spec.healthCheckNodePort > 0) held.add(svc.spec.healthCheckNodePort);
  }
  return held;
}

/** The node ports a Service holds: its ports' and its health check's. */
export function nodePortsOf(svc: any): number[] {
  const ports = new Set<number>();
  for (const p of Array.isArray(svc?.spec?.ports) ? svc.spec.ports : []) if (Number.isInteger(p?.nodePort) && p.nodePort > 0) ports.add(p.nodePort);
  if (Number.isInteger(svc?.spec?.healthCheckNodePort) && svc.spec.healthCheckNodePort > 0) ports.add(svc.spec.healthCheckNodePort);
  return [...ports];
}

/** A free port of the range, picked at random (a scan from the pick when the range is crowded); undefined when full. */
export function allocateNodePort(held: Set<number>): number | undefined {
  const span = NODE_PORT_MAX - NODE_PORT_MIN + 1;
  const start = randomInt(0, span);
  for (let i = 0; i < span; i++) {
    const port = NODE_PORT_MIN + ((start + i) % span);
    if (!held.has(port)) return port;
  }
  return undefined;
}

/** Why `port` cannot be taken (the portallocator's Allocate error), or nothing; a taken port is added to `held`. */
function take(port: number, held: Set<number>): string | undefined {
  if (!Number.isInteger(port) || port < NODE_PORT_MIN || port > NODE_PORT_MAX) return `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE}`;
  if (held.has(port)) return 'provided port is already allocated';
  held.add(port);
  return undefined;
}

const refusal = (i: number, port: unknown, why: string): StatusCause => ({ field: `spec.ports[${i}].nodePort`, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(port)}: ${why}` });

/** What a node port allocation came to: the refusal of a chosen port, or a full range (both 422s here). */
export interface NodePortOutcome {
  causes: StatusCause[];
  full?: boolean;
}

/**
 * kube's initNodePorts, at create: each port gets the node port it asks for or a free one; ports of the same number
 * (80/TCP and 80/UDP) share one, the first asked for among them. Without `allocate` (a LoadBalancer with
 * `allocateLoadBalancerNodePorts: false`) a port that asks for none gets none, and one that asks is still checked and
 * held, as kube does. `held` is what other Services hold; `ports` is filled in place. Stops at the first refusal, as
 * kube does.
 */
export function initNodePorts(ports: any[], held: Set<number>, allocate = true): NodePortOutcome {
  const taken = new Set(held);
  const byPort = new Map<unknown, number>();
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i];
    if (!p || typeof p !== 'object' || (!p.nodePort && !allocate)) continue;
    const shared = byPort.get(p.port);
    if (shared === undefined) {
      const asked = ports.find((o: any) => o && o.port === p.port && o.nodePort)?.nodePort;
      if (asked) {
        const why = take(asked, taken);
        if (why) return { causes: [refusal(i, asked, why)] };
        p.nodePort = asked;
        byPort.set(p.port, asked);
      } else {
        const port = allocateNodePort(taken);
        if (port === undefined) return { causes: [], full: true };
        taken.add(port);
        p.nodePort = port;
        byPort.set(p.port, port);
      }
    } else if (p.nodePort !== shared) {
      if (!p.nodePort) p.nodePort = shared;
      else {
        const why = take(p.nodePort, taken);
        if (why) return { causes: [refusal(i, p.nodePort, why)] };
      }
    }
  }
  return { causes: [] };
}

/**
 * kube's updateNodePorts: a node port the Service held before is kept without a check, a new one must be free (of
 * other Services) and in range, a port without one gets a free one unless `allocate` is off (a LoadBalancer with
 * `allocateLoadBalancerNodePorts: false`). `ports` is filled in place.
 */
export function updateNodePorts(ports: any[], before: any[], held: Set<number>, allocate = true): NodePortOutcome {
  const own = new Set((Array.isArray(before) ? before : []).map((p: any) => p?.nodePort).filter((n: unknown) => Number.isInteger(n) && (n as number) > 0));
  const taken = new Set([...held, ...own]);
  const fresh = new Set<number>();
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i];
    if (!p || typeof p !== 'object' || (!p.nodePort && !allocate)) continue;
    if (p.nodePort) {
      if (own.has(p.nodePort) || fresh.has(p.nodePort)) continue;
      const why = take(p.nodePort, taken);
      if (why) return { causes: [refusal(i, p.nodePort, why)] };
      fresh.add(p.nodePort);
    } else {
      const port = allocateNodePort(taken);
      if (port === undefined) return { causes: [], full: true };
      taken.add(port);
      p.nodePort = port;
    }
  }
  return { causes: [] };
}

/**
 * kube's allocHealthCheckNodePort, for a LoadBalancer with `externalTrafficPolicy: Local`: the port the client chose,
 * checked as a node port is (in range, held by no other Service nor by this one's node ports), or a free one, into
 * `spec.healthCheckNodePort`. kube answers a refusal or a full range with a 500 (`Internal error occurred: failed to
 * allocate requested HealthCheck NodePort …`); here it is a 422 naming the field, in kube's words.
 */
export function allocateHealthCheckNodePort(spec: any, held: Set<number>): StatusCause[] {
  const taken = new Set(held);
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) if (Number.isInteger(p?.nodePort) && p.nodePort > 0) taken.add(p.nodePort);
  const asked = spec.healthCheckNodePort;
  const cause = (value: unknown, message: string): StatusCause[] => [{ field: 'spec.healthCheckNodePort', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${message}` }];
  if (asked) {
    const why = take(asked, taken);
    return why ? cause(asked, `failed to allocate requested HealthCheck NodePort ${asked}: ${why}`) : [];
  }
  const port = allocateNodePort(taken);
  if (port === undefined) return cause(0, 'failed to allocate a HealthCheck NodePort 0: range is full');
  spec.healthCheckNodePort = port;
  return [];
}
