import { boundedWarnings, warn } from './decode';

describe('Warning headers, within kube-apiserver\'s limits', () => {
  it('keeps warnings as they are within 4 KiB, cuts each to 256 runes past it, then drops the last that do not fit', () => {
    expect(boundedWarnings(['a', 'b'])).toEqual(['a', 'b']);
    const huge = `class ${'a'.repeat(70_000)} not found`;
    expect(boundedWarnings([huge])).toEqual([huge.slice(0, 256)]);
    const many = Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(300, 'x'));
    const kept = boundedWarnings(many);
    expect(kept).toHaveLength(16);
    expect(kept.every((t) => t.length === 256)).toBe(true);
  });

  it('sets each text once on the response, bounded (a 70 KB header made clients drop the connection)', () => {
    const headers: Record<string, unknown> = {};
    const r = { res: { getHeader: (n: string) => headers[n], setHeader: (n: string, v: unknown) => (headers[n] = v) } } as any;
    warn(r, 'same');
    warn(r, 'same');
    warn(r, 'x'.repeat(70_000));
    expect(headers.Warning).toEqual(['299 - "same"', `299 - "${'x'.repeat(256)}"`]);
  });
});
