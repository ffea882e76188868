import { sameJson } from '@openpacific/objects';

/** kubectl apply's record of the last manifest: the VirtualMachineService's, not the Service's, so it is not copied. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const VMOP_GROUP = 'vmoperator.vmware.com';

/** The controller reference a VirtualMachineService's own objects (its Service, its Endpoints) carry. */
export function vmServiceOwnerReference(vmService: any): any {
  const { name, uid } = vmService.metadata;
  return { apiVersion: vmService.apiVersion ?? `${VMOP_GROUP}/v1alpha5`, kind: 'VirtualMachineService', name, uid, controller: true, blockOwnerDeletion: true };
}

/** The controller reference of an object when a VirtualMachineService holds it (of any version), else undefined. */
export function vmServiceController(object: any): any | undefined {
  return (object?.metadata?.ownerReferences ?? []).find(
    (o: any) => o?.controller === true && o.kind === 'VirtualMachineService' && String(o.apiVersion ?? '').startsWith(`${VMOP_GROUP}/`),
  );
}

/** The part of a core v1 Service that the VirtualMachineService controller decides: its metadata labels, annotations and owner, spec and status. */
export interface CoreServiceShape {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerReferences: any[];
  spec: any;
  status: any;
}

/**
 * The core v1 Service VM Operator keeps for a VirtualMachineService, of its name and without a selector (the VMs are
 * listed in its Endpoints, not selected), spelled as kube-apiserver would have defaulted it so `kubectl get svc -o yaml`
 * reads as any Service's:
 * - the VMService's labels and annotations (but kubectl's last-applied and those named in `dropAnnotations`);
 * - its type, and ports with protocol TCP and targetPort = port where left out;
 * - `clusterIP`/`clusterIPs` the given cluster address, `None` for a headless one (`clusterIp: None`), none for
 *   ExternalName (which has its `externalName` instead); IPv4 single stack, but RequireDualStack for a headless one
 *   as kube-apiserver defaults a headless Service without a selector;
 * - `sessionAffinity: None`, `internalTrafficPolicy: Cluster`, and for LoadBalancer `externalTrafficPolicy: Cluster`
 *   with `allocateLoadBalancerNodePorts: false`: the VMService's own balancers serve it, there are no node ports;
 * - `loadBalancerIP` and `loadBalancerSourceRanges` when set;
 * - status: a LoadBalancer's ingress as the VMService reports it (ipMode `VIP`, kube-apiserver's default), else an
 *   empty `loadBalancer`.
 */
export function coreServiceFor(vmService: any, clusterIP: string | undefined, dropAnnotations: string[] = []): CoreServiceShape {
  const vspec = vmService.spec ?? {};
  const type: string = vspec.type;
  const annotations = Object.fromEntries(
    Object.entries<string>(vmService.metadata.annotations ?? {}).filter(([k]) => k !== LAST_APPLIED && !dropAnnotations.includes(k)),
  );
  const ports = (vspec.ports ?? []).map((p: any) => ({ ...(p.name ? { name: p.name } : {}), protocol: p.protocol || 'TCP', port: p.port, targetPort: p.targetPort ?? p.port }));
  const spec: any = { type, ...(ports.length ? { ports } : {}), sessionAffinity: 'None' };
  if (type === 'ExternalName') {
    spec.externalName = vspec.externalName;
  } else {
    const headless = vspec.clusterIp === 'None';
    const ip = headless ? 'None' : clusterIP;
    if (ip) Object.assign(spec, { clusterIP: ip, clusterIPs: [ip] });
    Object.assign(spec, headless ? { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' } : { ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (type === 'LoadBalancer') {
    Object.assign(spec, { externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: false });
    if (vspec.loadBalancerIP) spec.loadBalancerIP = vspec.loadBalancerIP;
    if (vspec.loadBalancerSourceRanges?.length) spec.loadBalancerSourceRanges = [...vspec.loadBalancerSourceRanges];
  }
  const ingress = type === 'LoadBalancer' ? (vmService.status?.loadBalancer?.ingress ?? []).map((i: any) => ({ ...i, ...(i?.ip ? { ipMode: 'VIP' } : {}) })) : [];
  return {
    labels: { ...(vmService.metadata.labels ?? {}) },
    annotations,
    ownerReferences: [vmServiceOwnerReference(vmService)],
    spec,
    status: { loadBalancer: ingress.length ? { ingress } : {} },
  };
}

/** Whether a Service already is the shape given (labels, annotations, owner, spec, status): otherwise it drifted, and is written back. */
export function hasCoreShape(service: any, shape: CoreServiceShape): boolean {
  const meta = service?.metadata ?? {};
  return (
    sameJson(meta.labels ?? {}, shape.labels) &&
    sameJson(meta.annotations ?? {}, shape.annotations) &&
    sameJson(meta.ownerReferences ?? [], shape.ownerReferences) &&
    sameJson(service.spec ?? {}, shape.spec) &&
    sameJson(service.status ?? {}, shape.status)
  );
}
