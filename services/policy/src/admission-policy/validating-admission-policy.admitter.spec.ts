import type { AdmissionRequest } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import type { PolicyState } from '../state/policy-state';
import { ruleMatches } from './admission-policy-match';
import { ValidatingAdmissionPolicyAdmitter } from './validating-admission-policy.admitter';

const VAPS = 'validatingadmissionpolicies.admissionregistration.k8s.io';
const BINDINGS = 'validatingadmissionpolicybindings.admissionregistration.k8s.io';

let position = 0n;
function put(model: ReadModel, resource: string, object: any): void {
  position += 1n;
  const ns = object.metadata.namespace;
  model.apply({
    id: `e${position}`, streamId: `${resource}/${ns ? `${ns}/` : ''}${object.metadata.name}`, streamVersion: 1, type: 'ResourceCreated',
    data: { resource, object }, metadata: { actor: 'admin', source: 'test' }, position, transactionId: 100n, createdAt: new Date(),
  } as RecordedEvent);
}

const deploymentRules = [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'], scope: '*' }];
const matchAll = (resourceRules = deploymentRules) => ({ matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, resourceRules });

function policy(name: string, spec: any): any {
  return { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name }, spec: { failurePolicy: 'Fail', matchConstraints: matchAll(), ...spec } };
}
function binding(name: string, spec: any): any {
  return { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec };
}
function deployment(namespace: string, replicas: number, labels: Record<string, string> = {}): AdmissionRequest {
  const object = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace, labels }, spec: { replicas } };
  return {
    uid: 'u1', operation: 'CREATE', user: { username: 'alice', groups: ['devs'] }, resource: { group: 'apps', version: 'v1', resource: 'deployments' },
    kind: 'Deployment', namespace, name: 'web', object, dryRun: false,
  };
}

function world(...objects: Array<[string, any]>) {
  const model = new ReadModel();
  put(model, 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'test', labels: { environment: 'test' } } });
  put(model, 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { environment: 'prod' } } });
  for (const [resource, object] of objects) put(model, resource, object);
  const state = { model, caughtUp: async () => undefined } as unknown as PolicyState;
  return new ValidatingAdmissionPolicyAdmitter(state);
}

const replicaPolicy = policy('demo-policy.example.com', { validations: [{ expression: 'object.spec.replicas <= 5' }] });
const FAILURE = 'validation.policy.admission.k8s.io/validation_failure';

