import { resourceDefinitions } from '@openpacific/contracts';
import { precompileSchemas, validateAgainstSchema } from './validate';

describe('precompileSchemas', () => {
  const served = resourceDefinitions.flatMap((d) => d.versions.filter((v) => v.served));

  it('stops when told to, and compiles every served version once', async () => {
    let turns = 0;
    expect(await precompileSchemas(resourceDefinitions, () => ++turns > 3)).toBe(3);
    // The rest, and nothing twice (a schema shared by two versions is compiled once).
    const rest = await precompileSchemas(resourceDefinitions);
    expect(rest + 3).toBe(new Set(served.map((v) => v.schema)).size);
    expect(await precompileSchemas(resourceDefinitions)).toBe(0);
  });

  it('leaves validation as it was', () => {
    const ns = resourceDefinitions.find((d) => d.kind === 'Namespace' && d.group === '')!;
    const r = validateAgainstSchema(ns, 'v1', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' }, spec: { finalizers: 'x' } }, 'Strict');
    expect(r.causes.map((c) => c.field)).toEqual(['spec.finalizers']);
  });
});
