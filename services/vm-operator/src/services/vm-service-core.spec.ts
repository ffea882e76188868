import { coreServiceFor, hasCoreShape, vmServiceController } from './vm-service-core';

const vmService = (spec: any, extra: { labels?: any; annotations?: any; status?: any } = {}) => ({
  apiVersion: 'vmoperator.vmware.com/v1alpha3',
  kind: 'VirtualMachineService',
  metadata: { namespace: 'vm-team', name: 'web', uid: 'vms-uid', labels: extra.labels, annotations: extra.annotations },
  spec,
  ...(extra.status ? { status: extra.status } : {}),
});

describe('coreServiceFor (the core v1 Service of a VirtualMachineService)', () => {
  it('gives a LoadBalancer its cluster address, kube-apiserver\'s defaults, no selector, no node ports, and its ingress', () => {
    const vms = vmService(
      { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 }], loadBalancerIP: '10.0.0.5', loadBalancerSourceRanges: ['10.0.0.0/8'] },
      {
        labels: { app: 'web' },
        annotations: { note: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'vmoperator.openpacific.io/ingress-index': '3' },
        status: { loadBalancer: { ingress: [{ ip: '10.128.4.3' }] } },
      },
    );
    expect(coreServiceFor(vms, '10.96.4.3', ['vmoperator.openpacific.io/ingress-index'])).toEqual({
      labels: { app: 'web' },
      annotations: { note: 'x' },
      ownerReferences: [{ apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineService', name: 'web', uid: 'vms-uid', controller: true, blockOwnerDeletion: true }],
      spec: {
        type: 'LoadBalancer',
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }, { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 }],
        clusterIP: '10.96.4.3',
        clusterIPs: ['10.96.4.3'],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        sessionAffinity: 'None',
        internalTrafficPolicy: 'Cluster',
        externalTrafficPolicy: 'Cluster',
        allocateLoadBalancerNodePorts: false,
        loadBalancerIP: '10.0.0.5',
        loadBalancerSourceRanges: ['10.0.0.0/8'],
      },
      status: { loadBalancer: { ingress: [{ ip: '10.128.4.3', ipMode: 'VIP' }] } },
    });
  });

  it('spells a ClusterIP, a headless and an ExternalName service as kube-apiserver defaults each', () => {
    const clusterIP = coreServiceFor(vmService({ type: 'ClusterIP', clusterIp: '10.96.4.4', ports: [{ name: 'ssh', port: 22 }] }), '10.96.4.4');
    expect(clusterIP.spec).toEqual({
      type: 'ClusterIP', ports: [{ name: 'ssh', protocol: 'TCP', port: 22, targetPort: 22 }], clusterIP: '10.96.4.4', clusterIPs: ['10.96.4.4'],
      ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster',
    });
    expect(clusterIP.status).toEqual({ loadBalancer: {} });

    // Headless and without a selector: kube-apiserver asks for both families.
    const headless = coreServiceFor(vmService({ type: 'ClusterIP', clusterIp: 'None', ports: [{ name: 'ssh', port: 22, targetPort: 22 }] }), undefined);
    expect(headless.spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' });

    const external = coreServiceFor(vmService({ type: 'ExternalName', externalName: 'db.example.com' }), undefined);
    expect(external.spec).toEqual({ type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' });
  });

  it('finds a Service drifted in any field it decides, and not in its uid, version or creation time', () => {
    const shape = coreServiceFor(vmService({ type: 'ClusterIP', clusterIp: '10.96.4.4', ports: [{ name: 'ssh', port: 22 }] }, { labels: { a: 'b' } }), '10.96.4.4');
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', uid: 'svc', resourceVersion: '9', creationTimestamp: 't', labels: shape.labels, ownerReferences: shape.ownerReferences }, spec: shape.spec, status: shape.status };
    expect(hasCoreShape(service, shape)).toBe(true);
    expect(hasCoreShape({ ...service, metadata: { ...service.metadata, labels: { a: 'c' } } }, shape)).toBe(false);
    expect(hasCoreShape({ ...service, metadata: { ...service.metadata, annotations: { x: 'y' } } }, shape)).toBe(false);
    expect(hasCoreShape({ ...service, spec: { ...service.spec, selector: { app: 'web' } } }, shape)).toBe(false);
    expect(hasCoreShape({ ...service, spec: { ...service.spec, ports: [{ name: 'ssh', protocol: 'TCP', port: 2222, targetPort: 22 }] } }, shape)).toBe(false);
    expect(hasCoreShape({ ...service, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } }, shape)).toBe(false);
  });

  it('knows a Service a VirtualMachineService controls from a user\'s', () => {
    const owned = { metadata: { ownerReferences: [{ apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineService', name: 'web', uid: 'u', controller: true }] } };
    expect(vmServiceController(owned)).toMatchObject({ uid: 'u' });
    expect(vmServiceController({ metadata: {} })).toBeUndefined();
    // Owned but not controlled, or by a kind of the same name elsewhere: not the VMService's.
    expect(vmServiceController({ metadata: { ownerReferences: [{ ...owned.metadata.ownerReferences[0], controller: false }] } })).toBeUndefined();
    expect(vmServiceController({ metadata: { ownerReferences: [{ ...owned.metadata.ownerReferences[0], apiVersion: 'example.com/v1' }] } })).toBeUndefined();
  });
});