describe('ValidatingAdmissionPolicy admitter', () => {
  it('denies with kube-apiserver\'s message and 422 (reason Invalid by default)', async () => {
    const admitter = world([VAPS, replicaPolicy], [BINDINGS, binding('demo-binding-test.example.com', { policyName: 'demo-policy.example.com', validationActions: ['Deny'] })]);
    expect(await admitter.admit(deployment('test', 3))).toEqual({ allowed: true });
    const cause = "ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5";
    expect(await admitter.admit(deployment('test', 6))).toEqual({
      allowed: false,
      status: {
        code: 422, reason: 'Invalid', message: `deployments.apps "web" is forbidden: ${cause}`,
        details: { name: 'web', group: 'apps', kind: 'deployments', causes: [{ message: cause }] },
      },
    });
  });

  it('takes the code from the reason and the message from messageExpression', async () => {
    const p = policy('p', { validations: [{ expression: 'object.spec.replicas <= 5', reason: 'Forbidden', message: 'too many', messageExpression: "'replicas ' + string(object.spec.replicas) + ' > 5'" }] });
    const admitter = world([VAPS, p], [BINDINGS, binding('b', { policyName: 'p', validationActions: ['Deny'] })]);
    const verdict = await admitter.admit(deployment('test', 7));
    expect(verdict).toMatchObject({ allowed: false, status: { code: 403, reason: 'Forbidden' } });
    expect((verdict as any).status.message).toMatch(/denied request: replicas 7 > 5$/);
  });

  it('a Warn binding allows with a warning (and its Audit records the failure)', async () => {
    const admitter = world([VAPS, replicaPolicy], [BINDINGS, binding('warn', { policyName: 'demo-policy.example.com', validationActions: ['Warn', 'Audit'] })]);
    expect(await admitter.admit(deployment('test', 6))).toEqual({
      allowed: true,
      warnings: ["Validation failed for ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'warn': failed expression: object.spec.replicas <= 5"],
      auditAnnotations: {
        [FAILURE]: '[{"message":"failed expression: object.spec.replicas \\u003c= 5","policy":"demo-policy.example.com","binding":"warn","expressionIndex":0,"validationActions":["Warn","Audit"]}]',
      },
    });
  });

  it('a binding\'s namespaceSelector limits it to the namespaces it selects', async () => {
    const b = binding('b', { policyName: 'demo-policy.example.com', validationActions: ['Deny'], matchResources: { ...matchAll([]), namespaceSelector: { matchLabels: { environment: 'test' } } } });
    const admitter = world([VAPS, replicaPolicy], [BINDINGS, b]);
    expect((await admitter.admit(deployment('test', 6))).allowed).toBe(false);
    expect((await admitter.admit(deployment('prod', 6))).allowed).toBe(true);
  });

  it('reads the limit from a ConfigMap param, by name in the request\'s namespace', async () => {
    const p = policy('limit', { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'object.spec.replicas <= int(params.data.maxReplicas)' }] });
    const b = binding('limit-b', { policyName: 'limit', validationActions: ['Deny'], paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' } });
    const admitter = world([VAPS, p], [BINDINGS, b], ['configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'limits', namespace: 'test' }, data: { maxReplicas: '2' } }]);
    expect((await admitter.admit(deployment('test', 2))).allowed).toBe(true);
    expect((await admitter.admit(deployment('test', 3))).allowed).toBe(false);
    const missing = await admitter.admit(deployment('prod', 1));
    const configCause = "ValidatingAdmissionPolicy 'limit' with binding 'limit-b' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction";
    expect((missing as any).status).toEqual({
      code: 422, reason: 'Invalid', details: { name: 'web', group: 'apps', kind: 'deployments', causes: [{ message: configCause }] },
      message: `deployments.apps "web" is forbidden: ${configCause}`,
    });
  });

  it('a param not found with Allow skips the binding', async () => {
    const p = policy('limit', { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'false' }] });
    const b = binding('b', { policyName: 'limit', validationActions: ['Deny'], paramRef: { name: 'absent', parameterNotFoundAction: 'Allow' } });
    expect(await world([VAPS, p], [BINDINGS, b]).admit(deployment('test', 1))).toEqual({ allowed: true });
  });

  it('uses variables, request, namespaceObject and matchConditions', async () => {
    const p = policy('p', {
      matchConditions: [{ name: 'not-admin', expression: "request.userInfo.username != 'admin'" }],
      variables: [{ name: 'env', expression: "namespaceObject.metadata.labels['environment']" }, { name: 'isTest', expression: "variables.env == 'test'" }],
      validations: [{ expression: "!variables.isTest || request.operation != 'CREATE'", message: 'no creates in test' }],
    });
    const admitter = world([VAPS, p], [BINDINGS, binding('b', { policyName: 'p', validationActions: ['Deny'] })]);
    expect((await admitter.admit(deployment('test', 1))).allowed).toBe(false);
    expect((await admitter.admit(deployment('prod', 1))).allowed).toBe(true);
    expect((await admitter.admit({ ...deployment('test', 1), user: { username: 'admin', groups: [] } })).allowed).toBe(true);
  });

  it('an evaluation error follows failurePolicy', async () => {
    const failing = (failurePolicy: string) => policy('p', { failurePolicy, validations: [{ expression: 'object.spec.missing > 1' }] });
    const b = binding('b', { policyName: 'p', validationActions: ['Deny'] });
    const denied = await world([VAPS, failing('Fail')], [BINDINGS, b]).admit(deployment('test', 1));
    // kube-apiserver answers an error as it answers a failure without a reason: Invalid, 422, the denial as a cause.
    expect((denied as any).status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect((denied as any).status.message).toContain("denied request: expression 'object.spec.missing > 1' resulted in error: no such key: missing");
    expect((denied as any).status.details.causes).toEqual([{ message: expect.stringContaining("resulted in error: no such key: missing") }]);
    expect(await world([VAPS, failing('Ignore')], [BINDINGS, b]).admit(deployment('test', 1))).toEqual({ allowed: true });
  });

  it('policies never judge admissionregistration objects; a binding without its policy does nothing', async () => {
    const p = policy('p', { matchConstraints: matchAll([{ apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], resources: ['*'], scope: '*' }]), validations: [{ expression: 'false' }] });
    const admitter = world([VAPS, p], [BINDINGS, binding('b', { policyName: 'p', validationActions: ['Deny'] })], [BINDINGS, binding('orphan', { policyName: 'absent', validationActions: ['Deny'] })]);
    const own: AdmissionRequest = { ...deployment('test', 1), resource: { group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingadmissionpolicies' }, namespace: undefined };
    expect(await admitter.admit(own)).toEqual({ allowed: true });
    expect((await admitter.admit(deployment('test', 1))).allowed).toBe(false);
  });
});

describe('what a request\'s audit record gets from the policies', () => {
  const failuresOf = (verdict: any) => JSON.parse(verdict.auditAnnotations[FAILURE]);
  const labelled = policy('labelled', {
    validations: [{ expression: 'true' }, { expression: "has(object.metadata.labels) && 'team' in object.metadata.labels", message: 'needs a team label' }, { expression: 'object.spec.replicas <= 5' }],
  });

  it('an Audit binding lets the request through and records each failed validation: message, policy, binding, index, actions', async () => {
    const admitter = world([VAPS, labelled], [BINDINGS, binding('labelled-audit', { policyName: 'labelled', validationActions: ['Audit'] })]);
    expect(await admitter.admit(deployment('test', 3, { team: 'a' }))).toEqual({ allowed: true });
    const verdict = await admitter.admit(deployment('test', 6));
    expect(verdict).toEqual({ allowed: true, auditAnnotations: { [FAILURE]: expect.any(String) } });
    expect(failuresOf(verdict)).toEqual([
      { message: 'needs a team label', policy: 'labelled', binding: 'labelled-audit', expressionIndex: 1, validationActions: ['Audit'] },
      { message: 'failed expression: object.spec.replicas <= 5', policy: 'labelled', binding: 'labelled-audit', expressionIndex: 2, validationActions: ['Audit'] },
    ]);
  });

  it('puts the failures of every binding in one array, and keeps them with a refusal', async () => {
    const admitter = world(
      [VAPS, labelled], [VAPS, replicaPolicy],
      [BINDINGS, binding('a-deny', { policyName: 'demo-policy.example.com', validationActions: ['Deny', 'Audit'] })],
      [BINDINGS, binding('b-audit', { policyName: 'labelled', validationActions: ['Audit'] })],
    );
    const verdict = await admitter.admit(deployment('test', 6, { team: 'a' }));
    expect(verdict).toMatchObject({ allowed: false, status: { code: 422, message: expect.stringContaining("binding 'a-deny' denied request") } });
    expect(failuresOf(verdict)).toEqual([
      { message: 'failed expression: object.spec.replicas <= 5', policy: 'demo-policy.example.com', binding: 'a-deny', expressionIndex: 0, validationActions: ['Deny', 'Audit'] },
      { message: 'failed expression: object.spec.replicas <= 5', policy: 'labelled', binding: 'b-audit', expressionIndex: 2, validationActions: ['Audit'] },
    ]);
  });

  it('records an evaluation error under failurePolicy Fail, and nothing under Ignore', async () => {
    const failing = (failurePolicy: string) => policy('p', { failurePolicy, validations: [{ expression: 'object.spec.missing > 1' }] });
    const b = binding('b', { policyName: 'p', validationActions: ['Audit'] });
    const failed = await world([VAPS, failing('Fail')], [BINDINGS, b]).admit(deployment('test', 1));
    expect(failed.allowed).toBe(true);
    expect(failuresOf(failed)).toEqual([
      { message: "expression 'object.spec.missing > 1' resulted in error: no such key: missing", policy: 'p', binding: 'b', expressionIndex: 0, validationActions: ['Audit'] },
    ]);
    expect(await world([VAPS, failing('Ignore')], [BINDINGS, b]).admit(deployment('test', 1))).toEqual({ allowed: true });
  });

  const annotated = (auditAnnotations: any[], extra: any = {}) => policy('annotated', { auditAnnotations, ...extra });

  it('records each auditAnnotation\'s string value as <policy>/<key>, trimmed; null and blank values are left out', async () => {
    const p = annotated([
      { key: 'replicas', valueExpression: "'  replicas: ' + string(object.spec.replicas) + '  '" },
      { key: 'owner', valueExpression: "has(object.metadata.labels) && 'team' in object.metadata.labels ? object.metadata.labels.team : null" },
      { key: 'blank', valueExpression: "' '" },
    ]);
    const admitter = world([VAPS, p], [BINDINGS, binding('b', { policyName: 'annotated', validationActions: ['Deny'] })]);
    expect(await admitter.admit(deployment('test', 3))).toEqual({ allowed: true, auditAnnotations: { 'annotated/replicas': 'replicas: 3' } });
    expect(await admitter.admit(deployment('test', 3, { team: 'blue' }))).toEqual({ allowed: true, auditAnnotations: { 'annotated/replicas': 'replicas: 3', 'annotated/owner': 'blue' } });
  });

  it('keeps the annotations with a refusal, and records none when a match condition leaves the policy out', async () => {
    const p = annotated([{ key: 'replicas', valueExpression: 'string(object.spec.replicas)' }], {
      matchConditions: [{ name: 'not-admin', expression: "request.userInfo.username != 'admin'" }],
      validations: [{ expression: 'object.spec.replicas <= 5' }],
    });
    const admitter = world([VAPS, p], [BINDINGS, binding('b', { policyName: 'annotated', validationActions: ['Deny'] })]);
    expect(await admitter.admit(deployment('test', 6))).toMatchObject({ allowed: false, auditAnnotations: { 'annotated/replicas': '6' } });
    expect(await admitter.admit({ ...deployment('test', 6), user: { username: 'admin', groups: [] } })).toEqual({ allowed: true });
  });

  it('joins the distinct values of several params with ", " and cuts a value at 10 KiB', async () => {
    const p = annotated([{ key: 'team', valueExpression: 'params.data.team' }], { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' } });
    const b = binding('b', { policyName: 'annotated', validationActions: ['Audit'], paramRef: { selector: { matchLabels: { kind: 'team' } }, parameterNotFoundAction: 'Allow' } });
    const team = (name: string, value: string) => ['configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'test', labels: { kind: 'team' } }, data: { team: value } }] as [string, any];
    const admitter = world([VAPS, p], [BINDINGS, b], team('t1', 'blue'), team('t2', 'green'), team('t3', 'blue'));
    expect(await admitter.admit(deployment('test', 1))).toEqual({ allowed: true, auditAnnotations: { 'annotated/team': 'blue, green' } });
    // 6000 two-byte characters are 12000 bytes: 10240 bytes are 5120 whole characters.
    const long = world([VAPS, p], [BINDINGS, b], team('t1', '\u00e9'.repeat(6000)));
    expect(((await long.admit(deployment('test', 1))) as any).auditAnnotations['annotated/team']).toBe('\u00e9'.repeat(5120));
  });

  it('an auditAnnotation that cannot be evaluated denies under failurePolicy Fail, whatever the actions, and is left out under Ignore', async () => {
    const broken = (failurePolicy: string, valueExpression: string) => annotated([{ key: 'x', valueExpression }, { key: 'ok', valueExpression: "'fine'" }], { failurePolicy });
    const b = binding('b', { policyName: 'annotated', validationActions: ['Audit'] });
    const denied = await world([VAPS, broken('Fail', 'object.spec.missing')], [BINDINGS, b]).admit(deployment('test', 1));
    expect(denied).toEqual({
      allowed: false,
      status: {
        code: 422, reason: 'Invalid',
        details: { name: 'web', group: 'apps', kind: 'deployments', causes: [{ message: "ValidatingAdmissionPolicy 'annotated' with binding 'b' denied request: expression 'object.spec.missing' resulted in error: no such key: missing" }] },
        message: "deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'annotated' with binding 'b' denied request: expression 'object.spec.missing' resulted in error: no such key: missing",
      },
      auditAnnotations: { 'annotated/ok': 'fine' },
    });
    const wrongType = await world([VAPS, broken('Fail', 'object.spec.replicas')], [BINDINGS, b]).admit(deployment('test', 1));
    expect((wrongType as any).status.message).toMatch(/denied request: valueExpression 'object.spec.replicas' resulted in unsupported return type: int. Return type must be either string or null.$/);
    expect(await world([VAPS, broken('Ignore', 'object.spec.missing')], [BINDINGS, b]).admit(deployment('test', 1))).toEqual({ allowed: true, auditAnnotations: { 'annotated/ok': 'fine' } });
  });
});

describe('a write through /scale', () => {
  const scale = (replicas: number) => ({ kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web', namespace: 'test' }, spec: { replicas }, status: { replicas: 1 } });
  const scaling = (replicas: number): AdmissionRequest => ({
    ...deployment('test', 1), operation: 'UPDATE', subResource: 'scale', kind: 'Scale', kindGroupVersion: { group: 'autoscaling', version: 'v1' }, object: scale(replicas), oldObject: scale(1),
  });
  const scaleRules = [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['deployments/scale'], scope: '*' }];

  it('is judged by a policy on deployments/scale, on the Scale, with request.kind autoscaling/v1 Scale; not by one on deployments', async () => {
    const onScale = policy('scale-limit', {
      matchConstraints: matchAll(scaleRules),
      validations: [{ expression: 'object.spec.replicas <= 4', messageExpression: "request.kind.group + '/' + request.kind.version + ' ' + request.requestKind.kind + ' of ' + request.resource.resource + '/' + request.subResource + ', ' + object.kind" }],
    });
    const admitter = world([VAPS, onScale], [BINDINGS, binding('scale-limit-binding', { policyName: 'scale-limit', validationActions: ['Deny'] })]);
    expect(await admitter.admit(scaling(4))).toEqual({ allowed: true });
    expect(await admitter.admit(scaling(5))).toMatchObject({ allowed: false, status: { code: 422, message: expect.stringContaining('denied request: autoscaling/v1 Scale of deployments/scale, Scale') } });
    // The same replicas through the Deployment itself are no /scale request.
    expect(await admitter.admit({ ...deployment('test', 5), operation: 'UPDATE' })).toEqual({ allowed: true });

    const onDeployments = world([VAPS, replicaPolicy], [BINDINGS, binding('demo-binding', { policyName: 'demo-policy.example.com', validationActions: ['Deny'] })]);
    expect(await onDeployments.admit(scaling(9))).toEqual({ allowed: true });
    expect((await onDeployments.admit({ ...deployment('test', 9), operation: 'UPDATE' })).allowed).toBe(false);
  });
});

describe('resource rules', () => {
  const request = (subResource?: string, operation: AdmissionRequest['operation'] = 'UPDATE'): AdmissionRequest => ({ ...deployment('test', 1), operation, subResource });
  const rule = (resources: string[], extra: any = {}) => ({ apiGroups: ['apps'], apiVersions: ['*'], operations: ['*'], resources, ...extra });

  it('matches resources and subresources as kube-apiserver does', () => {
    expect(ruleMatches(rule(['deployments']), request())).toBe(true);
    expect(ruleMatches(rule(['deployments']), request('scale'))).toBe(false);
    expect(ruleMatches(rule(['deployments/scale']), request('scale'))).toBe(true);
    expect(ruleMatches(rule(['*']), request('status'))).toBe(false);
    expect(ruleMatches(rule(['*/*']), request('status'))).toBe(true);
    expect(ruleMatches(rule(['deployments/*']), request('status'))).toBe(true);
    expect(ruleMatches(rule(['*/status']), request('status'))).toBe(true);
  });

  it('matches operations, scope and resource names', () => {
    expect(ruleMatches(rule(['deployments'], { operations: ['CREATE'] }), request(undefined, 'DELETE'))).toBe(false);
    expect(ruleMatches(rule(['deployments'], { scope: 'Cluster' }), request())).toBe(false);
    expect(ruleMatches(rule(['deployments'], { scope: 'Namespaced' }), request())).toBe(true);
    expect(ruleMatches(rule(['deployments'], { resourceNames: ['other'] }), request())).toBe(false);
    expect(ruleMatches(rule(['deployments'], { apiGroups: [''] }), request())).toBe(false);
  });
});
