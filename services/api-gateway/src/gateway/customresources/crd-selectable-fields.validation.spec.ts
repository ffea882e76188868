import { definitionFromCrd } from '@openpacific/contracts';
import { validateSelectableFields } from './crd-selectable-fields.validation';

const schema = {
  type: 'object',
  properties: {
    metadata: { type: 'object', properties: { name: { type: 'string' } } },
    spec: {
      type: 'object',
      properties: {
        color: { type: 'string', enum: ['red', 'blue'] },
        size: { type: 'integer' },
        ready: { type: 'boolean' },
        ratio: { type: 'number' },
        tags: { type: 'array', items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
};
const check = (paths: string[], s: any = schema) =>
  validateSelectableFields({ schema: { openAPIV3Schema: s }, selectableFields: paths.map((jsonPath) => ({ jsonPath })) }, 'spec.versions[0].selectableFields')
    .map((c) => `${c.field}: ${c.message}`);

describe('selectableFields validation', () => {
  it('accepts paths to string, integer and boolean fields, through properties and map values', () => {
    expect(check(['.spec.color', '.spec.size', '.spec.ready', '.spec.labels.app'])).toEqual([]);
  });

  it('refuses paths that lead nowhere, use array notation or do not start with a dot, as kube-apiserver words it', () => {
    expect(check(['.spec.shape', '.spec.tags[0]', 'spec.color', '.spec.'])).toEqual([
      'spec.versions[0].selectableFields[0].jsonPath: Invalid value: ".spec.shape": is an invalid path: does not refer to a valid field',
      'spec.versions[0].selectableFields[1].jsonPath: Invalid value: ".spec.tags[0]": is an invalid path: array notation is not allowed',
      'spec.versions[0].selectableFields[2].jsonPath: Invalid value: "spec.color": is an invalid path: expected [ or . but got: spec',
      'spec.versions[0].selectableFields[3].jsonPath: Invalid value: ".spec.": is an invalid path: unexpected end of JSON path',
    ]);
  });

  it('refuses fields of other types, metadata fields and duplicates', () => {
    const typeMessage = 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.';
    expect(check(['.spec.ratio', '.spec', '.metadata.name', '.spec.color', '.spec.color', ''])).toEqual([
      `spec.versions[0].selectableFields[0].jsonPath: Invalid value: ".spec.ratio": ${typeMessage}`,
      `spec.versions[0].selectableFields[1].jsonPath: Invalid value: ".spec": ${typeMessage}`,
      'spec.versions[0].selectableFields[2].jsonPath: Invalid value: ".metadata.name": must not point to fields in metadata',
      'spec.versions[0].selectableFields[4].jsonPath: Duplicate value: ".spec.color"',
      'spec.versions[0].selectableFields[5].jsonPath: Required value',
    ]);
  });

  it('allows at most eight distinct fields', () => {
    const many = { type: 'object', properties: { spec: { type: 'object', properties: Object.fromEntries([...Array(9).keys()].map((i) => [`f${i}`, { type: 'string' }])) } } };
    expect(check([...Array(9).keys()].map((i) => `.spec.f${i}`), many)).toEqual(['spec.versions[0].selectableFields: Too many: 9: must have at most 8 items']);
  });

  it('serves the fields as field selector labels of the version', () => {
    const crd = {
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema }, selectableFields: [{ jsonPath: '.spec.color' }] }],
      },
    };
    expect(definitionFromCrd(crd).versions[0].selectableFields).toEqual(['spec.color']);
  });
});
