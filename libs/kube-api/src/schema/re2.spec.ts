import { customResourceSchema } from '@openpacific/contracts';
import { re2CompileError, re2FindAll, re2Test } from './re2';
import { schemaCompileError, validateAgainstSchema } from './validate';

/** A backtracking engine takes time exponential in the `a`s for this pair; RE2 takes time linear in them. */
const CATASTROPHIC = '^(a+)+$';
const NO_MATCH = `${'a'.repeat(5000)}!`;

describe('patterns read as Go regexp reads them (RE2)', () => {
  it("refuses what Go refuses, in Go's words", () => {
    expect(re2CompileError('(')).toBe('error parsing regexp: missing closing ): `(`');
    expect(re2CompileError('+')).toBe('error parsing regexp: missing argument to repetition operator: `+`');
    expect(re2CompileError('a(?=b)')).toBe('error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
    expect(re2CompileError('(a)\\1')).toBe('error parsing regexp: invalid escape sequence: `\\1`');
    expect(re2CompileError('a{1001}')).toBe('error parsing regexp: invalid repeat count: `{1001}`');
  });

  it('takes what Go takes and JavaScript does not: a leading flag group, POSIX classes, \\z', () => {
    expect(re2CompileError('(?i)abc')).toBeUndefined();
    expect(re2Test('(?i)^abc$', 'ABC')).toBe(true);
    expect(re2Test('^[[:alpha:]]+\\z', 'abc')).toBe(true);
    expect(re2Test('^[[:alpha:]]+\\z', 'ab1')).toBe(false);
  });

  it('matches anywhere in the text unless anchored, as MatchString does', () => {
    expect(re2Test('[0-9]+', 'abc12')).toBe(true);
    expect(re2Test('^[0-9]+$', 'abc12')).toBe(false);
  });

  it('answers a catastrophic pattern at once', () => {
    expect(re2Test(CATASTROPHIC, NO_MATCH)).toBe(false);
    expect(re2FindAll('(a+)+b', `${NO_MATCH}ab`)).toEqual(['ab']);
  });

  it("finds all matches as FindAllString does, passing over an empty match right after a match", () => {
    expect(re2FindAll('a*', 'baaac')).toEqual(['', 'aaa', '']);
    expect(re2FindAll('', 'abc')).toEqual(['', '', '', '']);
    expect(re2FindAll('[0-9]+', 'a1b22c333', 2)).toEqual(['1', '22']);
    expect(re2FindAll('[0-9]+', 'a1b22c333', 0)).toEqual([]);
  });
});

describe("a custom kind's schema pattern", () => {
  const def = (pattern: string): any => ({
    group: 'example.com', kind: 'Widget', plural: 'widgets', namespaced: true, structural: true,
    versions: [{ name: 'v1', served: true, storage: true, schema: customResourceSchema({ type: 'object', properties: { spec: { type: 'object', properties: { name: { type: 'string', pattern } } } } }) }],
  });
  const widget = (name: string) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { name } });

  it('is checked by RE2: a string that would hold a backtracking engine is refused at once', () => {
    const r = validateAgainstSchema(def(CATASTROPHIC), 'v1', widget(NO_MATCH), 'Strict');
    expect(r.causes.map((c) => c.field)).toEqual(['spec.name']);
    expect(validateAgainstSchema(def(CATASTROPHIC), 'v1', widget('aaa'), 'Strict').causes).toEqual([]);
  });

  it("takes RE2's dialect: a flag group works, a lookahead makes the schema unusable", () => {
    expect(validateAgainstSchema(def('(?i)^abc$'), 'v1', widget('ABC'), 'Strict').causes).toEqual([]);
    expect(schemaCompileError(def('a(?=b)').versions[0].schema, { keep: false })).toMatch(/invalid or unsupported Perl syntax/);
  });
});
