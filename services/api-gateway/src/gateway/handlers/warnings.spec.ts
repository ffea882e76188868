import { boundedWarnings, refuseNonObjectMetadata, warn } from './decode';

/** A response whose headers are set, and sent with writeHead, as Node.js's are. */
function response() {
  const headers: Record<string, unknown> = {};
  const res: any = { headersSent: false, getHeader: (n: string) => headers[n], setHeader: (n: string, v: unknown) => (headers[n] = v) };
  res.writeHead = function () {
    this.headersSent = true;
    return this;
  };
  return { r: { res } as any, headers };
}

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

  it('writes each text once, bounded, when the response starts (a 70 KB header made clients drop the connection)', () => {
    const { r, headers } = response();
    warn(r, 'same');
    warn(r, 'same');
    warn(r, 'x'.repeat(70_000));
    expect(headers.Warning).toBeUndefined();
    r.res.writeHead(200);
    expect(headers.Warning).toEqual(['299 - "same"', `299 - "${'x'.repeat(256)}"`]);
  });

  it('takes 70,000 warnings in linear time (one per unknown field of a body; set again at each, they held the gateway for half an hour)', () => {
    const { r, headers } = response();
    for (let i = 0; i < 70_000; i++) warn(r, `unknown field "metadata.${i}"`);
    r.res.writeHead(200);
    const sent = headers.Warning as string[];
    expect(sent[0]).toBe('299 - "unknown field \\"metadata.0\\""');
    expect(sent.reduce((n, v) => n + v.length, 0)).toBeLessThan(8 * 1024);
  });
});

describe('an object whose metadata is not an object', () => {
  it('is a 400 as Go\'s decoder answers it (a 70,000-character string was spread into 70,000 unknown fields)', () => {
    for (const [metadata, type] of [['a'.repeat(70_000), 'string'], [1, 'number'], [[], 'array'], [true, 'bool']] as const) {
      expect(() => refuseNonObjectMetadata({ metadata })).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 400, message: `json: cannot unmarshal ${type} into Go struct field .metadata of type v1.ObjectMeta` }) }));
    }
    expect(() => refuseNonObjectMetadata({ metadata: null })).not.toThrow();
    expect(() => refuseNonObjectMetadata({ metadata: { name: 'x' } })).not.toThrow();
  });
});
