import { configMapResource, definitionFromCrd, deploymentResource, eventsV1Resource, nodeResource, podResource, qualifiedResource, resourceDefinitions } from '@openpacific/contracts';
import { deletedStatus } from './delete-answer';

const gone = (name: string, uid: string) => ({ metadata: { name, namespace: 'team-a', uid, resourceVersion: '41' } });
const leaving = (name: string, uid: string) => ({ metadata: { ...gone(name, uid).metadata, deletionTimestamp: '2026-12-05T10:00:00Z', finalizers: ['example.com/hold'] } });

describe('what a DELETE of one object answers', () => {
  it('names a ConfigMap that went at once in a Status: the plural as details.kind, its uid, and no group for the core group', () => {
    expect(deletedStatus(configMapResource, gone('settings', 'u-cm'))).toStrictEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'settings', kind: 'configmaps', uid: 'u-cm' },
    });
  });

  it('names the API group of a kind outside the core group', () => {
    expect(deletedStatus(deploymentResource, gone('web', 'u-dep'))?.details).toStrictEqual({ name: 'web', group: 'apps', kind: 'deployments', uid: 'u-dep' });
  });

  it('names a custom resource by its CRD\'s group and plural', () => {
    const widgets = definitionFromCrd({
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] },
    });
    expect(deletedStatus(widgets, gone('w1', 'u-w'))?.details).toStrictEqual({ name: 'w1', group: 'example.com', kind: 'widgets', uid: 'u-w' });
  });

  it('names a view kind as the request did: nodes in the core group, events in events.k8s.io', () => {
    expect(deletedStatus(nodeResource, gone('esx-1', 'u-host'))?.details).toStrictEqual({ name: 'esx-1', kind: 'nodes', uid: 'u-host' });
    expect(deletedStatus(eventsV1Resource, gone('seen', 'u-ev'))?.details).toStrictEqual({ name: 'seen', group: 'events.k8s.io', kind: 'events', uid: 'u-ev' });
  });

  it('answers with the object for a Pod that went at once, and for any kind whose deletion waits', () => {
    expect(deletedStatus(podResource, gone('p', 'u-pod'))).toBeUndefined();
    expect(deletedStatus(configMapResource, leaving('held', 'u-held'))).toBeUndefined();
    expect(deletedStatus(deploymentResource, leaving('web', 'u-dep'))).toBeUndefined();
  });

  it('answers with the object for exactly the kinds kube-apiserver 1.32 returns deleted objects of', () => {
    const returning = resourceDefinitions.filter((d) => d.returnsDeletedObject).map(qualifiedResource).sort();
    expect(returning).toEqual([
      'namespaces', 'persistentvolumeclaims', 'persistentvolumes', 'pods', 'podtemplates', 'resourcequotas', 'serviceaccounts', 'services',
      'storageclasses.storage.k8s.io',
    ]);
  });
});
