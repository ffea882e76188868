import { runInNewContext } from 'node:vm';
import { asciiBundle } from './ascii-bundle';

/** What a script's last expression gives, run on its own. */
const run = (code: string): unknown => runInNewContext(code);

describe('a service bundle made ASCII', () => {
  it('marks the characters of comments past ASCII one per UTF-16 unit, so positions stay', () => {
    const code = '/** a → b 🙂 */\nconst x = 1; // c — d\nx + 1';
    const ascii = asciiBundle(code);
    expect(ascii).toBe('/** a ? b ?? */\nconst x = 1; // c ? d\nx + 1');
    expect(ascii.length).toBe(code.length);
    expect(run(ascii)).toBe(2);
  });

  it('escapes strings and regular expressions so they mean what they did', () => {
    const code = String.raw`const units = /^(\d+)(ns|us|µs|μs|ms)$/u; const loose = /[→—]/; const odd = /\é/; const s = 'é\\→ 🙂'; const d = "\é";
      [units.exec('5µs')[2], units.exec('5μs')[2], loose.test('—'), odd.test('é'), s, d, /🙂/u.test('🙂'), /^.$/u.test('🙂')]`;
    const ascii = asciiBundle(code);
    expect(/[\u0080-\uffff]/.test(ascii)).toBe(false);
    expect(run(ascii)).toEqual(run(code));
    expect(run(ascii)).toEqual(['µs', 'μs', true, true, 'é\\→ 🙂', 'é', true, true]);
  });

  it('refuses a character it cannot make ASCII without changing what the code reads', () => {
    expect(() => asciiBundle('String.raw`→`')).toThrow(/past ASCII outside a comment, string or regular expression at 11/);
  });
});
