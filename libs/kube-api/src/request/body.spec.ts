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

  it('still reads aliases used as YAML means them', () => {
    expect(parseBody(Buffer.from('base: &b {x: 1}\nother: *b\n'), 'application/yaml')).toEqual({ base: { x: 1 }, other: { x: 1 } });
  });
});
