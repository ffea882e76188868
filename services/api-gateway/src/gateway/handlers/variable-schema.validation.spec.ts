import { unknownFieldPaths, variableSchemaCauses } from './variable-schema.validation';

const AT = 'spec.topology.variables[cpu].value';
const causes = (schema: any, value: unknown) => variableSchemaCauses(schema, value, AT);

describe('variableSchemaCauses (a ClusterClass variable value against its openAPIV3Schema, in CAPI\'s words)', () => {
  it('takes values of their type, an integer as a number, null where nullable', () => {
    expect(causes({ type: 'string' }, 'best-effort-small')).toEqual([]);
    expect(causes({ type: 'integer' }, 3)).toEqual([]);
    expect(causes({ type: 'number' }, 3)).toEqual([]);
    expect(causes({ type: 'boolean' }, false)).toEqual([]);
    expect(causes({ type: 'array', items: { type: 'string' } }, ['a'])).toEqual([]);
    expect(causes({ type: 'object', properties: { enabled: { type: 'boolean' } } }, { enabled: true })).toEqual([]);
    expect(causes({ type: 'string', nullable: true }, null)).toEqual([]);
    expect(causes({ 'x-kubernetes-int-or-string': true }, '50%')).toEqual([]);
  });

  it('refuses a value of another type, printing the whole value as JSON', () => {
    expect(causes({ type: 'string' }, 1)).toEqual([{ field: AT, reason: 'FieldValueTypeInvalid', message: 'Invalid value: "1": must be of type string: "integer"' }]);
    expect(causes({ type: 'integer' }, '1')).toEqual([{ field: AT, reason: 'FieldValueTypeInvalid', message: 'Invalid value: "\\"1\\"": must be of type integer: "string"' }]);
    expect(causes({ type: 'integer' }, 1.5)[0].message).toBe('Invalid value: "1.5": must be of type integer: "number"');
    expect(causes({ type: 'string' }, null)[0].message).toBe('Invalid value: "null": must be of type string: "null"');
    // A field inside the value is named after the value, and in the detail.
    expect(causes({ type: 'object', properties: { enabled: { type: 'boolean' } } }, { enabled: 'not-a-bool' })).toEqual([{
      field: `${AT}.enabled`, reason: 'FieldValueTypeInvalid', message: 'Invalid value: "{\\"enabled\\":\\"not-a-bool\\"}": enabled in body must be of type boolean: "string"',
    }]);
  });

  it('refuses a value outside its enum, listing the allowed ones', () => {
    expect(causes({ type: 'string', enum: ['us-east-1', 'us-east-2'] }, 'us-east-1')).toEqual([]);
    expect(causes({ type: 'string', enum: ['us-east-1', 'us-east-2'] }, 'us-west-1')).toEqual([{
      field: AT, reason: 'FieldValueNotSupported', message: 'Unsupported value: "\\"us-west-1\\"": supported values: "us-east-1", "us-east-2"',
    }]);
    // Both the type and the enum, as kube-openapi reports them.
    expect(causes({ type: 'string', enum: [1, 2] }, 3).map((c) => c.message)).toEqual([
      'Invalid value: "3": must be of type string: "integer"',
      'Unsupported value: "3": supported values: "1", "2"',
    ]);
  });

  it('refuses numbers out of bounds', () => {
    expect(causes({ type: 'integer', minimum: 1, maximum: 10 }, 5)).toEqual([]);
    expect(causes({ type: 'integer', maximum: 10 }, 99)).toEqual([{ field: AT, reason: 'FieldValueInvalid', message: 'Invalid value: "99": should be less than or equal to 10' }]);
    expect(causes({ type: 'integer', minimum: 1 }, 0)[0].message).toBe('Invalid value: "0": should be greater than or equal to 1');
    expect(causes({ type: 'number', minimum: 1, exclusiveMinimum: true }, 1)[0].message).toBe('Invalid value: "1": should be greater than 1');
    expect(causes({ type: 'number', maximum: 1, exclusiveMaximum: true }, 1)[0].message).toBe('Invalid value: "1": should be less than 1');
    expect(causes({ type: 'integer', multipleOf: 2 }, 3)[0].message).toBe('Invalid value: "3": should be a multiple of 2');
  });

  it('refuses strings too short, too long or not matching the pattern', () => {
    expect(causes({ type: 'string', minLength: 1, maxLength: 5, pattern: '^[a-z]+$' }, 'abc')).toEqual([]);
    expect(causes({ type: 'string', minLength: 4 }, 'abc')[0].message).toBe('Invalid value: "\\"abc\\"": should be at least 4 chars long');
    expect(causes({ type: 'string', maxLength: 2 }, 'abc')).toEqual([{ field: AT, reason: 'FieldValueTooLong', message: 'Too long: may not be more than 2 bytes' }]);
    expect(causes({ type: 'string', pattern: '^[0-9]+$' }, '000000a')[0].message).toBe('Invalid value: "\\"000000a\\"": should match \'^[0-9]+$\'');
  });

  it('refuses arrays of the wrong size, with duplicates, or with a bad item (named .[i])', () => {
    const schema = { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] }, minItems: 2, maxItems: 3, uniqueItems: true };
    expect(causes(schema, ['a', 'b'])).toEqual([]);
    expect(causes(schema, ['a'])[0].message).toBe('Invalid value: "[\\"a\\"]": should have at least 2 items');
    expect(causes(schema, ['a', 'b', 'c', 'a']).map((c) => [c.reason, c.message])).toEqual([
      ['FieldValueTooMany', 'Too many: "[\\"a\\",\\"b\\",\\"c\\",\\"a\\"]": must have at most 3 items'],
      ['FieldValueInvalid', 'Invalid value: "[\\"a\\",\\"b\\",\\"c\\",\\"a\\"]": shouldn\'t contain duplicates'],
    ]);
    expect(causes(schema, ['a', 'x'])).toEqual([{
      field: `${AT}.[1]`, reason: 'FieldValueNotSupported', message: 'Unsupported value: "[\\"a\\",\\"x\\"]": supported values: "a", "b", "c"',
    }]);
  });

  it('refuses objects missing a required property, with too many properties, or with a bad map entry', () => {
    const proxy = { type: 'object', properties: { url: { type: 'string' }, enabled: { type: 'boolean' } }, required: ['url'] };
    expect(causes(proxy, { url: 'http://proxy', enabled: true })).toEqual([]);
    expect(causes(proxy, { enabled: 'true' })).toEqual([
      { field: `${AT}.url`, reason: 'FieldValueRequired', message: 'Required value' },
      { field: `${AT}.enabled`, reason: 'FieldValueTypeInvalid', message: 'Invalid value: "{\\"enabled\\":\\"true\\"}": enabled in body must be of type boolean: "string"' },
    ]);
    expect(causes({ type: 'object', maxProperties: 1 }, { a: 1, b: 2 })[0]).toEqual({ field: AT, reason: 'FieldValueTooMany', message: 'Too many: "{\\"a\\":1,\\"b\\":2}": must have at most 1 item' });
    expect(causes({ type: 'object', additionalProperties: proxy }, { p1: {} })).toEqual([{ field: `${AT}.p1.url`, reason: 'FieldValueRequired', message: 'Required value' }]);
    expect(causes({ type: 'object', additionalProperties: { type: 'integer', minimum: 1 } }, { a: 0 })[0].message)
      .toBe('Invalid value: "{\\"a\\":0}": a in body should be greater than or equal to 1');
  });
});

