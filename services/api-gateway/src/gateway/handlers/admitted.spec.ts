import { withoutFields } from './admitted';

describe('fields dropped after mutating admission', () => {
  it('removes the fields at the paths the schema names unknown, in objects and list items, and nothing else', () => {
    const obj = { kind: 'Pod', extra: 1, spec: { containers: [{ name: 'a', bogus: true }, { name: 'b' }], nodeName: 'h' } };
    expect(withoutFields(obj, ['.extra', '.spec.containers[0].bogus'])).toEqual({ kind: 'Pod', spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'h' } });
    expect(obj.extra).toBe(1);
    expect(withoutFields(obj, ['.spec.missing.deeper'])).toEqual(obj);
  });
});
