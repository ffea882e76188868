import { customResourceSchema } from '@openpacific/contracts';
import { compileSchemaRules } from './cel-compile';
import { validateRules } from './cel-evaluate';
import { escapedProperty } from './cel-values';

const schemaWith = (spec: any) => customResourceSchema({ type: 'object', properties: { spec } });
const widget = (spec: any) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop', labels: { a: 'b' } }, spec });
const lines = (schema: any, obj: any, old?: any) => validateRules(schema, obj, old).map((c) => `${c.field}: ${c.message}`);

describe('x-kubernetes-validations', () => {
  const replicas = schemaWith({
    type: 'object',
    properties: { minReplicas: { type: 'integer' }, maxReplicas: { type: 'integer' }, name: { type: 'string' }, items: { type: 'array', items: { type: 'string' } } },
    'x-kubernetes-validations': [
      { rule: 'self.minReplicas <= self.maxReplicas', message: 'minReplicas must not exceed maxReplicas' },
      { rule: "!has(self.name) || self.name.matches('^[a-z]+$')" },
      { rule: 'size(self.items) <= 2 && self.items.all(x, x.startsWith("i-"))', reason: 'FieldValueForbidden', fieldPath: '.items' },
    ],
  });

  it('passes an object that keeps every rule', () => {
    expect(lines(replicas, widget({ minReplicas: 1, maxReplicas: 3, name: 'abc', items: ['i-1'] }))).toEqual([]);
  });

  it('reports each broken rule at its node with its message, the default message, its reason and its fieldPath', () => {
    expect(lines(replicas, widget({ minReplicas: 4, maxReplicas: 3, name: 'A1', items: ['i-1', 'x'] }))).toEqual([
      'spec: Invalid value: "object": minReplicas must not exceed maxReplicas',
      "spec: Invalid value: \"object\": failed rule: !has(self.name) || self.name.matches('^[a-z]+$')",
      'spec.items: Forbidden: failed rule: size(self.items) <= 2 && self.items.all(x, x.startsWith("i-"))',
    ]);
  });

  it('reports a rule that cannot be evaluated, such as a missing field, as an error of that rule', () => {
    expect(lines(replicas, widget({ maxReplicas: 3, items: [] }))).toEqual([
      'spec: Invalid value: "object": no such key: minReplicas evaluating rule: minReplicas must not exceed maxReplicas',
    ]);
  });

  it('evaluates rules on list items, map values and scalars, with self being that value', () => {
    const schema = schemaWith({
      type: 'object',
      properties: {
        ports: { type: 'array', items: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 1024', messageExpression: "'port ' + string(self) + ' is privileged'" }] } },
        labels: { type: 'object', additionalProperties: { type: 'string', 'x-kubernetes-validations': [{ rule: 'size(self) < 4' }] } },
        ratio: { type: 'number', 'x-kubernetes-validations': [{ rule: 'self < 1.0' }] },
      },
    });
    expect(lines(schema, widget({ ports: [8080, 80], labels: { a: 'ok', b: 'toolong' }, ratio: 1 }))).toEqual([
      'spec.ports[1]: Invalid value: "integer": port 80 is privileged',
      'spec.labels.b: Invalid value: "string": failed rule: size(self) < 4',
      'spec.ratio: Invalid value: "number": failed rule: self < 1.0',
    ]);
  });

  describe('transition rules', () => {
    const immutable = schemaWith({ type: 'object', properties: { color: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'color is immutable' }] } } });

    it('skips a rule on oldSelf on create, and applies it on update', () => {
      expect(lines(immutable, widget({ color: 'red' }))).toEqual([]);
      expect(lines(immutable, widget({ color: 'red' }), widget({ color: 'red' }))).toEqual([]);
      expect(lines(immutable, widget({ color: 'blue' }), widget({ color: 'red' }))).toEqual(['spec.color: Invalid value: "string": color is immutable']);
    });

    it('skips it too when the old object had no value there, unless optionalOldSelf', () => {
      expect(lines(immutable, widget({ color: 'blue' }), widget({}))).toEqual([]);
      const optional = schemaWith({ type: 'object', properties: { color: { type: 'string', 'x-kubernetes-validations': [{ rule: 'oldSelf == null', optionalOldSelf: true, message: 'set once' }] } } });
      expect(lines(optional, widget({ color: 'blue' }))).toEqual([]);
      expect(lines(optional, widget({ color: 'blue' }), widget({ color: 'blue' }))).toEqual(['spec.color: Invalid value: "string": set once']);
    });
  });

  it('lets an update keep a value that breaks a rule if it does not change it (ratcheting)', () => {
    const old = widget({ minReplicas: 5, maxReplicas: 3, items: [] });
    expect(lines(replicas, widget({ minReplicas: 5, maxReplicas: 3, items: [] }), old)).toEqual([]);
    expect(lines(replicas, widget({ minReplicas: 6, maxReplicas: 3, items: [] }), old)).toHaveLength(1);
  });

  it('sees apiVersion, kind and only the name of the metadata at the root', () => {
    const schema = customResourceSchema({ type: 'object', 'x-kubernetes-validations': [{ rule: "self.metadata.name == 'w' && !has(self.metadata.labels) && self.kind == 'Widget'" }] });
    expect(lines(schema, widget({}))).toEqual([]);
    expect(lines(schema, { ...widget({}), kind: 'Other' })).toEqual([
      "<nil>: Invalid value: \"object\": failed rule: self.metadata.name == 'w' && !has(self.metadata.labels) && self.kind == 'Widget'",
    ]);
  });

  it('refuses a rule whose cost is over the limit instead of running it, and stops at the request budget', () => {
    const nested = schemaWith({ type: 'array', items: { type: 'integer' }, 'x-kubernetes-validations': [{ rule: 'self.all(x, self.all(y, self.all(z, x + y + z >= 0)))' }] });
    const big = Array.from({ length: 200 }, (_, i) => i);
    expect(lines(nested, widget(big))).toEqual(['spec: Invalid value: "array": call cost exceeds limit for rule: self.all(x, self.all(y, self.all(z, x + y + z >= 0)))']);
    const each = schemaWith({ type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != ''" }] } });
    const out = validateRules(each, widget(Array.from({ length: 50 }, () => 'a')), undefined, 40);
    expect(out.map((c) => c.message)).toEqual(['Invalid value: "string": validation failed due to running out of cost budget, no further validation rules will be run']);
  });

  it('fails every object on a rule that does not compile (one kept from before rules were checked)', () => {
    const schema = schemaWith({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a >' }] });
    expect(lines(schema, widget({}))).toEqual(['spec: Invalid value: "object": rule compile error: compilation failed: ERROR: <input>:1:8: found > but expecting end of input']);
  });

  it('refuses at create a rule that cannot be a bool and a messageExpression that cannot be a string', () => {
    const errors = (rule: object) => compileSchemaRules(schemaWith({ type: 'object', 'x-kubernetes-validations': [rule] })).errors.map((e) => `${e.property}: ${e.detail}`);
    expect(errors({ rule: 'size(self)' })).toEqual(['rule: cel expression must evaluate to a bool']);
    expect(errors({ rule: 'self.a', messageExpression: 'self.size() > 1' })).toEqual(['messageExpression: messageExpression must evaluate to a string']);
    expect(errors({ rule: 'self.a', messageExpression: '"a is " + string(self.a)' })).toEqual([]);
  });

  it('costs nothing for a schema without rules', () => {
    expect(validateRules(schemaWith({ type: 'object' }), widget({ a: 1 }), undefined, 0)).toEqual([]);
  });
});

describe("a declared property's name as a rule reads it", () => {
  it('escapes reserved words and the characters CEL identifiers cannot hold, as kube-apiserver does', () => {
    expect(['namespace', 'if', 'a.b', 'x-y', 'k8s.io/name', 'a__b', 'plain_name', 'name'].map(escapedProperty)).toEqual([
      '__namespace__', '__if__', 'a__dot__b', 'x__dash__y', 'k8s__dot__io__slash__name', 'a__underscores__b', 'plain_name', 'name',
    ]);
  });

  it('lets a rule read a property named namespace as __namespace__, and keys of a map by index unescaped', () => {
    const schema = {
      type: 'object',
      properties: {
        ref: { type: 'object', properties: { namespace: { type: 'string' } }, 'x-kubernetes-validations': [{ rule: "self.__namespace__ == 'ns'", message: 'wrong namespace' }] },
        labels: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-validations': [{ rule: "self['app.kubernetes.io/name'] == 'x'", message: 'wrong label' }] },
      },
    };
    expect(validateRules(schema, { ref: { namespace: 'ns' }, labels: { 'app.kubernetes.io/name': 'x' } }, undefined)).toEqual([]);
    expect(validateRules(schema, { ref: { namespace: 'other' }, labels: { 'app.kubernetes.io/name': 'y' } }, undefined).map((c) => c.field)).toEqual(['ref', 'labels']);
  });
});
