import { createHash } from 'node:crypto';
import { objectStreamId, ObjectEventTypes } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import {
  desiredVmService, EXTERNAL_TRAFFIC_POLICY_ANNOTATION, HEALTH_CHECK_NODE_PORT_ANNOTATION, ingressUpdates, LB_LABELS, loadBalancerWrites, vmServiceName,
} from './guest-load-balancers';
import { CR } from './objects';

let position = 0n;
/** The object as the log brings it to a read model (created, or replaced when `version` > 1). */
function put(model: ReadModel, resource: string, object: any, version = 1): void {
  position += 1n;
  model.apply({
    id: `e${position}`, streamId: objectStreamId(resource, object.metadata.namespace, object.metadata.name), streamVersion: version,
    type: version === 1 ? ObjectEventTypes.created : ObjectEventTypes.updated, data: { resource, object }, metadata: {}, position, transactionId: 100n, createdAt: new Date(),
  } as RecordedEvent);
}

const cluster = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name: 'tkc-1', namespace: 'tkg-team', uid: 'cluster-uid' } };
const lb = (name: string, ports: any[], extra: any = {}) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', resourceVersion: '7' },
  spec: { type: 'LoadBalancer', clusterIP: '127.6.1.2', ports, ...extra },
});
const http = { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 31234 };

describe('the VirtualMachineService of a guest LoadBalancer Service', () => {
  it('is named <cluster>-<21 hex digits of sha256("<name>.<namespace>")>, as the paravirtual cloud provider names it', () => {
    const hash = createHash('sha256').update('web.default').digest('hex').slice(0, 21);
    expect(vmServiceName('tkc-1', 'default', 'web')).toBe(`tkc-1-${hash}`);
    expect(vmServiceName('tkc-1', 'default', 'web')).not.toBe(vmServiceName('tkc-1', 'web', 'default'));
    expect(vmServiceName('tkc-1', 'default', 'web')).not.toBe(vmServiceName('tkc-2', 'default', 'web'));
    const longest = 'c'.repeat(41);
    expect(vmServiceName(longest, 'default', 'web')).toHaveLength(63);
  });

  it('stays within 63 characters for a cluster name over 41, two such clusters still apart', () => {
    const a = vmServiceName(`${'x'.repeat(41)}-alpha`, 'default', 'web');
    const b = vmServiceName(`${'x'.repeat(41)}-bravo`, 'default', 'web');
    expect(a).toHaveLength(63);
    expect(a.startsWith(`${'x'.repeat(41)}-`)).toBe(true);
    expect(a).not.toBe(b);
  });

  it('maps each Service port to its node port on the cluster\'s worker VMs, labelled with the cluster and Service, owned by the Cluster', () => {
    const udp = { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP', nodePort: 31000 };
    const vms = desiredVmService(cluster, lb('web', [http, udp], { loadBalancerSourceRanges: ['10.0.0.0/8'] }));
    expect(vms.metadata).toEqual(expect.objectContaining({
      name: vmServiceName('tkc-1', 'default', 'web'), namespace: 'tkg-team',
      labels: { [LB_LABELS.cluster]: 'tkc-1', [LB_LABELS.serviceName]: 'web', [LB_LABELS.serviceNamespace]: 'default' },
      ownerReferences: [expect.objectContaining({ kind: 'Cluster', name: 'tkc-1', uid: 'cluster-uid', controller: true })],
    }));
    expect(vms.metadata.annotations).toBeUndefined();
    expect(vms.spec).toEqual({
      type: 'LoadBalancer',
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 31234 }, { name: 'dns', protocol: 'UDP', port: 53, targetPort: 31000 }],
      selector: { 'capv.vmware.com/cluster.name': 'tkc-1', 'capv.vmware.com/cluster.role': 'worker' },
      loadBalancerSourceRanges: ['10.0.0.0/8'],
    });
  });

  it('carries externalTrafficPolicy Local and the health check node port as annotations', () => {
    const vms = desiredVmService(cluster, lb('web', [http], { externalTrafficPolicy: 'Local', healthCheckNodePort: 32100 }));
    expect(vms.metadata.annotations).toEqual({ [EXTERNAL_TRAFFIC_POLICY_ANNOTATION]: 'Local', [HEALTH_CHECK_NODE_PORT_ANNOTATION]: '32100' });
  });

  it('is none for a Service not a LoadBalancer, being deleted, or with a port still without its node port', () => {
    expect(desiredVmService(cluster, { ...lb('web', [http]), spec: { type: 'NodePort', ports: [http] } })).toBeUndefined();
    expect(desiredVmService(cluster, { ...lb('web', [http]), metadata: { name: 'web', namespace: 'default', deletionTimestamp: '2026-01-01T00:00:00Z' } })).toBeUndefined();
    expect(desiredVmService(cluster, lb('web', [http, { name: 'x', port: 81 }]))).toBeUndefined();
    expect(desiredVmService(cluster, lb('web', []))).toBeUndefined();
  });
});