describe('unknownFieldPaths (what pruning would drop)', () => {
  const schema = { type: 'object', properties: { test: { type: 'object', properties: { known: { type: 'boolean' } } }, list: { type: 'array', items: { type: 'object', properties: {} } } } };

  it('names fields the schema does not declare, at any depth', () => {
    expect(unknownFieldPaths(schema, { test: { known: true } })).toEqual([]);
    expect(unknownFieldPaths(schema, { test: { known: true, unknown: 1 }, other: 2, list: [{ x: 1 }] })).toEqual(['test.unknown', 'other', 'list[0].x']);
  });

  it('keeps what x-kubernetes-preserve-unknown-fields or additionalProperties keep, on that level only', () => {
    expect(unknownFieldPaths({ ...schema, 'x-kubernetes-preserve-unknown-fields': true }, { other: { deep: 1 } })).toEqual([]);
    expect(unknownFieldPaths({ ...schema, 'x-kubernetes-preserve-unknown-fields': true }, { test: { unknown: 1 } })).toEqual(['test.unknown']);
    expect(unknownFieldPaths({ type: 'object', additionalProperties: { type: 'string' } }, { any: 'x' })).toEqual([]);
    expect(unknownFieldPaths({ type: 'string' }, 'scalar')).toEqual([]);
  });
});
