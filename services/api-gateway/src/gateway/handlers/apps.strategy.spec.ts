import { defaultDeployment, validateDeployment, validateReplicaSet, validateSelectorUpdate } from './apps.strategy';

const deploy = (over: any = {}) =>
  defaultDeployment({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }, ...over },
  });

describe('apps/v1 strategy', () => {
  it('fills in kube-apiserver defaults, the pod template included', () => {
    const d = deploy();
    expect(d.spec).toMatchObject({ replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
    expect(d.spec.template.spec).toMatchObject({ restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst' });
    expect(d.spec.template.status).toBeUndefined();
    expect(validateDeployment(d)).toEqual([]);
  });

  it('refuses a selector that does not match the template labels, naming spec.template.metadata.labels', () => {
    const causes = validateDeployment(deploy({ selector: { matchLabels: { app: 'other' } } }));
    expect(causes).toEqual([{ field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid', message: 'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`' }]);
    expect(validateReplicaSet({ spec: { selector: {}, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } })[0]).toMatchObject({ field: 'spec.selector' });
  });

  it('refuses restartPolicy Never, both fenceposts 0, bad percents and rollingUpdate with Recreate', () => {
    const never = deploy();
    never.spec.template.spec.restartPolicy = 'Never';
    expect(validateDeployment(never)).toEqual([expect.objectContaining({ field: 'spec.template.spec.restartPolicy', message: 'Unsupported value: "Never": supported values: "Always"' })]);
    expect(validateDeployment(deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }))).toEqual([
      expect.objectContaining({ field: 'spec.strategy.rollingUpdate.maxUnavailable', message: 'Invalid value: "0%": may not be 0 when `maxSurge` is 0' }),
    ]);
    expect(validateDeployment(deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '150%', maxUnavailable: 1 } } }))[0]).toMatchObject({ field: 'spec.strategy.rollingUpdate.maxSurge' });
    expect(validateDeployment(deploy({ strategy: { type: 'Recreate', rollingUpdate: {} } }))[0]).toMatchObject({ field: 'spec.strategy.rollingUpdate', reason: 'FieldValueForbidden' });
  });

  it('keeps the selector immutable', () => {
    const old = deploy();
    const next = deploy({ selector: { matchLabels: { app: 'web', x: 'y' } } });
    expect(validateSelectorUpdate(old, next)).toEqual([expect.objectContaining({ field: 'spec.selector', message: expect.stringMatching(/field is immutable$/) })]);
    expect(validateSelectorUpdate(old, deploy({ replicas: 5 }))).toEqual([]);
  });
});
