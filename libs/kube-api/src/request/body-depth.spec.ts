import { parseBody } from './body';
import { MAX_BODY_DEPTH, nestedDeeperThan, yamlNestedDeeperThan } from './body-depth';

/** `levels` objects one inside the other, as JSON text: `{"a":{"a":…"x"…}}`. */
const objects = (levels: number) => `${'{"a":'.repeat(levels)}"x"${'}'.repeat(levels)}`;
/** `levels` arrays one inside the other. */
const arrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
/** `levels` block mappings, each indented one space more than the last (the innermost holds `b: x`). */
const blocks = (levels: number) => Array.from({ length: levels - 1 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + `\n${' '.repeat(levels - 1)}b: x\n`;
/** `levels` sequences written compactly on one line: `- - - v`. */
const compact = (levels: number) => `${'- '.repeat(levels)}v\n`;
/** `levels` flow mappings each holding the next as a complex key: `{? {? k}}`. */
const keys = (levels: number) => `x: ${'{? '.repeat(levels - 1)}k${'}'.repeat(levels - 1)}\n`;

const refusal = (body: string, contentType: string) => {
  try {
    parseBody(Buffer.from(body), contentType);
  } catch (err) {
    return (err as { status?: { code: number; reason: string; message: string } }).status;
  }
  return undefined;
};

describe('how deep a request body may nest', () => {
  it(`takes ${MAX_BODY_DEPTH} levels of objects or arrays in JSON and refuses one more`, () => {
    expect(nestedDeeperThan(JSON.parse(objects(MAX_BODY_DEPTH)))).toBe(false);
    expect(nestedDeeperThan(JSON.parse(objects(MAX_BODY_DEPTH + 1)))).toBe(true);
    expect(nestedDeeperThan(JSON.parse(arrays(MAX_BODY_DEPTH)))).toBe(false);
    expect(nestedDeeperThan(JSON.parse(arrays(MAX_BODY_DEPTH + 1)))).toBe(true);
    // Wide is not deep: a long list of small objects, and scalars.
    expect(nestedDeeperThan(Array.from({ length: 10_000 }, (_, i) => ({ i, labels: { a: 'b' } })))).toBe(false);
    expect(nestedDeeperThan('x')).toBe(false);
    expect(nestedDeeperThan(null)).toBe(false);
  });

  it('counts YAML collections in every style: flow, block, compact sequences and complex keys', () => {
    for (const [name, make] of [['flow mappings', objects], ['flow sequences', arrays], ['block mappings', blocks], ['compact sequences', compact], ['complex keys', keys]] as const) {
      expect({ name, at: yamlNestedDeeperThan(make(MAX_BODY_DEPTH)) }).toEqual({ name, at: false });
      expect({ name, past: yamlNestedDeeperThan(make(MAX_BODY_DEPTH + 1)) }).toEqual({ name, past: true });
    }
    // Brackets inside strings and block scalars are text, not nesting.
    expect(yamlNestedDeeperThan(`a: "${'['.repeat(1000)}"\nb: |\n  ${'{'.repeat(1000)}\n`)).toBe(false);
  });

  it('answers a body nested past the limit with a 400 naming the limit, whether JSON or YAML, however deep', () => {
    for (const levels of [MAX_BODY_DEPTH + 1, 3_000, 20_000]) {
      const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"x":${objects(levels)}}`;
      for (const contentType of ['application/json', 'application/merge-patch+json', 'application/apply-patch+yaml']) {
        expect({ levels, contentType, status: refusal(body, contentType) }).toMatchObject({
          levels, contentType, status: { code: 400, reason: 'BadRequest', message: `the request body nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep` },
        });
      }
    }
    expect(refusal(`x:\n${compact(20_000)}`, 'application/yaml')).toMatchObject({ code: 400 });
    // Flow-style YAML that is not JSON (single quotes, plain scalars) is measured from its syntax tree.
    expect(refusal(`{'x': ${'{a: '.repeat(3_000)}v${'}'.repeat(3_000)}}`, 'application/apply-patch+yaml')).toMatchObject({ code: 400 });
    expect(parseBody(Buffer.from(`{'x': ${'{a: '.repeat(10)}v${'}'.repeat(10)}}`), 'application/apply-patch+yaml')).toMatchObject({ x: { a: { a: {} } } });
    // An ordinary object still parses.
    expect(parseBody(Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"b"}},"data":{"k":"v"}}'), 'application/json')).toMatchObject({ data: { k: 'v' } });
  });
});
