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