describe('the Supervisor writes for a guest\'s LoadBalancers', () => {
  const streams = (writes: any[]) => writes.filter(Boolean).map((w) => `${w.events[0].type} ${w.streamId}`);

  it('creates the missing VMService, corrects a changed one (keeping its cluster IP) and deletes one whose Service is gone or no longer a LoadBalancer', () => {
    const model = new ReadModel();
    const web = desiredVmService(cluster, lb('web', [http]));
    const stale = desiredVmService(cluster, lb('gone', [http]));
    const other = desiredVmService(cluster, lb('other', [http]));
    const someoneElses = { ...desiredVmService(cluster, lb('theirs', [http])), metadata: { ...other.metadata, name: 'theirs', ownerReferences: [{ uid: 'another' }] } };
    put(model, CR.vmServices, { ...web, spec: { ...web.spec, clusterIp: '10.96.0.40', ports: [{ ...web.spec.ports[0], targetPort: 30000 }] } });
    put(model, CR.vmServices, stale);
    put(model, CR.vmServices, other);
    put(model, CR.vmServices, someoneElses);
    const services = [lb('web', [http]), lb('new', [http]), { ...lb('other', [http]), spec: { type: 'ClusterIP', ports: [http] } }];
    const writes = loadBalancerWrites(model, cluster, services).filter(Boolean) as any[];
    const ns = 'tkg-team';
    expect(streams(writes).sort()).toEqual([
      `ResourceCreated ${objectStreamId(CR.vmServices, ns, vmServiceName('tkc-1', 'default', 'new'))}`,
      `ResourceDeleted ${objectStreamId(CR.vmServices, ns, stale.metadata.name)}`,
      `ResourceDeleted ${objectStreamId(CR.vmServices, ns, other.metadata.name)}`,
      `ResourceUpdated ${objectStreamId(CR.vmServices, ns, web.metadata.name)}`,
    ].sort());
    const update = writes.find((w) => w.events[0].type === 'ResourceUpdated').events[0].data.object;
    expect(update.spec).toEqual({ ...web.spec, clusterIp: '10.96.0.40' });
  });

  it('writes nothing once the VMServices are as the Services say, and deletes them all for a Cluster being deleted', () => {
    const model = new ReadModel();
    put(model, CR.vmServices, desiredVmService(cluster, lb('web', [http])));
    expect(loadBalancerWrites(model, cluster, [lb('web', [http])]).filter(Boolean)).toEqual([]);
    const deleting = { ...cluster, metadata: { ...cluster.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    expect(streams(loadBalancerWrites(model, deleting, [lb('web', [http])]))).toEqual([`ResourceDeleted ${objectStreamId(CR.vmServices, 'tkg-team', vmServiceName('tkc-1', 'default', 'web'))}`]);
  });

  it('sets a guest LoadBalancer\'s ingress to its VMService\'s once it has one, and clears it from a Service no longer a LoadBalancer', () => {
    const model = new ReadModel();
    const vms = desiredVmService(cluster, lb('web', [http]));
    put(model, CR.vmServices, vms);
    const shown = { ...lb('was-lb', [http]), spec: { type: 'ClusterIP', ports: [http] }, status: { loadBalancer: { ingress: [{ ip: '10.128.0.9' }] } } };
    expect([...ingressUpdates(model, cluster, [lb('web', [http]), shown]).keys()]).toEqual(['default/was-lb']);
    put(model, CR.vmServices, { ...vms, status: { loadBalancer: { ingress: [{ ip: '10.128.0.40' }] } } }, 2);
    const updates = ingressUpdates(model, cluster, [lb('web', [http]), shown]);
    expect(updates.get('default/web')?.loadBalancer).toEqual({ ingress: [{ ip: '10.128.0.40', ipMode: 'VIP' }] });
    expect(updates.get('default/was-lb')?.loadBalancer).toEqual({});
    // Already shown: nothing to write.
    expect(ingressUpdates(model, cluster, [{ ...lb('web', [http]), status: { loadBalancer: { ingress: [{ ip: '10.128.0.40', ipMode: 'VIP' }] } } }]).size).toBe(0);
  });
});
