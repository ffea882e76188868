import { clusterRoleResource, configMapResource } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { encryptSecret, secretKeyFrom } from '@openpacific/objects';
import { checkObject, describeSchemaViolation, SchemaConformanceTracker } from './schema-conformance';

const CAPI = { actor: 'system:serviceaccount:openpacific:cluster-api', source: 'cluster-api' };
const ADMIN = { actor: 'admin', source: 'api-gateway' };
const MACHINES = 'machines.cluster.x-k8s.io';
const CRDS = 'customresourcedefinitions.apiextensions.k8s.io';

let position = 0n;
function event(streamId: string, type: string, data: object, metadata: object, streamVersion = 1): RecordedEvent {
  position++;
  return { id: `e${position}`, streamId, streamVersion, type, data, metadata: metadata as any, position, transactionId: 1n, createdAt: new Date() };
}

const configMap = (data: Record<string, unknown>, extra: object = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'default', uid: 'u1', creationTimestamp: '2025-01-01T00:00:00Z', resourceVersion: '7' },
  data,
  ...extra,
});

const machine = (infrastructureRef: object) => ({
  apiVersion: 'cluster.x-k8s.io/v1beta1',
  kind: 'Machine',
  metadata: { name: 'tkc-1-control-plane-abcde', namespace: 'tkg-team', uid: 'u2', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { clusterName: 'tkc-1', bootstrap: { dataSecretName: 'tkc-1-control-plane-abcde' }, infrastructureRef },
});

describe('an object checked against its kind\'s schema', () => {
  it('passes a ConfigMap the gateway would take back', () => {
    expect(checkObject(configMapResource, configMap({ color: 'blue' }))).toEqual({ unknownFields: [], causes: [] });
  });

  it('names a field the schema does not declare, as kubectl\'s warning does', () => {
    expect(checkObject(configMapResource, configMap({}, { spec: { color: 'blue' } }))).toEqual({ unknownFields: ['spec'], causes: [] });
  });

  it('names a value of the wrong type in the 422\'s words', () => {
    const { unknownFields, causes } = checkObject(configMapResource, configMap({ replicas: 3 }));
    expect(unknownFields).toEqual([]);
    expect(causes).toEqual([
      { field: 'data.replicas', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "number": data.replicas in body must be of type string: "number"' },
    ]);
  });

  it('leaves names to their kinds\' own rules: an RBAC name may hold colons', () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:basic-user', uid: 'u5', creationTimestamp: '2025-01-01T00:00:00Z' }, rules: [] };
    expect(checkObject(clusterRoleResource, role)).toEqual({ unknownFields: [], causes: [] });
  });

  it('names an object stored at another version than its kind\'s storage version', () => {
    const { causes } = checkObject(configMapResource, { ...configMap({}), apiVersion: 'v2' });
    expect(causes).toEqual([{ field: 'apiVersion', reason: 'FieldValueInvalid', message: 'Invalid value: "v2": stored as v1' }]);
  });
});

describe('the log\'s objects checked against their schemas', () => {
  it('reports a Machine whose infrastructureRef carries fields Cluster API does not have, naming its writer once', () => {
    const tracker = new SchemaConformanceTracker();
    const stream = `${MACHINES}/tkg-team/tkc-1-control-plane-abcde`;
    const invented = machine({ kind: 'VSphereMachine', name: 'm', className: 'best-effort-small', role: 'control-plane' });
    tracker.observe(event(stream, 'ResourceCreated', { resource: MACHINES, object: invented }, CAPI));
    // A later write that keeps the problem is not its author.
    tracker.observe(event(stream, 'ResourceStatusUpdated', { resource: MACHINES, set: { 'status.phase': 'Running' } }, ADMIN, 2));
    expect(tracker.objects).toBe(1);
    expect(tracker.violations).toEqual([
      expect.objectContaining({
        kind: 'Machine', namespace: 'tkg-team', name: 'tkc-1-control-plane-abcde', writer: CAPI.actor, source: 'cluster-api', event: 'ResourceCreated',
        unknownFields: ['spec.infrastructureRef.className', 'spec.infrastructureRef.role'], causes: [],
      }),
    ]);
    expect(describeSchemaViolation(tracker.violations[0])).toBe(
      `Machine tkg-team/tkc-1-control-plane-abcde written by ${CAPI.actor} (cluster-api) in ResourceCreated at ${tracker.violations[0].resourceVersion}: ` +
        'unknown field "spec.infrastructureRef.className"; unknown field "spec.infrastructureRef.role"',
    );
  });

  it('names the writer of a status field set that breaks the schema', () => {
    const tracker = new SchemaConformanceTracker();
    const stream = `${MACHINES}/tkg-team/tkc-1-control-plane-abcde`;
    tracker.observe(event(stream, 'ResourceCreated', { resource: MACHINES, object: machine({ kind: 'VSphereMachine', name: 'm' }) }, ADMIN));
    tracker.observe(event(stream, 'ResourceStatusUpdated', { resource: MACHINES, set: { 'status.bootstrapReady': 'yes' } }, CAPI, 2));
    expect(tracker.violations).toEqual([
      expect.objectContaining({
        writer: CAPI.actor, event: 'ResourceStatusUpdated', unknownFields: [],
        causes: [{ field: 'status.bootstrapReady', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "string": status.bootstrapReady in body must be of type boolean: "string"' }],
      }),
    ]);
  });

  it('checks a custom kind\'s objects against the schema of the CRD in the log, and passes those that match it', () => {
    const tracker = new SchemaConformanceTracker();
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com', uid: 'u3', creationTimestamp: '2025-01-01T00:00:00Z' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [{
          name: 'v1', served: true, storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } },
        }],
      },
    };
    tracker.observe(event(`${CRDS}/widgets.example.com`, 'ResourceCreated', { resource: CRDS, object: crd }, ADMIN));
    const widget = (spec: object, name: string) => ({
      apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default', uid: name, creationTimestamp: '2025-01-01T00:00:00Z' }, spec,
    });
    tracker.observe(event('widgets.example.com/default/good', 'ResourceCreated', { resource: 'widgets.example.com', object: widget({ size: 2 }, 'good') }, ADMIN));
    tracker.observe(event('widgets.example.com/default/bad', 'ResourceCreated', { resource: 'widgets.example.com', object: widget({ size: 2, colour: 'red' }, 'bad') }, CAPI));
    expect(tracker.objects).toBe(3);
    expect(tracker.violations.map((v) => [v.kind, v.name, v.unknownFields])).toEqual([['Widget', 'bad', ['spec.colour']]]);
  });

  it('reads a Secret as the gateway serves it: its contents checked with the cluster\'s key, the rest without one', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const secret = (data: object) => ({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tkc-1-ca', namespace: 'tkg-team', uid: 'u4', creationTimestamp: '2025-01-01T00:00:00Z' }, type: 'Opaque', data,
    });
    const stored = [encryptSecret(secret({ 'tls.crt': 'Y2E=' }), secretKeyFrom(key)), encryptSecret(secret({ 'tls.crt': 42 }), secretKeyFrom(key))];
    const check = (opts: { secretsKey?: string }) => {
      const tracker = new SchemaConformanceTracker(opts);
      stored.forEach((object, i) => tracker.observe(event(`secrets/tkg-team/s${i}`, 'ResourceCreated', { resource: 'secrets', object }, CAPI)));
      return tracker.violations.map((v) => v.causes.map((c) => c.field));
    };
    expect(check({ secretsKey: key })).toEqual([['data.tls.crt']]);
    expect(check({})).toEqual([]);
  });
});
