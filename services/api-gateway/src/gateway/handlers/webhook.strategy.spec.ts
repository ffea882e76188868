import { defaultWebhookConfiguration, validateWebhookConfiguration } from './webhook.strategy';

const fields = (causes: { field?: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);
const rule = { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] };
const hook = (extra: object = {}) => ({
  name: 'pods.webhooks.example.com',
  clientConfig: { url: 'https://127.0.0.1:8443/mutate' },
  rules: [rule],
  sideEffects: 'None',
  admissionReviewVersions: ['v1'],
  ...extra,
});
const config = (...webhooks: object[]) => ({ metadata: { name: 'c' }, webhooks });

describe('webhook configuration defaults and validation (kube-apiserver v1)', () => {
  it('defaults each webhook as SetDefaults_MutatingWebhook does, without reinvocationPolicy on a validating one', () => {
    const mutating = defaultWebhookConfiguration(config(hook({ clientConfig: { service: { namespace: 'n', name: 's' } } })), true);
    expect(mutating.webhooks[0]).toMatchObject({
      failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, timeoutSeconds: 10, reinvocationPolicy: 'Never',
      clientConfig: { service: { namespace: 'n', name: 's', port: 443 } }, rules: [{ ...rule, scope: '*' }],
    });
    const validating = defaultWebhookConfiguration(config(hook({ failurePolicy: 'Ignore', timeoutSeconds: 5 })), false);
    expect(validating.webhooks[0]).toMatchObject({ failurePolicy: 'Ignore', timeoutSeconds: 5 });
    expect(validating.webhooks[0]).not.toHaveProperty('reinvocationPolicy');
  });

  it('accepts a complete webhook, by url or by service, with match conditions', () => {
    expect(validateWebhookConfiguration(defaultWebhookConfiguration(config(
      hook({ matchConditions: [{ name: 'no-system', expression: "!object.metadata.name.startsWith('system-')" }] }),
      hook({ name: 'other.webhooks.example.com', clientConfig: { service: { namespace: 'n', name: 's', path: '/v1/check' } }, objectSelector: { matchLabels: { a: 'b' } } }),
    ), true))).toEqual([]);
  });

  it('names the field of each fault with kube-apiserver words', () => {
    const causes = fields(validateWebhookConfiguration(config(
      { name: 'two.parts', clientConfig: { url: 'https://user:pw@h.example.com/p?q=1#frag' }, rules: [{ operations: ['*', 'CREATE'], apiGroups: [], apiVersions: ['v1'], resources: ['*/*', 'pods'], scope: 'Global' }], sideEffects: 'Some', failurePolicy: 'Never', timeoutSeconds: 0, admissionReviewVersions: ['v1', 'v1'] },
      hook({ clientConfig: { url: 'https://h.example.com', service: { namespace: 'n', name: 's' } }, reinvocationPolicy: 'Always', matchConditions: [{ name: 'a', expression: 'object.x ==' }, { name: 'a', expression: '' }, { name: 'user', expression: 'request.userInfo.username' }] }),
      hook({ admissionReviewVersions: [], clientConfig: { service: { path: 'x//y', port: 70000 } } }),
    )));
    expect(causes).toEqual([
      'webhooks[0].name: Invalid value: "two.parts": should be a domain with at least three segments separated by dots',
      'webhooks[0].rules[0].operations: Invalid value: []admissionregistration.OperationType{"*", "CREATE"}: if \'*\' is present, must not specify other operations',
      'webhooks[0].rules[0].apiGroups: Required value',
      'webhooks[0].rules[0].resources: Invalid value: []string{"*/*", "pods"}: if \'*/*\' is present, must not specify other resources',
      'webhooks[0].rules[0].scope: Unsupported value: "Global": supported values: "*", "Cluster", "Namespaced"',
      'webhooks[0].failurePolicy: Unsupported value: "Never": supported values: "Fail", "Ignore"',
      'webhooks[0].clientConfig.url: Invalid value: "user:xxxxx": user information is not permitted in the URL',
      'webhooks[0].clientConfig.url: Invalid value: "frag": fragments are not permitted in the URL',
      'webhooks[0].clientConfig.url: Invalid value: "q=1": query parameters are not permitted in the URL',
      'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
      'webhooks[0].timeoutSeconds: Invalid value: 0: the timeout value must be between 1 and 30 seconds',
      'webhooks[0].admissionReviewVersions[1]: Invalid value: "v1": duplicate version',
      'webhooks[1].clientConfig: Required value: exactly one of url or service is required',
      'webhooks[1].reinvocationPolicy: Unsupported value: "Always": supported values: "IfNeeded", "Never"',
      expect.stringMatching(/^webhooks\[1\]\.matchConditions\[0\]\.expression: Invalid value: "object\.x ==": compilation failed: ERROR: /),
      'webhooks[1].matchConditions[1].name: Duplicate value: "a"',
      'webhooks[1].matchConditions[1].expression: Required value',
      'webhooks[1].matchConditions[2].expression: Invalid value: "request.userInfo.username": must evaluate to bool',
      'webhooks[2].clientConfig.service.name: Required value: service name is required',
      'webhooks[2].clientConfig.service.namespace: Required value: service namespace is required',
      'webhooks[2].clientConfig.service.port: Invalid value: 70000: port is not valid: must be between 1 and 65535, inclusive',
      'webhooks[2].clientConfig.service.path: Invalid value: "x//y": must start with a \'/\'',
      // As kube-apiserver, the first character is taken for the leading '/' even when it is not one.
      'webhooks[2].clientConfig.service.path: Invalid value: "x//y": segment[0] may not be empty',
      'webhooks[2].clientConfig.service.path: Invalid value: "x//y": segment[1] may not be empty',
      'webhooks[2].admissionReviewVersions: Required value: must specify one of v1, v1beta1',
      'webhooks[2].name: Duplicate value: "pods.webhooks.example.com"',
    ]);
  });
});
