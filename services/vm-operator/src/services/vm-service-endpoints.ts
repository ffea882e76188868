import { hasReadinessProbe } from '@openpacific/objects';
import type { Backend } from './tcp-load-balancer';

export interface Endpoint {
  name: string;
  ip: string;
}

export interface PortBackends {
  /** The service port's name, its protocol and the port clients connect to. */
  name: string;
  protocol: 'TCP' | 'UDP';
  port: number;
  backends: Backend[];
}

const MAX_NAMESPACE_INDEX = 255;
const MAX_SERVICE_INDEX = 254;

/** An empty or missing selector matches nothing: a selector-less Service has no endpoints. */
export function matchesSelector(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const required = Object.entries(selector ?? {});
  if (required.length === 0) return false;
  return required.every(([key, value]) => labels?.[key] === value);
}

/**
 * As VM Operator decides it for a service's endpoints: a VM with a readiness probe is ready when its `Ready`
 * condition is True (as the prober found it); one without is ready once it has an address (here, once its guest
 * answers its heartbeat).
 */
export function isReadyEndpoint(vm: any): boolean {
  if (!hasReadinessProbe(vm)) return true;
  return (vm.status?.conditions ?? []).some((c: any) => c?.type === 'Ready' && c?.status === 'True');
}

/** The VMs the service selects in its own namespace that have an address and are not being deleted. */
function selectedWithAddress(service: any, vms: any[]): any[] {
  return vms.filter(
    (vm) =>
      vm.metadata?.namespace === service.metadata?.namespace &&
      !vm.metadata?.deletionTimestamp &&
      matchesSelector(service.spec?.selector, vm.metadata?.labels) &&
      Boolean(vm.status?.network?.primaryIP4),
  );
}

const byName = (a: Endpoint, b: Endpoint): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The ready VMs with an IP that the service selects in its own namespace, sorted by name. */
export function readyEndpoints(service: any, vms: any[]): Endpoint[] {
  return selectedWithAddress(service, vms)
    .filter(isReadyEndpoint)
    .map((vm) => ({ name: vm.metadata.name as string, ip: vm.status.network.primaryIP4 as string }))
    .sort(byName);
}

const byIp = (a: { ip: string }, b: { ip: string }): number => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);

/**
 * The `subsets` of the service's core v1 Endpoints, as VM Operator writes them: every selected VM with an
 * address, the ready ones in `addresses`, the others in `notReadyAddresses`, each naming its VM; the ports are
 * the service's, at their target port. All VMs share the ports, so there is one subset (none without VMs).
 */
export function endpointsSubsets(service: any, vms: any[]): any[] {
  const ready: any[] = [];
  const notReady: any[] = [];
  for (const vm of selectedWithAddress(service, vms)) {
    const { name, namespace, uid } = vm.metadata;
    const address = { ip: vm.status.network.primaryIP4, targetRef: { apiVersion: vm.apiVersion ?? 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', namespace, name, uid } };
    (isReadyEndpoint(vm) ? ready : notReady).push(address);
  }
  if (ready.length + notReady.length === 0) return [];
  const ports = (service.spec?.ports ?? []).map((p: any) => ({ name: p.name, port: Number(p.targetPort ?? p.port), protocol: p.protocol ?? 'TCP' }));
  return [{ ...(ready.length ? { addresses: ready.sort(byIp) } : {}), ...(notReady.length ? { notReadyAddresses: notReady.sort(byIp) } : {}), ports }];
}

/**
 * For each TCP and UDP port of the service (protocol defaults to TCP, as in Kubernetes), every endpoint at the target
 * port. Any other protocol (SCTP) has none: Node has no sockets for it.
 */
export function backendsFor(service: any, endpoints: Endpoint[]): PortBackends[] {
  return (service.spec?.ports ?? [])
    .map((p: any) => ({ ...p, protocol: p.protocol ?? 'TCP' }))
    .filter((p: any) => p.protocol === 'TCP' || p.protocol === 'UDP')
    .map((p: any) => {
      const targetPort = Number(p.targetPort ?? p.port);
      return { name: p.name, protocol: p.protocol, port: p.port, backends: endpoints.map((e) => ({ address: e.ip, port: targetPort })) };
    });
}

function checkIndex(what: string, index: number, max: number): void {
  if (!Number.isInteger(index) || index < 1 || index > max) {
    throw new RangeError(`${what} index ${index} is out of range: load balancer addresses 127.200.x.y allow ${what} indexes 1..${max}`);
  }
}

/**
 * The loopback ingress of a service made before addresses came from the cluster's ranges (`vm-service-addresses.ts`):
 * 127.200.<namespace index>.<service index>, both 1-based. Such services keep it.
 */
export function ingressAddress(namespaceIndex: number, serviceIndex: number): string {
  checkIndex('namespace', namespaceIndex, MAX_NAMESPACE_INDEX);
  checkIndex('service', serviceIndex, MAX_SERVICE_INDEX);
  return `127.200.${namespaceIndex}.${serviceIndex}`;
}
