import { randomUUID } from 'node:crypto';
import { ObjectEventTypes, objectStreamId, rfc3339 } from '@openpacific/contracts';
import type { EventStore } from '@openpacific/event-store';
import { renderKubeconfig } from '@openpacific/kube-api';
import { GuestApi, startGuestApi } from './guest-api.spec-support';
import { CR } from './objects';

/** The namespace the int specs' clusters live in. */
export const NS = 'default';
const META = { actor: 'test', source: 'test' };
/** A logger that says nothing. */
export const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet } as any;
/** Object metadata in `NS`, with a fresh uid and a creation time. */
export const meta = (name: string, extra: any = {}) => ({ name, namespace: NS, uid: randomUUID(), creationTimestamp: rfc3339(), ...extra });
/** A Cluster API Secret holding `values`. */
export const secret = (name: string, values: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Secret', metadata: meta(name), type: 'cluster.x-k8s.io/secret',
  data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

/** A VSphereMachineTemplate in `NS` as one is written by hand (VM class `small`, image `img`, storage class `sc`). */
export const machineTemplate = (name: string, spec: Record<string, string> = { className: 'small', imageName: 'img', storageClass: 'sc' }) => ({
  apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', metadata: meta(name), spec: { template: { spec } },
});
/** A reference to the VSphereMachineTemplate `name`, as a Machine, MachineSet or control plane carries it. */
export const templateRef = (name: string) => ({ apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', name });

/** Appends the creation of `object` (its first event) to the log. */
export const createIn = (store: EventStore, resource: string, object: any) =>
  store.append(objectStreamId(resource, object.metadata.namespace, object.metadata.name), [{ type: ObjectEventTypes.created, data: { resource, object }, metadata: META }], { expectedVersion: 'no_stream' });

/**
 * A guest cluster as cluster-api sees one: its API (a fake guest API server) and, in the log, a Cluster with the
 * API's endpoint, its CA, its kubeconfig, its bootstrap data (`<name>-data`) and its control plane's
 * VirtualMachineService.
 */
export async function addGuestCluster(store: EventStore, name: string): Promise<GuestApi> {
  const api = await startGuestApi();
  const endpoint = { host: '127.0.0.1', port: Number(new URL(api.access.server).port) };
  const kubeconfig = renderKubeconfig({ server: api.access.server, caCertPem: api.access.caCertPem, clusterName: name, users: [{ name: `${name}-admin`, token: api.access.token }], contextName: `${name}-admin@${name}`, namespace: NS });
  await createIn(store, 'secrets', secret(`${name}-ca`, { 'tls.crt': api.access.caCertPem, 'tls.key': 'unused' }));
  await createIn(store, 'secrets', secret(`${name}-kubeconfig`, { value: kubeconfig }));
  await createIn(store, 'secrets', secret(`${name}-data`, { value: '#cloud-config\n{}\n' }));
  await createIn(store, CR.vmServices, { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineService', metadata: meta(`${name}-control-plane-service`), spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: endpoint.host }] } } });
  await createIn(store, CR.clusters, { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: meta(name), spec: { controlPlaneEndpoint: endpoint } });
  return api;
}
