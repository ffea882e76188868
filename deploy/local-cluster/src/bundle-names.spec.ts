import { runInNewContext } from 'node:vm';
import { dropRedundantNames } from './bundle-names';

/** esbuild's helper, as each bundle defines it. */
const HELPER = 'var __defProp = Object.defineProperty; var __name = (target, value) => __defProp(target, "name", { value, configurable: true });\n';

/** The names of the functions a script's last expression gives (an array of functions), run with esbuild's helper. */
const names = (code: string): string[] => (runInNewContext(HELPER + code) as Array<() => void>).map((f) => f.name);

describe('a service bundle without the __name calls the language makes anyway', () => {
  it('blanks the calls where NamedEvaluation gives the same name, keeping every position', () => {
    const code = [
      'function outer() {',
      '  const arrow = /* @__PURE__ */ __name((a) => a + 1, "arrow");',
      '  let fn; fn = /* @__PURE__ */ __name(function() { return 1; }, "fn");',
      '  const same = /* @__PURE__ */ __name(function same() {}, "same");',
      '  const o = { prop: /* @__PURE__ */ __name(() => 2, "prop"), "quoted": /* @__PURE__ */ __name(() => 3, "quoted") };',
      '  const withDefault = /* @__PURE__ */ __name((cb = /* @__PURE__ */ __name(() => 4, "cb")) => cb, "withDefault");',
      '  class C { field = /* @__PURE__ */ __name(() => 5, "field"); }',
      '  function inner() {}',
      '  __name(inner, "inner");',
      '  return [arrow, fn, same, o.prop, o.quoted, withDefault, withDefault(), new C().field, inner];',
      '}',
      '__name(outer, "outer");',
      'outer()',
    ].join('\n');
    const { code: out, dropped, kept } = dropRedundantNames(code);
    expect(out.length).toBe(code.length);
    expect(out.split('\n').map((l) => l.length)).toEqual(code.split('\n').map((l) => l.length));
    expect(out).not.toContain('__name(');
    expect({ dropped, kept }).toEqual({ dropped: 10, kept: 0 });
    expect(names(out)).toEqual(names(code));
    expect(names(out)).toEqual(['arrow', 'fn', 'same', 'prop', 'quoted', 'withDefault', 'cb', 'field', 'inner']);
  });

  it('keeps the calls that give a name the language would not', () => {
    const code = [
      'function outer() {',
      '  const renamed2 = /* @__PURE__ */ __name(() => 1, "renamed");', // a binding esbuild renamed
      '  const o = {}; o.member = /* @__PURE__ */ __name(() => 2, "member");', // a member: no NamedEvaluation
      '  const key = "computed"; const c = { [key]: /* @__PURE__ */ __name(() => 3, "computed") };',
      '  const other = /* @__PURE__ */ __name(function own() {}, "other");', // a function with a name of its own
      '  const list = [/* @__PURE__ */ __name(() => 5, "inList")];',
      '  function declared2() {}',
      '  __name(declared2, "declared");', // a renamed declaration
      '  let Cls = class {}; Cls = class Other {};',
      '  __name(Cls, "Cls");', // not a function declaration
      '  return [renamed2, o.member, c.computed, other, list[0], declared2, Cls];',
      '}',
      'outer()',
    ].join('\n');
    const { code: out, dropped, kept } = dropRedundantNames(code);
    expect(out).toBe(code);
    expect({ dropped, kept }).toEqual({ dropped: 0, kept: 7 });
    expect(names(out)).toEqual(['renamed', 'member', 'computed', 'other', 'inList', 'declared', 'Cls']);
  });

  it('leaves a call whose statement stands in another block than the declaration', () => {
    const code = 'function f() {}\n{ __name(f, "f"); }\n[f]';
    expect(dropRedundantNames(code)).toEqual({ code, dropped: 0, kept: 1 });
  });
});
