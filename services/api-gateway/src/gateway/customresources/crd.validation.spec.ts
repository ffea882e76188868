import { defaultCrd, validateCrd, validateCrdUpdate } from './crd.validation';

const builtin = (group: string) => ['', 'apps', 'rbac.authorization.k8s.io', 'vmoperator.vmware.com'].includes(group);
const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } };
const crd = (spec: any = {}, name = 'widgets.example.com') => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name },
  spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema }], ...spec },
});
const fields = (c: any) => validateCrd(c, builtin).map((x) => `${x.field}: ${x.message}`);

describe('CustomResourceDefinition validation', () => {
  it('accepts a well-formed CRD and defaults its names and conversion', () => {
    expect(fields(crd())).toEqual([]);
    const defaulted = defaultCrd(crd());
    expect(defaulted.spec.names).toEqual({ plural: 'widgets', kind: 'Widget', singular: 'widget', listKind: 'WidgetList' });
    expect(defaulted.spec.conversion).toEqual({ strategy: 'None' });
  });

  it('requires the name to be <plural>.<group>, a group with a dot that no built-in kind uses, and a known scope', () => {
    expect(fields(crd({}, 'widgets.example.org'))).toEqual(['metadata.name: Invalid value: "widgets.example.org": must be spec.names.plural+"."+spec.group']);
    expect(fields(crd({ group: 'example' }, 'widgets.example'))).toEqual(['spec.group: Invalid value: "example": should be a domain with at least one dot']);
    expect(fields(crd({ group: 'vmoperator.vmware.com' }, 'widgets.vmoperator.vmware.com'))).toEqual(['spec.group: Invalid value: "vmoperator.vmware.com": is the group of built-in kinds of this server']);
    expect(fields(crd({ scope: 'Global' }))).toEqual(['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']);
  });

  it('checks the names', () => {
    expect(fields(crd({ names: { plural: 'widgets', kind: 'Widget', listKind: 'Widget', shortNames: ['W'] } }))).toEqual([
      expect.stringMatching(/^spec\.names\.shortNames\[0\]: Invalid value: "W": a lowercase RFC 1123 label/),
      'spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same',
    ]);
    expect(fields(crd({ names: { plural: 'widgets' } }))).toEqual(['spec.names.singular: Required value', 'spec.names.kind: Required value']);
  });

  it('wants one storage version among unique, well-named versions, each with an object schema', () => {
    const v = (name: string, storage: boolean, s: any = schema) => ({ name, served: true, storage, schema: s });
    expect(fields(crd({ versions: [] }))).toEqual(['spec.versions: Required value: must have exactly one version marked as storage version']);
    expect(fields(crd({ versions: [v('v1', true), v('v1', true)] }))).toEqual([
      'spec.versions[1].name: Duplicate value: "v1"',
      'spec.versions: Invalid value: ["v1","v1"]: must have exactly one version marked as storage version',
    ]);
    expect(fields(crd({ versions: [v('V1', true)] }))[0]).toMatch(/^spec\.versions\[0\]\.name: Invalid value: "V1": a DNS-1035 label/);
    expect(fields(crd({ versions: [v('v1', true, {})] }))).toEqual(['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required']);
    expect(fields(crd({ versions: [v('v1', true, { openAPIV3Schema: { type: 'string' } })] }))).toEqual(['spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "string": must be object at the root']);
    expect(fields(crd({ versions: [v('v1', true, { openAPIV3Schema: { type: 'object', properties: { spec: { properties: {} } } } })] }))).toEqual([
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    ]);
  });

  it('forbids the keywords kube-apiserver does not support in a CRD schema', () => {
    const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', $ref: '#/x', $id: 'w' }, list: { type: 'array', items: { type: 'string' }, uniqueItems: true } } } };
    expect(fields(crd({ versions: [{ name: 'v1', served: true, storage: true, schema }] }))).toEqual([
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].$ref: Forbidden: $ref is not supported',
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].$id: Forbidden: $id is not supported',
      'spec.versions[0].schema.openAPIV3Schema.properties[list].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
    ]);
  });

  it('takes a schema keyword given as null as left out, as kube-apiserver decodes it (properties: null answered 500)', () => {
    const openAPIV3Schema = { type: 'object', properties: { spec: { type: 'object', properties: null, required: null } } };
    expect(fields(crd({ versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema } }] }))).toEqual([]);
  });

  it('refuses a schema the validator cannot compile, rather than failing later', () => {
    const bad = { openAPIV3Schema: { type: 'object', properties: { n: { type: 'integer', minimum: 'x' } } } };
    expect(fields(crd({ versions: [{ name: 'v1', served: true, storage: true, schema: bad }] }))[0]).toMatch(/^spec\.versions\[0\]\.schema\.openAPIV3Schema: Invalid value: "": the schema cannot be used: .*minimum/);
  });

  it('wants every pattern to be a regular expression Go compiles (RE2), its logic junctors\' too', () => {
    const string = (pattern: string) => ({ type: 'string', pattern });
    const openAPIV3Schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { plus: string('+'), lookahead: string('a(?=b)'), flags: string('(?i)^abc$'), tags: { type: 'array', items: string('(') } },
          additionalProperties: false,
          anyOf: [{ properties: { plus: string('[z-a]') } }],
        },
      },
    };
    expect(fields(crd({ versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema } }] }))).toEqual([
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[plus].pattern: Invalid value: "+": must be a valid regular expression, but isn\'t: error parsing regexp: missing argument to repetition operator: `+`',
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[lookahead].pattern: Invalid value: "a(?=b)": must be a valid regular expression, but isn\'t: error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[tags].items.pattern: Invalid value: "(": must be a valid regular expression, but isn\'t: error parsing regexp: missing closing ): `(`',
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].anyOf[0].properties[plus].pattern: Invalid value: "[z-a]": must be a valid regular expression, but isn\'t: error parsing regexp: invalid character class range: `z-a`',
    ]);
  });

  it('checks printer columns and scale paths', () => {
    const version = {
      name: 'v1', served: true, storage: true, schema,
      additionalPrinterColumns: [{ name: 'Size', type: 'long', jsonPath: '.spec.size' }, { name: 'Bad', type: 'string', jsonPath: 'spec.size' }],
      subresources: { scale: { specReplicasPath: '.status.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.metadata.labels' } },
    };
    expect(fields(crd({ versions: [version] }))).toEqual([
      'spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "long": supported values: "boolean", "date", "integer", "number", "string"',
      'spec.versions[0].additionalPrinterColumns[1].jsonPath: Invalid value: "spec.size": must be a simple json path starting with .',
      'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
      'spec.versions[0].subresources.scale.labelSelectorPath: Invalid value: ".metadata.labels": should be a json path under either .spec or .status',
    ]);
  });

  it('keeps scope and group once made', () => {
    expect(validateCrdUpdate(crd(), crd({ scope: 'Cluster' })).map((c) => c.field)).toEqual(['spec.scope']);
  });

  it('takes a conversion webhook with where it is and the review versions it reads, named as kube-apiserver names them', () => {
    const hook = { clientConfig: { url: 'https://127.0.0.1:8443/convert', caBundle: 'Zm9v' }, conversionReviewVersions: ['v1'] };
    expect(fields(crd({ conversion: { strategy: 'Webhook', webhook: hook } }))).toEqual([]);
    expect(fields(crd({ conversion: { strategy: 'Webhook', webhook: { ...hook, clientConfig: { service: { namespace: 'ns', name: 'conv', path: '/convert', port: 443 } } } } }))).toEqual([]);
    expect(fields(crd({ conversion: { strategy: 'Webhook' } }))).toEqual([
      'spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook',
      'spec.conversion.conversionReviewVersions: Required value',
    ]);
    expect(fields(crd({ conversion: { strategy: 'Webhook', webhook: { clientConfig: { url: 'http://h/x?a=b' }, conversionReviewVersions: ['v2'] } } }))).toEqual([
      `spec.conversion.webhookClientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme; desired format: https://host[/path]`,
      'spec.conversion.webhookClientConfig.url: Invalid value: "a=b": query parameters are not permitted in the URL',
      'spec.conversion.conversionReviewVersions: Invalid value: []string{"v2"}: must include at least one of v1, v1beta1',
    ]);
    expect(fields(crd({ conversion: { strategy: 'Webhook', webhook: { clientConfig: {}, conversionReviewVersions: ['v1'] } } }))).toEqual([
      'spec.conversion.webhookClientConfig: Required value: exactly one of url or service is required',
    ]);
    expect(fields(crd({ conversion: { strategy: 'None', webhook: hook } }))).toEqual([
      'spec.conversion.webhookClientConfig: Forbidden: should not be set when strategy is not set to Webhook',
      'spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to Webhook',
    ]);
    expect(fields(crd({ conversion: { strategy: 'Bogus' } }))).toEqual(['spec.conversion.strategy: Unsupported value: "Bogus": supported values: "None", "Webhook"']);
    const byService = defaultCrd(crd({ conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: { namespace: 'ns', name: 'conv' } }, conversionReviewVersions: ['v1'] } } }));
    expect(byService.spec.conversion.webhook.clientConfig.service).toEqual({ namespace: 'ns', name: 'conv', port: 443 });
  });
});
