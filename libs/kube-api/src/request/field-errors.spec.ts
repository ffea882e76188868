import {
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotFound,
  fieldNotSupported,
  fieldRequired,
  fieldTooLong,
  fieldTooMany,
  goRendered,
  OMIT_VALUE,
  renderFieldValue,
} from './field-errors';

describe('field errors, worded as kube-apiserver words them', () => {
  it('prints a bad value as field.Error does: strings quoted, numbers and booleans bare', () => {
    expect(renderFieldValue('web')).toBe('"web"');
    expect(renderFieldValue('')).toBe('""');
    expect(renderFieldValue('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
    expect(renderFieldValue(8080)).toBe('8080');
    expect(renderFieldValue(-1.5)).toBe('-1.5');
    expect(renderFieldValue(true)).toBe('true');
    expect(renderFieldValue(false)).toBe('false');
    expect(renderFieldValue(null)).toBe('null');
    expect(renderFieldValue(undefined)).toBe('null');
    expect(renderFieldValue({ a: 1, b: ['x'] })).toBe('{"a":1,"b":["x"]}');
    expect(renderFieldValue(['a', 'b'])).toBe('["a","b"]');
    expect(renderFieldValue(goRendered('[]string{"a", "b"}'))).toBe('[]string{"a", "b"}');
  });

  it('Required: no value, the detail when there is one', () => {
    expect(fieldRequired('spec.containers')).toEqual({ field: 'spec.containers', reason: 'FieldValueRequired', message: 'Required value' });
    expect(fieldRequired('spec.ports', '')).toEqual({ field: 'spec.ports', reason: 'FieldValueRequired', message: 'Required value' });
    expect(fieldRequired('spec.completions', 'when completion mode is Indexed').message).toBe('Required value: when completion mode is Indexed');
  });

  it('Invalid: the value then the detail, or only the detail when the value is left out', () => {
    expect(fieldInvalid('spec.replicas', -1, 'must be greater than or equal to 0')).toEqual({
      field: 'spec.replicas',
      reason: 'FieldValueInvalid',
      message: 'Invalid value: -1: must be greater than or equal to 0',
    });
    expect(fieldInvalid('metadata.name', 'Web', 'must be lowercase').message).toBe('Invalid value: "Web": must be lowercase');
    expect(fieldInvalid('spec.hostPID', true, 'cannot be set').message).toBe('Invalid value: true: cannot be set');
    expect(fieldInvalid('spec.selector', { matchLabels: { a: 'b' } }, 'field is immutable').message).toBe('Invalid value: {"matchLabels":{"a":"b"}}: field is immutable');
    expect(fieldInvalid('spec.apiGroups', goRendered('[]string{"*", "apps"}'), "if '*' is present, must not specify other API groups").message)
      .toBe('Invalid value: []string{"*", "apps"}: if \'*\' is present, must not specify other API groups');
    expect(fieldInvalid('spec.successPolicy', OMIT_VALUE, 'requires indexed completion mode').message).toBe('Invalid value: requires indexed completion mode');
  });

  it('NotSupported: the value and the supported values, each quoted, in the order given', () => {
    expect(fieldNotSupported('spec.type', 'Balancer', ['ClusterIP', 'NodePort'])).toEqual({
      field: 'spec.type',
      reason: 'FieldValueNotSupported',
      message: 'Unsupported value: "Balancer": supported values: "ClusterIP", "NodePort"',
    });
    expect(fieldNotSupported('spec.kind', 'Pod', ['VirtualMachine', '']).message).toBe('Unsupported value: "Pod": supported values: "VirtualMachine", ""');
    expect(fieldNotSupported('spec.mode', 3, ['a']).message).toBe('Unsupported value: 3: supported values: "a"');
    expect(fieldNotSupported('spec.mode', 'x', []).message).toBe('Unsupported value: "x"');
  });

  it('Forbidden: only the detail', () => {
    expect(fieldForbidden('spec.nodeName', 'a pod cannot move')).toEqual({ field: 'spec.nodeName', reason: 'FieldValueForbidden', message: 'Forbidden: a pod cannot move' });
  });

  it('Duplicate and NotFound: only the value', () => {
    expect(fieldDuplicate('spec.ports[1].name', 'http')).toEqual({ field: 'spec.ports[1].name', reason: 'FieldValueDuplicate', message: 'Duplicate value: "http"' });
    expect(fieldDuplicate('values[2]', 7).message).toBe('Duplicate value: 7');
    expect(fieldNotFound('spec.volumeMounts[0].name', 'data')).toEqual({ field: 'spec.volumeMounts[0].name', reason: 'FieldValueNotFound', message: 'Not found: "data"' });
  });

  it('TooLong: the limit in bytes, never the value', () => {
    expect(fieldTooLong('spec.managedBy', 63)).toEqual({ field: 'spec.managedBy', reason: 'FieldValueTooLong', message: 'Too long: may not be more than 63 bytes' });
    expect(fieldTooLong('x', 1).message).toBe('Too long: may not be more than 1 byte');
    expect(fieldTooLong('x', -1).message).toBe('Too long: value is too long');
  });

  it('TooMany: how many there are and the most allowed', () => {
    expect(fieldTooMany('spec.matchConditions', 65, 64)).toEqual({ field: 'spec.matchConditions', reason: 'FieldValueTooMany', message: 'Too many: 65: must have at most 64 items' });
    expect(fieldTooMany('x', 2, 1).message).toBe('Too many: 2: must have at most 1 item');
    expect(fieldTooMany('x', -1, 3).message).toBe('Too many: must have at most 3 items');
    expect(fieldTooMany('x', 5, -1).message).toBe('Too many: 5: has too many items');
  });
});
