import {
  defaultValidatingAdmissionPolicy, defaultValidatingAdmissionPolicyBinding, validateValidatingAdmissionPolicy, validateValidatingAdmissionPolicyBinding,
} from './admission-policy.strategy';

const rules = [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }];
const vap = (spec: any) => defaultValidatingAdmissionPolicy({ metadata: { name: 'demo.example.com' }, spec: { matchConstraints: { resourceRules: structuredClone(rules) }, ...spec } });
const vapBinding = (spec: any) => defaultValidatingAdmissionPolicyBinding({ metadata: { name: 'b' }, spec });
const fields = (causes: Array<{ field?: string; message: string }>) => causes.map((c) => `${c.field}: ${c.message}`);

describe('ValidatingAdmissionPolicy validation', () => {
  it('sets kube-apiserver\'s defaults', () => {
    const p = vap({ validations: [{ expression: 'true' }] });
    expect(p.spec.failurePolicy).toBe('Fail');
    expect(p.spec.matchConstraints).toEqual({ matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, resourceRules: [{ ...rules[0], scope: '*' }] });
    expect(validateValidatingAdmissionPolicy(p)).toEqual([]);
  });

  it('requires validations or audit annotations, and each validation\'s expression', () => {
    expect(fields(validateValidatingAdmissionPolicy(vap({})))).toEqual([
      'spec.validations: Required value: validations or auditAnnotations must contain at least one item',
      'spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item',
    ]);
    expect(fields(validateValidatingAdmissionPolicy(vap({ validations: [{ expression: ' ' }] })))).toEqual(['spec.validations[0].expression: Required value: expression is not specified']);
  });

  it('reports a CEL compile error at the expression\'s field', () => {
    const [cause] = validateValidatingAdmissionPolicy(vap({ validations: [{ expression: 'object.spec.replicas <=' }] }));
    expect(cause.field).toBe('spec.validations[0].expression');
    expect(cause.message).toMatch(/^Invalid value: "object.spec.replicas <=": compilation failed: ERROR: /);
    const [undeclared] = validateValidatingAdmissionPolicy(vap({ validations: [{ expression: 'params.x == 1' }] }));
    expect(undeclared.message).toBe('Invalid value: "params.x == 1": compilation failed: ERROR: <input>: undeclared reference to \'params\' (in container \'\')');
    expect(validateValidatingAdmissionPolicy(vap({ paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'params.x == 1' }] }))).toEqual([]);
    expect(fields(validateValidatingAdmissionPolicy(vap({ validations: [{ expression: 'true', messageExpression: 'nope(1)' }] })))[0]).toMatch(/^spec.validations\[0\].messageExpression: Invalid value: "nope\(1\)": compilation failed/);
  });

  it('refuses an expression whose result cannot be what its place needs, as kube-apiserver\'s type check does', () => {
    const policy = vap({
      matchConditions: [{ name: 'user', expression: 'request.userInfo.username' }, { name: 'ok', expression: 'request.userInfo.username != ""' }],
      validations: [{ expression: 'size(object.spec.x)', messageExpression: 'object.spec.x.size() > 1' }, { expression: 'object.spec.enabled', messageExpression: '"too many: " + string(object.spec.x)' }],
      variables: [{ name: 'n', expression: 'size(object.spec.x)' }],
      auditAnnotations: [{ key: 'a', valueExpression: '1' }, { key: 'b', valueExpression: 'null' }, { key: 'c', valueExpression: 'object.metadata.name' }],
    });
    expect(fields(validateValidatingAdmissionPolicy(policy))).toEqual([
      'spec.matchConditions[0].expression: Invalid value: "request.userInfo.username": must evaluate to bool',
      'spec.validations[0].expression: Invalid value: "size(object.spec.x)": must evaluate to bool',
      'spec.validations[0].messageExpression: Invalid value: "object.spec.x.size() > 1": must evaluate to string',
      'spec.auditAnnotations[0].valueExpression: Invalid value: "1": must evaluate to one of [string null_type]',
    ]);
  });

  it('checks reasons, failurePolicy, match conditions, variables and rules', () => {
    const p = vap({
      failurePolicy: 'Maybe',
      validations: [{ expression: 'true', reason: 'Teapot' }],
      matchConditions: [{ name: 'a', expression: 'true' }, { name: 'a', expression: 'variables.x' }],
      variables: [{ name: '1x', expression: 'true' }],
    });
    p.spec.matchConstraints.resourceRules[0].operations = ['*', 'CREATE'];
    p.spec.matchConstraints.resourceRules[0].scope = 'Global';
    expect(fields(validateValidatingAdmissionPolicy(p))).toEqual([
      'spec.failurePolicy: Unsupported value: "Maybe": supported values: "Fail", "Ignore"',
      'spec.matchConstraints.resourceRules[0].operations: Invalid value: []admissionregistration.OperationType{"*", "CREATE"}: if \'*\' is present, must not specify other operations',
      'spec.matchConstraints.resourceRules[0].scope: Unsupported value: "Global": supported values: "*", "Cluster", "Namespaced"',
      'spec.matchConditions[1].expression: Invalid value: "variables.x": compilation failed: ERROR: <input>: undeclared reference to \'variables\' (in container \'\')',
      'spec.matchConditions[1].name: Duplicate value: "a"',
      'spec.variables[0].name: Invalid value: "1x": name is not a valid CEL identifier',
      'spec.validations[0].reason: Unsupported value: "Teapot": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized"',
    ]);
  });

  it('checks audit annotations: the key as the name part of `<policy name>/<key>`, unique; the valueExpression given and compiling', () => {
    expect(validateValidatingAdmissionPolicy(vap({ auditAnnotations: [{ key: 'replicas', valueExpression: 'string(object.spec.replicas)' }] }))).toEqual([]);
    const nameRule = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    const p = vap({
      auditAnnotations: [
        { key: 'replicas', valueExpression: "'x'" },
        { key: 'Bad Key', valueExpression: "'x'" },
        { key: 'k'.repeat(64), valueExpression: "'x'" },
        { key: '', valueExpression: "'x'" },
        { key: 'a/b', valueExpression: "'x'" },
        { key: 'replicas', valueExpression: ' ' },
        { key: 'c', valueExpression: 'nope(1)' },
      ],
    });
    const causes = fields(validateValidatingAdmissionPolicy(p));
    expect(causes.slice(0, 7)).toEqual([
      `spec.auditAnnotations[1].key: Invalid value: "demo.example.com/Bad Key": ${nameRule}`,
      `spec.auditAnnotations[2].key: Invalid value: "demo.example.com/${'k'.repeat(64)}": name part must be no more than 63 characters`,
      'spec.auditAnnotations[3].key: Invalid value: "demo.example.com/": name part must be non-empty',
      `spec.auditAnnotations[3].key: Invalid value: "demo.example.com/": ${nameRule}`,
      `spec.auditAnnotations[4].key: Invalid value: "demo.example.com/a/b": a qualified name ${nameRule.replace(/^name part /, '')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      'spec.auditAnnotations[5].valueExpression: Required value: valueExpression is not specified',
      'spec.auditAnnotations[5].key: Duplicate value: "replicas"',
    ]);
    expect(causes[7]).toMatch(/^spec.auditAnnotations\[6\].valueExpression: Invalid value: "nope\(1\)": compilation failed: ERROR: <input>: undeclared reference to 'nope'/);
    expect(causes).toHaveLength(8);
    const many = vap({ auditAnnotations: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, valueExpression: "'x'" })) });
    expect(fields(validateValidatingAdmissionPolicy(many))).toEqual(['spec.auditAnnotations: Invalid value: 21: must not have more than 20 auditAnnotations']);
  });

  it('requires resource rules and checks paramKind', () => {
    const p = vap({ paramKind: { apiVersion: 'v1' }, validations: [{ expression: 'true' }] });
    p.spec.matchConstraints.resourceRules = [];
    expect(fields(validateValidatingAdmissionPolicy(p))).toEqual(['spec.paramKind.kind: Required value', 'spec.matchConstraints.resourceRules: Required value']);
  });
});

describe('ValidatingAdmissionPolicyBinding validation', () => {
  it('requires policyName and validationActions', () => {
    expect(fields(validateValidatingAdmissionPolicyBinding(vapBinding({})))).toEqual([
      'spec.policyName: Required value',
      'spec.validationActions: Required value: at least one validation action is required',
    ]);
  });

  it('refuses Deny with Warn, and unknown actions', () => {
    expect(fields(validateValidatingAdmissionPolicyBinding(vapBinding({ policyName: 'p', validationActions: ['Deny', 'Warn', 'Log'] })))).toEqual([
      'spec.validationActions[2]: Unsupported value: "Log": supported values: "Audit", "Deny", "Warn"',
      'spec.validationActions: Invalid value: []admissionregistration.ValidationAction{"Deny", "Warn", "Log"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
    ]);
  });

  it('paramRef: name xor selector, parameterNotFoundAction required', () => {
    expect(fields(validateValidatingAdmissionPolicyBinding(vapBinding({ policyName: 'p', validationActions: ['Deny'], paramRef: { name: 'x', selector: {} } })))).toEqual([
      'spec.paramRef.name: Forbidden: name and selector are mutually exclusive',
      'spec.paramRef.selector: Forbidden: name and selector are mutually exclusive',
      'spec.paramRef.parameterNotFoundAction: Required value',
    ]);
    expect(fields(validateValidatingAdmissionPolicyBinding(vapBinding({ policyName: 'p', validationActions: ['Audit'], paramRef: { parameterNotFoundAction: 'Deny' } })))).toEqual([
      'spec.paramRef: Required value: one of name or selector must be specified',
    ]);
  });

  it('defaults matchResources when given', () => {
    expect(vapBinding({ matchResources: { namespaceSelector: { matchLabels: { a: 'b' } } } }).spec.matchResources).toEqual({
      matchPolicy: 'Equivalent', namespaceSelector: { matchLabels: { a: 'b' } }, objectSelector: {},
    });
  });
});
