import { parseBody } from './body';

describe('parseBody', () => {
  it('answers a YAML alias bomb with 400, not 500: the client\'s error, stopped before it expands', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    let thrown: any;
    try {
      parseBody(Buffer.from(levels.join('\n')), 'application/yaml');
    } catch (err) {
      thrown = err;
    }
    expect(thrown?.status).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(thrown.status.message).toMatch(/^the request body is not valid YAML: .*alias/i);
  });

  it('answers an anchor whose value holds its own alias with 400 (every later step recursed over it: a 500)', () => {
    for (const text of ['apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: &d\n  a: *d\n', 'metadata: &m {name: x, labels: *m}\n']) {
      expect(() => parseBody(Buffer.from(text), 'application/apply-patch+yaml')).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 400, message: expect.stringContaining('contains an alias of itself') }) }));
    }
  });

  it('refuses a repeated key with 400 naming its place, and reads 20,000 keys in one pass (the library\'s own check compared each with all)', () => {
    expect(() => parseBody(Buffer.from('a: 1\nb: 2\na: 3\n'), 'application/yaml')).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 400, message: 'the request body is not valid YAML at line 3, column 1: Map keys must be unique' }) }));
    const keys = Array.from({ length: 20_000 }, (_, i) => `  k${i}: v`).join('\n');
    expect(Object.keys((parseBody(Buffer.from(`data:\n${keys}\n`), 'application/yaml') as any).data)).toHaveLength(20_000);
  });

  it('still reads aliases used as YAML means them', () => {
    expect(parseBody(Buffer.from('base: &b {x: 1}\nother: *b\n'), 'application/yaml')).toEqual({ base: { x: 1 }, other: { x: 1 } });
  });
});
