import * as cel from '@bufbuild/cel';
import { staticTypeOf } from './cel-types';

const typeOf = (text: string, typed: string[] = ['request']) => staticTypeOf(cel.parse(text).expr, new Set(typed));

describe('the static type of a CEL expression (what a place may refuse at create)', () => {
  it('knows literals, operators and the standard functions\' results', () => {
    expect(['true', '1', '1u', '1.5', '"a"', 'b"a"', 'null', '[1]', '{"a": 1}'].map((t) => typeOf(t))).toEqual(['bool', 'int', 'uint', 'double', 'string', 'bytes', 'null_type', 'list', 'map']);
    expect(['a == 1', 'a && b', '!a', 'x in y', 'has(a.b)', '"a".matches("b")', 'a.startsWith("b")'].map((t) => typeOf(t))).toEqual(Array(7).fill('bool'));
    expect(['size(a)', 'a.size()', 'string(a)', 'a.lowerAscii()', 'int(a) + 1', '"a" + "b"', '-1', 'a ? 1 : 2', 'strings.quote(a)'].map((t) => typeOf(t))).toEqual(['int', 'int', 'string', 'string', 'int', 'string', 'int', 'int', 'string']);
  });

  it('knows what the macros give back', () => {
    expect(['a.all(x, x > 1)', 'a.exists(x, x)', 'a.exists_one(x, x)', 'a.map(x, x)', 'a.filter(x, x)'].map((t) => typeOf(t))).toEqual(['bool', 'bool', 'bool', 'list', 'list']);
  });

  it('knows the admission request\'s typed fields, unless request is rebound or not the admission variable', () => {
    expect(typeOf('request.userInfo.username')).toBe('string');
    expect(typeOf('request.dryRun')).toBe('bool');
    expect(typeOf('request.userInfo.groups')).toBe('list');
    expect(typeOf('request')).toBe('message');
    expect(typeOf('request.options')).toBeUndefined();
    expect(typeOf('request.userInfo.username', [])).toBeUndefined();
    expect(typeOf('[1].map(request, request)')).toBe('list');
    expect(typeOf('[1].exists(request, request.name)')).toBe('bool');
  });

  it('leaves what depends on the variables unknown, so it is never refused', () => {
    expect(['object', 'object.spec.x', 'object.spec.x + 1', 'a ? 1 : "b"', 'dyn(1)', 'quantity("1").add(1)', 'a.indexOf', 'x - y', 'timestamp(a) - duration(b)'].map((t) => typeOf(t))).toEqual(Array(9).fill(undefined));
  });
});
