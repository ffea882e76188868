import { defaultDaemonSet, defaultStatefulSet, validateDaemonSet, validateStatefulSet, validateStatefulSetUpdate } from './sets.strategy';

const template = () => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
const daemonSet = (over: any = {}) =>
  defaultDaemonSet({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template(), ...over } });
const rolling = (rollingUpdate: any) => daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate } });
const claimTemplate = (name: string, spec: any = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }) => ({ metadata: { name }, spec });
const statefulSet = (over: any = {}) =>
  defaultStatefulSet({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: { serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: template(), volumeClaimTemplates: [claimTemplate('data')], ...over },
  });
const FORBIDDEN = "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

describe('DaemonSet strategy', () => {
  it('defaults to RollingUpdate with maxUnavailable 1 and maxSurge 0, 10 revisions kept, and the pod template defaults', () => {
    const ds = daemonSet();
    expect(ds.spec).toMatchObject({ revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } });
    expect(ds.spec.template.spec).toMatchObject({ restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler' });
    expect(ds.spec.template.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' });
    expect(ds.spec.template.status).toBeUndefined();
    expect(validateDaemonSet(ds)).toEqual([]);
  });

  it('keeps what was given, and adds no rollingUpdate to OnDelete', () => {
    expect(rolling({ maxUnavailable: '25%' }).spec.updateStrategy.rollingUpdate).toEqual({ maxUnavailable: '25%', maxSurge: 0 });
    expect(daemonSet({ revisionHistoryLimit: 3 }).spec.revisionHistoryLimit).toBe(3);
    expect(daemonSet({ updateStrategy: { type: 'OnDelete' } }).spec.updateStrategy).toEqual({ type: 'OnDelete' });
  });

  it('refuses a selector that does not match the template labels, and an empty selector', () => {
    expect(validateDaemonSet(daemonSet({ selector: { matchLabels: { app: 'other' } } }))).toEqual([
      { field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid', message: 'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`' },
    ]);
    expect(validateDaemonSet(daemonSet({ selector: {} }))[0]).toMatchObject({ field: 'spec.selector', message: expect.stringContaining('empty selector is invalid for daemonset') });
  });

  it('refuses a template that is missing or restarts other than Always', () => {
    expect(validateDaemonSet(daemonSet({ template: undefined }))).toContainEqual(expect.objectContaining({ field: 'spec.template', reason: 'FieldValueRequired' }));
    const never = daemonSet();
    never.spec.template.spec.restartPolicy = 'Never';
    expect(validateDaemonSet(never)).toEqual([expect.objectContaining({ field: 'spec.template.spec.restartPolicy', reason: 'FieldValueNotSupported' })]);
  });

  it('refuses maxUnavailable 0 with maxSurge 0, naming spec.updateStrategy.rollingUpdate.maxUnavailable', () => {
    for (const maxUnavailable of [0, '0%']) {
      const causes = validateDaemonSet(rolling({ maxUnavailable, maxSurge: 0 }));
      expect(causes).toHaveLength(1);
      expect(causes[0].field).toBe('spec.updateStrategy.rollingUpdate.maxUnavailable');
    }
    expect(validateDaemonSet(rolling({ maxUnavailable: 0, maxSurge: 1 }))).toEqual([]);
    expect(validateDaemonSet(rolling({ maxUnavailable: '10%', maxSurge: 0 }))).toEqual([]);
  });

  it('words maxUnavailable 0 with maxSurge 0 as kube-apiserver does', () => {
    expect(validateDaemonSet(rolling({ maxUnavailable: 0, maxSurge: 0 }))).toEqual([
      { field: 'spec.updateStrategy.rollingUpdate.maxUnavailable', reason: 'FieldValueRequired', message: 'Required value: cannot be 0 when maxSurge is 0' },
    ]);
  });

  it('refuses maxUnavailable and maxSurge both non-zero, naming maxSurge (a DaemonSet surges or takes pods down, not both)', () => {
    expect(validateDaemonSet(rolling({ maxUnavailable: 1, maxSurge: '10%' }))).toEqual([
      { field: 'spec.updateStrategy.rollingUpdate.maxSurge', reason: 'FieldValueInvalid', message: 'Invalid value: "10%": may not be set when maxUnavailable is non-zero' },
    ]);
  });

  it('refuses a bad percent, a percent over 100 and a negative number', () => {
    expect(validateDaemonSet(rolling({ maxUnavailable: 'half', maxSurge: 0 }))).toEqual([
      expect.objectContaining({ field: 'spec.updateStrategy.rollingUpdate.maxUnavailable', reason: 'FieldValueInvalid', message: expect.stringContaining('a valid percent string must be a numeric string followed by an ending') }),
    ]);
    expect(validateDaemonSet(rolling({ maxUnavailable: 0, maxSurge: '1' }))[0]).toMatchObject({ field: 'spec.updateStrategy.rollingUpdate.maxSurge' });
    expect(validateDaemonSet(rolling({ maxUnavailable: '150%', maxSurge: 0 }))[0]).toMatchObject({ field: 'spec.updateStrategy.rollingUpdate.maxUnavailable', message: 'Invalid value: "150%": must not be greater than 100%' });
    expect(validateDaemonSet(rolling({ maxUnavailable: -1, maxSurge: 0 }))[0]).toMatchObject({ field: 'spec.updateStrategy.rollingUpdate.maxUnavailable', message: 'Invalid value: -1: must be greater than or equal to 0' });
  });
});

describe('StatefulSet strategy', () => {
  it('defaults replicas 1, OrderedReady, RollingUpdate with partition 0, 10 revisions kept and Retain/Retain claims', () => {
    const sts = statefulSet();
    expect(sts.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(sts.spec.template.spec).toMatchObject({ restartPolicy: 'Always', terminationGracePeriodSeconds: 30 });
    expect(validateStatefulSet(sts)).toEqual([]);
  });

  it('keeps what was given, and adds no rollingUpdate to OnDelete', () => {
    const sts = statefulSet({ replicas: 0, podManagementPolicy: 'Parallel', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' }, updateStrategy: { type: 'OnDelete' } });
    expect(sts.spec).toMatchObject({ replicas: 0, podManagementPolicy: 'Parallel', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
    expect(sts.spec.updateStrategy).toEqual({ type: 'OnDelete' });
    expect(statefulSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }).spec.updateStrategy.rollingUpdate.partition).toBe(2);
  });

  it('defaults each claim template as a PersistentVolumeClaim: v1, Filesystem, Pending', () => {
    const claim = statefulSet({ volumeClaimTemplates: [claimTemplate('data'), claimTemplate('logs', { accessModes: ['ReadWriteOnce'], volumeMode: 'Block', resources: { requests: { storage: '1Gi' } } })] }).spec.volumeClaimTemplates;
    expect(claim[0]).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
    expect(claim[1].spec.volumeMode).toBe('Block');
  });

  it('refuses a selector that does not match the template labels', () => {
    expect(validateStatefulSet(statefulSet({ selector: { matchLabels: { app: 'db' } } }))).toEqual([expect.objectContaining({ field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid' })]);
  });

  it('refuses a claim template without a storage request, naming its field under the template', () => {
    const causes = validateStatefulSet(statefulSet({ volumeClaimTemplates: [claimTemplate('data', { accessModes: ['ReadWriteOnce'] })] }));
    expect(causes).toEqual([{ field: 'spec.volumeClaimTemplates[0].spec.resources[storage]', reason: 'FieldValueRequired', message: 'Required value' }]);
  });

  it('refuses a claim template without accessModes', () => {
    const causes = validateStatefulSet(statefulSet({ volumeClaimTemplates: [claimTemplate('data', { resources: { requests: { storage: '1Gi' } } })] }));
    expect(causes).toEqual([{ field: 'spec.volumeClaimTemplates[0].spec.accessModes', reason: 'FieldValueRequired', message: 'Required value: at least 1 access mode is required' }]);
  });

  it('refuses duplicate and missing claim template names', () => {
    expect(validateStatefulSet(statefulSet({ volumeClaimTemplates: [claimTemplate('data'), claimTemplate('logs'), claimTemplate('data')] }))).toEqual([
      { field: 'spec.volumeClaimTemplates[2].metadata.name', reason: 'FieldValueDuplicate', message: 'Duplicate value: "data"' },
    ]);
    expect(validateStatefulSet(statefulSet({ volumeClaimTemplates: [{ spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] }))).toEqual([
      expect.objectContaining({ field: 'spec.volumeClaimTemplates[0].metadata.name', reason: 'FieldValueRequired' }),
    ]);
  });

  it('refuses rollingUpdate with OnDelete', () => {
    expect(validateStatefulSet(statefulSet({ updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } }))).toEqual([
      expect.objectContaining({ field: 'spec.updateStrategy.rollingUpdate', reason: 'FieldValueInvalid' }),
    ]);
  });

  it('keeps maxUnavailable as an int or percent of at least one member, as kube-apiserver with MaxUnavailableStatefulSet on', () => {
    const withMax = (maxUnavailable: unknown) => validateStatefulSet(statefulSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable } } }));
    expect(withMax(2)).toEqual([]);
    expect(withMax('50%')).toEqual([]);
    const field = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
    expect(withMax(0)).toEqual([{ field, reason: 'FieldValueInvalid', message: 'Invalid value: 0: cannot be 0' }]);
    expect(withMax('0%')).toEqual([{ field, reason: 'FieldValueInvalid', message: 'Invalid value: "0%": cannot be 0' }]);
    expect(withMax(-1)).toEqual([expect.objectContaining({ field, message: 'Invalid value: -1: must be greater than or equal to 0' })]);
    expect(withMax('101%')).toEqual([expect.objectContaining({ field, message: 'Invalid value: "101%": must not be greater than 100%' })]);
    expect(withMax('half')).toEqual([expect.objectContaining({ field, message: expect.stringContaining('a valid percent string must be a numeric string') })]);
  });
});

describe('StatefulSet updates', () => {
  const forbidden = [{ field: 'spec', reason: 'FieldValueForbidden', message: FORBIDDEN }];

  it('refuse a change of serviceName, volumeClaimTemplates or podManagementPolicy, naming spec', () => {
    expect(validateStatefulSetUpdate(statefulSet(), statefulSet({ serviceName: 'web-headless' }))).toEqual(forbidden);
    expect(validateStatefulSetUpdate(statefulSet(), statefulSet({ volumeClaimTemplates: [claimTemplate('data', { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } })] }))).toEqual(forbidden);
    expect(validateStatefulSetUpdate(statefulSet(), statefulSet({ volumeClaimTemplates: [claimTemplate('data'), claimTemplate('logs')] }))).toEqual(forbidden);
    expect(validateStatefulSetUpdate(statefulSet(), statefulSet({ podManagementPolicy: 'Parallel' }))).toEqual(forbidden);
  });

  it('allow a change of replicas, template, updateStrategy, ordinals, minReadySeconds, revisionHistoryLimit and retention', () => {
    const changed = statefulSet({
      replicas: 5,
      template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.37' }] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 3 } },
      ordinals: { start: 1 },
      minReadySeconds: 10,
      revisionHistoryLimit: 2,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
    });
    expect(validateStatefulSetUpdate(statefulSet(), changed)).toEqual([]);
    expect(validateStatefulSetUpdate(statefulSet(), statefulSet())).toEqual([]);
  });

  it('refuse a change of the selector', () => {
    const causes = validateStatefulSetUpdate(statefulSet(), statefulSet({ selector: { matchLabels: { app: 'web', x: 'y' } } }));
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ field: 'spec', reason: 'FieldValueForbidden' });
  });
});
