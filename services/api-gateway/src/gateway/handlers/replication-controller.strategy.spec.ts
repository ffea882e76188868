import { replicationControllerResource } from '@openpacific/contracts';
import { defaultReplicationController, replicationControllerKindStrategies, validateReplicationController, validateReplicationControllerStatus } from './replication-controller.strategy';

const rc = (spec: any, metadata: any = { name: 'web' }) => defaultReplicationController({ apiVersion: 'v1', kind: 'ReplicationController', metadata, spec });
const template = (labels: Record<string, string> = { app: 'web' }) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

describe('core/v1 ReplicationController strategy', () => {
  it('defaults the selector and the labels from the template, replicas to 1, and the pod template as a pod', () => {
    const r = rc({ template: template({ app: 'web', tier: 'fe' }) });
    expect(r.spec.selector).toEqual({ app: 'web', tier: 'fe' });
    expect(r.metadata.labels).toEqual({ app: 'web', tier: 'fe' });
    expect(r.spec.replicas).toBe(1);
    expect(r.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 });
    expect(validateReplicationController(r)).toEqual([]);
  });

  it('keeps a selector and labels that were given, and replicas 0', () => {
    const r = rc({ replicas: 0, selector: { app: 'web' }, template: template({ app: 'web', v: '2' }) }, { name: 'web', labels: { team: 'a' } });
    expect(r.spec.selector).toEqual({ app: 'web' });
    expect(r.metadata.labels).toEqual({ team: 'a' });
    expect(r.spec.replicas).toBe(0);
    expect(validateReplicationController(r)).toEqual([]);
  });

  it('refuses a missing template and an empty selector with Required values', () => {
    expect(validateReplicationController(rc({}))).toEqual([
      { field: 'spec.selector', reason: 'FieldValueRequired', message: 'Required value' },
      { field: 'spec.template', reason: 'FieldValueRequired', message: 'Required value' },
    ]);
    expect(validateReplicationController(rc({ template: template({}) }))[0]).toEqual({ field: 'spec.selector', reason: 'FieldValueRequired', message: 'Required value' });
  });

  it('refuses a selector the template labels do not match, other restart policies and activeDeadlineSeconds, as kube-apiserver words them', () => {
    const r = rc({ selector: { app: 'other' }, template: template() });
    r.spec.template.spec.restartPolicy = 'OnFailure';
    r.spec.template.spec.activeDeadlineSeconds = 5;
    expect(validateReplicationController(r)).toEqual([
      { field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid', message: 'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`' },
      { field: 'spec.template.spec.restartPolicy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "OnFailure": supported values: "Always"' },
      { field: 'spec.template.spec.activeDeadlineSeconds', reason: 'FieldValueForbidden', message: 'Forbidden: activeDeadlineSeconds in ReplicationController is not Supported' },
    ]);
  });

  it('lets the selector change (it is immutable only in apps/v1)', () => {
    expect(replicationControllerKindStrategies['/ReplicationController'].validateUpdate).toBeUndefined();
  });

  it('refuses a status counting more ready or available pods than it has', () => {
    expect(validateReplicationControllerStatus({}, { status: { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1 } })).toEqual([]);
    expect(validateReplicationControllerStatus({}, { status: { replicas: 1, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 3, observedGeneration: -1 } })).toEqual([
      { field: 'status.observedGeneration', reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0' },
      { field: 'status.fullyLabeledReplicas', reason: 'FieldValueInvalid', message: 'Invalid value: 2: cannot be greater than status.replicas' },
      { field: 'status.readyReplicas', reason: 'FieldValueInvalid', message: 'Invalid value: 2: cannot be greater than status.replicas' },
      { field: 'status.availableReplicas', reason: 'FieldValueInvalid', message: 'Invalid value: 3: cannot be greater than status.replicas' },
      { field: 'status.availableReplicas', reason: 'FieldValueInvalid', message: 'Invalid value: 3: cannot be greater than readyReplicas' },
    ]);
  });

  it('prints kubectl columns and a Scale selector from the label map, keys sorted', () => {
    const r = rc({ replicas: 3, selector: { tier: 'fe', app: 'web' }, template: template({ app: 'web', tier: 'fe' }) });
    r.status = { replicas: 2, readyReplicas: 1 };
    const cols = replicationControllerResource.versions[0].printerColumns!;
    expect(cols.map((c) => c.name)).toEqual(['Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector']);
    expect(cols.filter((c) => c.value).map((c) => c.value!(r))).toEqual([3, 2, 1, 'c', 'busybox', 'app=web,tier=fe']);
    expect(replicationControllerResource.subresources.scale!.selector!(r)).toBe('app=web,tier=fe');
  });
});
