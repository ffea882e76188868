import { definitionFromCrd, ObjectEventTypes } from '@openpacific/contracts';
import { ResourceRegistry } from '../registry/registry';
import { admissionRequestOf, ObjectWrite } from '../store/object-writer';
import { scaleAdmission, withReplicas } from './scale';

const registry = new ResourceRegistry();
registry.setCustom('widgets.example.com', definitionFromCrd({
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', kind: 'Widget' },
    versions: [{
      name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.size', labelSelectorPath: '.status.selector' } },
    }],
  },
}));

const deployment = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', uid: 'uid-1', resourceVersion: '41', generation: 3, creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'web' } },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } } },
  status: { replicas: 2, selector: 'app=web' },
};
const admin = { username: 'alice', groups: ['system:masters'] };

/** The write handleScale makes of a Scale asking for `replicas` (ownership aside: `store` only sets the replicas). */
function scaleWrite(resource: [string, string, string], stored: any, replicas: number): ObjectWrite {
  const served = registry.lookup(...resource)!;
  const paths = served.def.subresources.scale!;
  const store = (n: number) => withReplicas(stored, paths, n);
  return {
    served, operation: 'UPDATE', subresource: 'scale', eventType: ObjectEventTypes.updated, object: store(replicas), oldObject: stored,
    expectedVersion: 7, actor: admin, dryRun: false, admitAs: scaleAdmission(stored, paths, replicas, store),
  };
}

describe('admission of a write through /scale', () => {
  it('asks about an UPDATE of deployments/scale whose kind is autoscaling/v1 Scale, with the old and new Scale', () => {
    const scale = (replicas: number) => ({
      kind: 'Scale', apiVersion: 'autoscaling/v1',
      metadata: { name: 'web', namespace: 'shop', uid: 'uid-1', resourceVersion: '41', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { replicas }, status: { replicas: 2, selector: 'app=web' },
    });
    expect(admissionRequestOf(scaleWrite(['apps', 'v1', 'deployments'], deployment, 5))).toEqual({
      operation: 'UPDATE', user: admin,
      resource: { group: 'apps', version: 'v1', resource: 'deployments' }, subResource: 'scale',
      kind: 'Scale', kindGroupVersion: { group: 'autoscaling', version: 'v1' },
      namespace: 'shop', name: 'web', object: scale(5), oldObject: scale(2), dryRun: false,
    });
  });

  it('asks about a custom resource\'s scale as an autoscaling/v1 Scale too, its replicas at the CRD\'s paths', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop', uid: 'uid-2', resourceVersion: '9' }, spec: { size: 1 }, status: { size: 1, selector: 'app=w' } };
    const request = admissionRequestOf(scaleWrite(['example.com', 'v1', 'widgets'], widget, 3));
    expect(request).toMatchObject({ resource: { group: 'example.com', version: 'v1', resource: 'widgets' }, subResource: 'scale', kind: 'Scale', kindGroupVersion: { group: 'autoscaling', version: 'v1' } });
    expect(request.object).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 3 }, status: { replicas: 1, selector: 'app=w' } });
    expect(request.oldObject).toMatchObject({ spec: { replicas: 1 } });
  });

  it('stores the replicas of the Scale mutating admission returned, and refuses any that are not a count with a 422', () => {
    const w = scaleWrite(['apps', 'v1', 'deployments'], deployment, 5);
    const stored = w.admitAs!.toStored({ ...w.admitAs!.object, spec: { replicas: 4 } });
    expect(stored.spec.replicas).toBe(4);
    expect(stored.metadata.generation).toBe(4);
    expect(stored.metadata).not.toHaveProperty('resourceVersion');
    // The rest of the Deployment is the stored one's.
    expect({ ...stored, spec: { ...stored.spec, replicas: 2 }, metadata: { ...stored.metadata, generation: 3, resourceVersion: '41' } }).toEqual(deployment);
    expect(() => w.admitAs!.toStored({ ...w.admitAs!.object, spec: { replicas: -1 } })).toThrow(expect.objectContaining({
      status: expect.objectContaining({ code: 422, kind: 'Status', message: 'Scale "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0', details: expect.objectContaining({ kind: 'Scale', group: 'autoscaling' }) }),
    }));
    expect(() => w.admitAs!.toStored({ ...w.admitAs!.object, spec: { replicas: 2 ** 31 } })).toThrow(expect.objectContaining({
      status: expect.objectContaining({ code: 422, message: 'Scale "web" is invalid: spec.replicas: Invalid value: 2147483648: spec.replicas in body must be of type int32: "2147483648"' }),
    }));
  });

  it('decodes replicas as kube-apiserver decodes an int32: left out or null is 0, a string or a fraction a 400', () => {
    const w = scaleWrite(['apps', 'v1', 'deployments'], deployment, 5);
    expect(w.admitAs!.toStored({ ...w.admitAs!.object, spec: { replicas: null } }).spec.replicas).toBe(0);
    expect(w.admitAs!.toStored({ ...w.admitAs!.object, spec: {} }).spec.replicas).toBe(0);
    for (const [replicas, what] of [['5', 'string'], [1.5, 'number 1.5']] as const) {
      expect(() => w.admitAs!.toStored({ ...w.admitAs!.object, spec: { replicas } })).toThrow(expect.objectContaining({
        status: expect.objectContaining({ code: 400, message: `Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${what} into Go struct field ScaleSpec.spec.replicas of type int32` }),
      }));
    }
  });

  it('asks about any other write as the stored kind, without a subresource', () => {
    const served = registry.lookup('apps', 'v1', 'deployments')!;
    const request = admissionRequestOf({ served, operation: 'UPDATE', eventType: ObjectEventTypes.updated, object: deployment, oldObject: deployment, expectedVersion: 7, actor: admin, dryRun: false });
    expect(request).toMatchObject({ kind: 'Deployment', resource: { group: 'apps', version: 'v1', resource: 'deployments' }, object: deployment, oldObject: deployment });
    expect(request).not.toHaveProperty('kindGroupVersion');
    expect(request.subResource).toBeUndefined();
  });
});
