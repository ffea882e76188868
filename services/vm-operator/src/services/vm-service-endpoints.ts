import type { Backend } from './tcp-load-balancer';

export interface Endpoint {
  name: string;
  ip: string;
}

export interface PortBackends {
  /** The service port's name and the port clients connect to. */
  name: string;
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

function isReady(vm: any): boolean {
  return (vm.status?.conditions ?? []).some((c: any) => c?.type === 'Ready' && c?.status === 'True');
}

function isEndpointOf(service: any, vm: any): boolean {
  return (
    vm.metadata?.namespace === service.metadata?.namespace &&
    matchesSelector(service.spec?.selector, vm.metadata?.labels) &&
    isReady(vm) &&
    Boolean(vm.status?.network?.primaryIP4)
  );
}

const byName = (a: Endpoint, b: Endpoint): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The Ready VMs with an IP that the service selects in its own namespace, sorted by name. */
export function readyEndpoints(service: any, vms: any[]): Endpoint[] {
  return vms
    .filter((vm) => isEndpointOf(service, vm))
    .map((vm) => ({ name: vm.metadata.name as string, ip: vm.status.network.primaryIP4 as string }))
    .sort(byName);
}

/** For each TCP port of the service (protocol defaults to TCP, as in Kubernetes), every endpoint at the target port. */
export function backendsFor(service: any, endpoints: Endpoint[]): PortBackends[] {
  return (service.spec?.ports ?? [])
    .filter((p: any) => (p.protocol ?? 'TCP') === 'TCP')
    .map((p: any) => {
      const targetPort = Number(p.targetPort ?? p.port);
      return { name: p.name, port: p.port, backends: endpoints.map((e) => ({ address: e.ip, port: targetPort })) };
    });
}

function checkIndex(what: string, index: number, max: number): void {
  if (!Number.isInteger(index) || index < 1 || index > max) {
    throw new RangeError(`${what} index ${index} is out of range: load balancer addresses 127.200.x.y allow ${what} indexes 1..${max}`);
  }
}

/** A stable loopback address per service: 127.200.<namespace index>.<service index>, both 1-based. */
export function ingressAddress(namespaceIndex: number, serviceIndex: number): string {
  checkIndex('namespace', namespaceIndex, MAX_NAMESPACE_INDEX);
  checkIndex('service', serviceIndex, MAX_SERVICE_INDEX);
  return `127.200.${namespaceIndex}.${serviceIndex}`;
}
