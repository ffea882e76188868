import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/** ValidatingAdmissionPolicy and its bindings, served, validated and enforced as kube-apiserver does, through the real kubectl. */
const namespace = (name: string, environment: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { environment } } });
const deployment = (name: string, replicas: number, labels: Record<string, string> = {}) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });

const replicaLimitPolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: replica-limit.example.com
spec:
  paramKind:
    apiVersion: v1
    kind: ConfigMap
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  validations:
  - expression: "object.spec.replicas <= int(params.data.maxReplicas)"
    messageExpression: "'replicas must be no more than ' + params.data.maxReplicas"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: replica-limit-test.example.com
spec:
  policyName: replica-limit.example.com
  validationActions: [Deny]
  paramRef:
    name: replica-limits
    parameterNotFoundAction: Deny
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
`;

const teamLabelPolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: team-label.example.com
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE"]
      resources: ["deployments"]
  validations:
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    message: every Deployment needs a team label
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: team-label-warn.example.com
spec:
  policyName: team-label.example.com
  validationActions: [Warn]
`;

const scaleLimitPolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: scale-limit.example.com
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["UPDATE"]
      resources: ["deployments/scale"]
  validations:
  - expression: "object.kind == 'Scale' && object.spec.replicas <= 4"
    messageExpression: "request.kind.group + '/' + request.kind.version + ' ' + request.kind.kind + ' of ' + request.resource.resource + '/' + request.subResource + ' allows at most 4 replicas'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: scale-limit-test.example.com
spec:
  policyName: scale-limit.example.com
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
`;

const configMapSizePolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: configmap-size.example.com
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: ["CREATE"]
      resources: ["configmaps"]
    namespaceSelector:
      matchLabels:
        environment: audit
  validations:
  - expression: "!has(object.data) || size(object.data) <= 1"
    message: a ConfigMap should hold one key
  auditAnnotations:
  - key: keys
    valueExpression: "has(object.data) ? string(size(object.data)) + ' keys' : null"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: configmap-size-audit.example.com
spec:
  policyName: configmap-size.example.com
  validationActions: [Audit]
`;

