import { validateCrdRules } from './crd-rules.validation';

const version = (name: string, spec: any) => ({ name, served: true, storage: name === 'v1', schema: { openAPIV3Schema: { type: 'object', properties: { spec } } } });
const lines = (versions: any[]) => validateCrdRules(versions).map((c) => `${c.field}: ${c.message}`);

describe('x-kubernetes-validations of a CRD', () => {
  it('accepts rules that compile, including transition rules, string functions and macros', () => {
    const spec = {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: 'self.minReplicas <= self.maxReplicas' },
        { rule: 'has(self.name) && self.name.lowerAscii().startsWith("a") && self.items.all(x, size(x) < 5)' },
        { rule: 'self.name == oldSelf.name', messageExpression: "'name was ' + strings.quote(oldSelf.name)" },
        { rule: "self.items.filter(x, x in ['a', 'b']).size() == 1 && '%s-%d'.format([self.name, 1]) != ''" },
      ],
    };
    expect(lines([version('v1', spec)])).toEqual([]);
  });

  it('refuses a rule that does not compile, at the rule under spec.validation when every version has the same schema', () => {
    const spec = { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.replicas >' }] };
    expect(lines([version('v1', spec), version('v1beta1', spec)])).toEqual([
      'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: '
      + 'apiextensions.ValidationRule{Rule:"self.replicas >", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), '
      + 'FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:15: found > but expecting end of input',
    ]);
  });

  it('refuses unknown variables and functions, and names the version when schemas differ', () => {
    const spec = { type: 'object', properties: { a: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == other' }, { rule: 'isSemver(self)' }, { rule: 'self.reverse() == self' }] } } };
    expect(lines([version('v1', spec), version('v2', { type: 'object' })]).map((l) => l.replace(/ Invalid value: .*}: /, ' '))).toEqual([
      "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[a].x-kubernetes-validations[0].rule: compilation failed: ERROR: <input>: undeclared reference to 'other' (in container '')",
      "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[a].x-kubernetes-validations[1].rule: compilation failed: ERROR: <input>: undeclared reference to 'isSemver' (in container '')",
      "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[a].x-kubernetes-validations[2].rule: compilation failed: ERROR: <input>: undeclared reference to 'reverse' (in container '')",
    ]);
  });

  it('requires a rule, a one-line message and a known reason', () => {
    const spec = { type: 'object', 'x-kubernetes-validations': [{ rule: ' ' }, { rule: 'true', message: 'a\nb' }, { rule: 'true', reason: 'Nope' }] };
    expect(lines([version('v1', spec)])).toEqual([
      'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Required value: rule is not specified',
      'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[1].message: Invalid value: "a\\nb": message must not contain line breaks',
      'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[2].reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"',
    ]);
  });
});
