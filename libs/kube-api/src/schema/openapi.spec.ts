import { commonFieldDescriptions, fieldDescriptions, resourceDefinitions } from '@openpacific/contracts';
import { openApiV3Document, toOpenApi30 } from './openapi';

describe('toOpenApi30: a kind schema as OpenAPI 3.0 (what kubectl explain reads)', () => {
  it('turns a nullable type list into one type with nullable', () => {
    expect(toOpenApi30({ type: ['string', 'null'], format: 'date-time' })).toEqual({ type: 'string', format: 'date-time', nullable: true });
  });

  const quantity = { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' }] };
  const intOrString = { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }] };

  it('refers a string-or-number to Quantity and a string-or-integer to IntOrString, as Kubernetes types them', () => {
    expect(toOpenApi30({ type: ['string', 'number'] })).toEqual(quantity);
    expect(toOpenApi30({ type: ['integer', 'string'] })).toEqual(intOrString);
    expect(toOpenApi30({ type: ['string', 'integer', 'null'] })).toEqual({ ...intOrString, nullable: true });
    expect(toOpenApi30({ anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true })).toEqual(intOrString);
  });

  it('lists other type lists as anyOf', () => {
    expect(toOpenApi30({ type: ['boolean', 'object'] })).toEqual({ anyOf: [{ type: 'boolean' }, { type: 'object' }] });
  });

  it('walks properties, items, additionalProperties and combinators, and leaves a property named "type" a property', () => {
    const schema = {
      type: 'object',
      properties: {
        type: { type: 'string' },
        when: { type: ['string', 'null'] },
        limits: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
        ports: { type: 'array', items: { type: 'object', properties: { targetPort: { type: ['integer', 'string'] } } } },
        either: { oneOf: [{ type: ['string', 'null'] }] },
      },
    };
    const out = toOpenApi30(schema) as any;
    expect(out.properties.type).toEqual({ type: 'string' });
    expect(out.properties.when).toEqual({ type: 'string', nullable: true });
    expect(out.properties.limits.additionalProperties).toEqual(quantity);
    expect(out.properties.ports.items.properties.targetPort).toEqual(intOrString);
    expect(out.properties.either.oneOf[0]).toEqual({ type: 'string', nullable: true });
    expect(schema.properties.when.type).toEqual(['string', 'null']);
  });

  it('leaves booleans and other values as they are', () => {
    expect(toOpenApi30(true)).toBe(true);
    expect(toOpenApi30({ additionalProperties: false })).toEqual({ additionalProperties: false });
  });
});

describe("a group-version's OpenAPI v3 document", () => {
  it("carries the kinds' field descriptions for kubectl explain, leaving the schemas the gateway validates with as they are", () => {
    const configMap = resourceDefinitions.find((d) => d.group === '' && d.kind === 'ConfigMap')!;
    const doc = openApiV3Document([configMap], 'v1') as any;
    const schema = doc.components.schemas['io.k8s.api.core.v1.ConfigMap'];
    expect(schema.properties.metadata.properties.name.description).toBe(commonFieldDescriptions()['metadata.name']);
    expect(schema.properties.metadata.properties.ownerReferences.items.properties.uid.description).toBe(commonFieldDescriptions()['metadata.ownerReferences.uid']);
    expect(schema.description).toBe(fieldDescriptions('', 'ConfigMap')[''] ?? 'ConfigMap (v1), served by OpenPacific.');
    const validated = configMap.versions[0].schema as any;
    expect(validated.properties.metadata.properties.name.description).toBeUndefined();
    expect(validated.description).toBeUndefined();
  });
});

describe('openApiV3Document: strategic merge patch metadata for kubectl apply', () => {
  it('marks each merge-keyed list with its key and the merge strategy, templates included', () => {
    const doc = openApiV3Document(resourceDefinitions, 'apps/v1') as any;
    const spec = doc.components.schemas['io.k8s.api.apps.v1.Deployment'] ?? Object.values(doc.components.schemas).find((s: any) => s['x-kubernetes-group-version-kind']?.[0]?.kind === 'Deployment');
    const podSpec = spec.properties.spec.properties.template.properties.spec;
    expect(podSpec.properties.containers).toMatchObject({ type: 'array', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
    expect(podSpec.properties.containers.items.properties.env).toMatchObject({ 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
    expect(podSpec.properties.volumes['x-kubernetes-patch-merge-key']).toBe('name');
    // A list without a merge key stays atomic.
    expect(podSpec.properties.containers.items.properties.args['x-kubernetes-patch-merge-key']).toBeUndefined();
  });
});