describe('validating admission policies', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, input === undefined ? undefined : { input });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'admission-policies', hostCount: 1 });
    for (const [name, env] of [['vap-test', 'test'], ['vap-prod', 'prod'], ['vap-test-bare', 'test']]) {
      expect((await kubectl(['apply', '-f', '-'], namespace(name, env))).code).toBe(0);
    }
    const limits = await kubectl(['create', 'configmap', 'replica-limits', '-n', 'vap-test', '--from-literal=maxReplicas=3']);
    expect(limits.code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('serves both kinds to kubectl: apply, get with their columns, explain', async () => {
    const applied = await kubectl(['apply', '-f', '-'], replicaLimitPolicy);
    expect(applied.stdout.trim().split('\n')).toEqual([
      'validatingadmissionpolicy.admissionregistration.k8s.io/replica-limit.example.com created',
      'validatingadmissionpolicybinding.admissionregistration.k8s.io/replica-limit-test.example.com created',
    ]);
    const policies = (await kubectl(['get', 'validatingadmissionpolicies'])).stdout.trim().split('\n');
    expect(policies[0]).toMatch(/^NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE$/);
    expect(policies[1]).toMatch(/^replica-limit\.example\.com\s+1\s+v1\/ConfigMap\s+\S+$/);
    const bindings = (await kubectl(['get', 'validatingadmissionpolicybindings'])).stdout.trim().split('\n');
    expect(bindings[0]).toMatch(/^NAME\s+POLICYNAME\s+PARAMREF\s+AGE$/);
    expect(bindings[1]).toMatch(/^replica-limit-test\.example\.com\s+replica-limit\.example\.com\s+\*\/replica-limits\s+\S+$/);
    const stored = JSON.parse((await kubectl(['get', 'validatingadmissionpolicy', 'replica-limit.example.com', '-o', 'json'])).stdout);
    expect(stored.spec).toMatchObject({ failurePolicy: 'Fail', matchConstraints: { matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {} } });
    const explained = await kubectl(['explain', 'validatingadmissionpolicybinding.spec.paramRef']);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('parameterNotFoundAction');
  });

  it('refuses a Deployment over the ConfigMap\'s limit in a selected namespace, and nothing is written', async () => {
    const refused = await kubectl(['apply', '-n', 'vap-test', '-f', '-'], deployment('big', 5));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim()).toBe(
      // kubectl words an Invalid Status from its details: the kind (the resource), the name, the cause without a field.
      'The deployments "big" is invalid: : ValidatingAdmissionPolicy \'replica-limit.example.com\' with binding \'replica-limit-test.example.com\' denied request: replicas must be no more than 3',
    );
    expect((await kubectl(['get', 'deployment', 'big', '-n', 'vap-test'])).code).not.toBe(0);
    expect((await kubectl(['apply', '-n', 'vap-test', '-f', '-'], deployment('small', 2, { team: 'a' }))).code).toBe(0);
    // An update is judged too: scaling the Deployment's spec past the limit by a patch.
    const patched = await kubectl(['patch', 'deployment', 'small', '-n', 'vap-test', '--type=merge', '-p', '{"spec":{"replicas":4}}']);
    expect(patched.stderr).toContain('denied request: replicas must be no more than 3');
  });

  it('leaves a namespace the binding does not select alone, and denies where the param is missing', async () => {
    expect((await kubectl(['apply', '-n', 'vap-prod', '-f', '-'], deployment('big', 5, { team: 'a' }))).code).toBe(0);
    const bare = await kubectl(['apply', '-n', 'vap-test-bare', '-f', '-'], deployment('any', 1, { team: 'a' }));
    expect(bare.stderr).toContain(
      // A misconfiguration has no reason of its own: kube-apiserver answers it as Invalid, the denial its cause.
      "The deployments \"any\" is invalid: : ValidatingAdmissionPolicy 'replica-limit.example.com' with binding 'replica-limit-test.example.com' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction",
    );
  });

  it('a Warn binding lets the write through with a Warning kubectl prints', async () => {
    expect((await kubectl(['apply', '-f', '-'], teamLabelPolicy)).code).toBe(0);
    const warned = await kubectl(['apply', '-n', 'vap-prod', '-f', '-'], deployment('unlabelled', 1));
    expect(warned.code).toBe(0);
    expect(warned.stdout.trim()).toBe('deployment.apps/unlabelled created');
    expect(warned.stderr).toContain("Warning: Validation failed for ValidatingAdmissionPolicy 'team-label.example.com' with binding 'team-label-warn.example.com': every Deployment needs a team label");
    const quiet = await kubectl(['apply', '-n', 'vap-prod', '-f', '-'], deployment('labelled', 1, { team: 'b' }));
    expect(quiet.stderr).not.toContain('Warning');
  });

  it('an Audit binding lets the write through, and the AuditRecord of the request holds the failure and the policy\'s audit annotations', async () => {
    expect((await kubectl(['apply', '-f', '-'], namespace('vap-audit', 'audit'))).code).toBe(0);
    expect((await kubectl(['apply', '-f', '-'], configMapSizePolicy)).code).toBe(0);
    const created = await kubectl(['create', 'configmap', 'two-keys', '-n', 'vap-audit', '--from-literal=a=1', '--from-literal=b=2']);
    expect(created.code).toBe(0);
    expect(created.stdout.trim()).toBe('configmap/two-keys created');
    expect(created.stderr).toBe('');
    expect((await kubectl(['create', 'configmap', 'one-key', '-n', 'vap-audit', '--from-literal=a=1'])).code).toBe(0);

    // As an admin reads the audit log: the record of each create, found by the object it made.
    const recordOf = async (name: string) => {
      const listed = await kubectl(['get', 'auditrecords', '--field-selector', `namespace=vap-audit,verb=create,resource=configmaps,name=${name}`, '-o', 'json']);
      const items = JSON.parse(listed.stdout).items;
      expect(items).toHaveLength(1);
      return items[0];
    };
    await eventually(async () => {
      const two = await recordOf('two-keys');
      expect(two).toMatchObject({ code: 201, annotations: { 'configmap-size.example.com/keys': '2 keys' } });
      expect(JSON.parse(two.annotations['validation.policy.admission.k8s.io/validation_failure'])).toEqual([
        { message: 'a ConfigMap should hold one key', policy: 'configmap-size.example.com', binding: 'configmap-size-audit.example.com', expressionIndex: 0, validationActions: ['Audit'] },
      ]);
      expect((await recordOf('one-key')).annotations).toEqual({ 'configmap-size.example.com/keys': '1 keys' });
    });
    const one = await kubectl([
      'get', 'auditrecords', '--field-selector', 'namespace=vap-audit,verb=create,name=two-keys', '-o', 'jsonpath={.items[0].annotations.configmap-size\\.example\\.com/keys}',
    ]);
    expect(one.stdout).toBe('2 keys');
    expect((await kubectl(['get', 'configmap', 'two-keys', '-n', 'vap-audit'])).code).toBe(0);
  });

  it('refuses a policy whose expression does not compile or cannot be a bool, or a binding with Deny and Warn, with 422', async () => {
    const bad = await kubectl(['apply', '-f', '-'], teamLabelPolicy.split('---')[0].replace('team-label.example.com', 'bad.example.com').replace(/expression: .*/, 'expression: "object.spec.replicas <="'));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/The ValidatingAdmissionPolicy "bad\.example\.com" is invalid: spec\.validations\[0\]\.expression: Invalid value: "object\.spec\.replicas <=": compilation failed: ERROR: /);
    expect((await kubectl(['get', 'validatingadmissionpolicy', 'bad.example.com'])).code).not.toBe(0);
    // A string where a bool is needed: kube-apiserver's type check refuses it at create; taken, it failed every request.
    const notBool = await kubectl(['apply', '-f', '-'], teamLabelPolicy.split('---')[0].replace('team-label.example.com', 'bad.example.com').replace(/expression: .*/, 'expression: "request.userInfo.username"'));
    expect(notBool.code).not.toBe(0);
    expect(notBool.stderr).toContain('spec.validations[0].expression: Invalid value: "request.userInfo.username": must evaluate to bool');
    expect((await kubectl(['get', 'validatingadmissionpolicy', 'bad.example.com'])).code).not.toBe(0);
    const both = await kubectl(['apply', '-f', '-'], teamLabelPolicy.split('---')[1].replace('[Warn]', '[Deny, Warn]'));
    expect(both.stderr).toContain('spec.validationActions: Invalid value: []admissionregistration.ValidationAction{"Deny", "Warn"}: must not contain both Deny and Warn');
  });

  it('judges kubectl scale as kube-apiserver does: by a policy on deployments/scale, on the Scale, not by one on deployments', async () => {
    const replicas = async () => JSON.parse((await kubectl(['get', 'deployment', 'small', '-n', 'vap-test', '-o', 'json'])).stdout).spec.replicas;
    // replica-limit (at most 3) lists `deployments` alone: an update through /scale is not one it sees.
    const scaled = await kubectl(['scale', 'deployment', 'small', '-n', 'vap-test', '--replicas=4']);
    expect(scaled.stderr).toBe('');
    expect(scaled.stdout.trim()).toBe('deployment.apps/small scaled');
    expect(await replicas()).toBe(4);

    expect((await kubectl(['apply', '-f', '-'], scaleLimitPolicy)).code).toBe(0);
    const refused = await kubectl(['scale', 'deployment', 'small', '-n', 'vap-test', '--replicas=5']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      "ValidatingAdmissionPolicy 'scale-limit.example.com' with binding 'scale-limit-test.example.com' denied request: autoscaling/v1 Scale of deployments/scale allows at most 4 replicas",
    );
    expect(await replicas()).toBe(4);
    expect((await kubectl(['scale', 'deployment', 'small', '-n', 'vap-test', '--replicas=1'])).code).toBe(0);
    expect(await replicas()).toBe(1);
  });
});
