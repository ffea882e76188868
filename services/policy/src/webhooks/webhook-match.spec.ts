import type { AdmissionRequest } from '@openpacific/contracts';
import { evaluateConditions, isExempt, namespaceSelectorMatches, objectSelectorMatches, rulesMatch } from './webhook-match';
import { reviewRequestOf } from './webhook-dispatch';

const request = (extra: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  uid: 'u',
  operation: 'CREATE',
  user: { username: 'alice', groups: ['devs'] },
  resource: { group: '', version: 'v1', resource: 'pods' },
  kind: 'Pod',
  namespace: 'shop',
  name: 'web',
  object: { metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } } },
  dryRun: false,
  ...extra,
});
const rule = (extra: object = {}) => ({ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*', ...extra });

describe('which webhooks a request goes to', () => {
  it('matches rules by operation, group, version, resource, subresource and scope', () => {
    expect(rulesMatch([rule()], request())).toBe(true);
    expect(rulesMatch([rule({ operations: ['UPDATE'] })], request())).toBe(false);
    expect(rulesMatch([rule({ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] })], request())).toBe(true);
    expect(rulesMatch([rule({ apiGroups: ['apps'] })], request())).toBe(false);
    // `pods` is not `pods/status`; `pods/*` and `*/status` are.
    const status = request({ operation: 'UPDATE', subResource: 'status' });
    expect(rulesMatch([rule({ operations: ['UPDATE'] })], status)).toBe(false);
    expect(rulesMatch([rule({ operations: ['UPDATE'], resources: ['pods/*'] })], status)).toBe(true);
    expect(rulesMatch([rule({ operations: ['UPDATE'], resources: ['*/status'] })], status)).toBe(true);
    expect(rulesMatch([rule({ operations: ['UPDATE'], resources: ['*'] })], status)).toBe(false);
    expect(rulesMatch([rule({ scope: 'Cluster' })], request())).toBe(false);
    expect(rulesMatch([rule({ scope: 'Namespaced' })], request())).toBe(true);
    expect(rulesMatch([rule({ resources: ['namespaces'], scope: 'Cluster' })], request({ resource: { group: '', version: 'v1', resource: 'namespaces' }, namespace: undefined }))).toBe(true);
    expect(rulesMatch([], request())).toBe(false);
  });

  it('never sends the webhook configurations themselves', () => {
    expect(isExempt(request({ resource: { group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingwebhookconfigurations' } }))).toBe(true);
    expect(isExempt(request())).toBe(false);
  });

  it('judges the namespaceSelector by the namespace, a Namespace by its own labels, other cluster-scoped objects always match', () => {
    const selector = { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] };
    expect(namespaceSelectorMatches(selector, request(), () => ({ env: 'prod' }))).toBe(true);
    expect(namespaceSelectorMatches(selector, request(), () => ({ env: 'dev' }))).toBe(false);
    expect(namespaceSelectorMatches({}, request(), () => ({}))).toBe(true);
    const ns = (labels: object) => request({ resource: { group: '', version: 'v1', resource: 'namespaces' }, kind: 'Namespace', namespace: undefined, object: { metadata: { name: 'n', labels } } });
    expect(namespaceSelectorMatches(selector, ns({ env: 'prod' }), () => ({}))).toBe(true);
    expect(namespaceSelectorMatches(selector, ns({}), () => ({ env: 'prod' }))).toBe(false);
    expect(namespaceSelectorMatches(selector, request({ resource: { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' }, namespace: undefined }), () => ({}))).toBe(true);
  });

  it('matches the objectSelector on the new or the old object', () => {
    const selector = { matchLabels: { app: 'db' } };
    expect(objectSelectorMatches(selector, request())).toBe(false);
    expect(objectSelectorMatches(selector, request({ operation: 'UPDATE', oldObject: { metadata: { labels: { app: 'db' } } } }))).toBe(true);
    expect(objectSelectorMatches({ matchLabels: { app: 'web' } }, request())).toBe(true);
  });

  it('evaluates matchConditions on object, oldObject and request: false skips, an error is reported', () => {
    const review = reviewRequestOf(request(), request().object);
    expect(evaluateConditions([{ name: 'a', expression: "object.metadata.labels.app == 'web'" }, { name: 'b', expression: "request.userInfo.username == 'alice'" }], review)).toEqual({ matched: true });
    expect(evaluateConditions([{ name: 'a', expression: 'oldObject == null' }, { name: 'b', expression: "request.operation == 'UPDATE'" }], review)).toEqual({ matched: false });
    // An error counts only when no condition is false.
    expect(evaluateConditions([{ name: 'bad', expression: 'object.spec.missing == 1' }, { name: 'no', expression: 'false' }], review)).toEqual({ matched: false });
    expect(evaluateConditions([{ name: 'bad', expression: 'object.spec.missing == 1' }], review)).toEqual({ error: expect.stringMatching(/^matchCondition "bad" failed evaluating: /) });
    expect(evaluateConditions([{ name: 'str', expression: "'x'" }], review)).toEqual({ error: 'matchCondition "str" did not evaluate to a boolean' });
  });

  it('names a /scale request as kube-apiserver does: resource the parent\'s, kind and requestKind autoscaling/v1 Scale', () => {
    const scale = (replicas: number) => ({ kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas }, status: { replicas: 2 } });
    const scaling = request({
      operation: 'UPDATE', resource: { group: 'apps', version: 'v1', resource: 'deployments' }, subResource: 'scale',
      kind: 'Scale', kindGroupVersion: { group: 'autoscaling', version: 'v1' }, object: scale(5), oldObject: scale(2),
    });
    const review = reviewRequestOf(scaling, scaling.object);
    expect(review).toMatchObject({
      kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, requestKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' }, requestResource: { group: 'apps', version: 'v1', resource: 'deployments' },
      subResource: 'scale', requestSubResource: 'scale', operation: 'UPDATE', object: scale(5), oldObject: scale(2),
    });
    // A rule on the parent does not take it; one on its scale subresource does.
    const update = (resources: string[]) => rule({ operations: ['UPDATE'], apiGroups: ['apps'], resources });
    expect(rulesMatch([update(['deployments'])], scaling)).toBe(false);
    expect(rulesMatch([update(['deployments/scale'])], scaling)).toBe(true);
    expect(evaluateConditions([{ name: 'scale', expression: "request.kind.kind == 'Scale' && object.spec.replicas > oldObject.spec.replicas" }], review)).toEqual({ matched: true });
    // Any other request's kind is in the resource's group and version.
    expect(reviewRequestOf(request(), request().object).kind).toEqual({ group: '', version: 'v1', kind: 'Pod' });
  });
});
