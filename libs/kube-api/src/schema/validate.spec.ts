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

describe('validateAgainstSchema and null', () => {
  const pod = resourceDefinitions.find((d) => d.kind === 'Pod' && d.group === '')!;

  it('reads a null field of a built-in kind as the field left out, as kube-apiserver decodes it', () => {
    const obj = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', labels: null, annotations: null },
      spec: { nodeSelector: null, tolerations: null, containers: [{ name: 'c', image: 'busybox', resources: null, env: null, command: null }] },
    };
    const r = validateAgainstSchema(pod, 'v1', obj, 'Strict');
    expect(r.causes).toEqual([]);
    expect(r.pruned).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  });

  it('still refuses a null item of a list and a null map value; a required field left null is left out (the kind\'s rules require it)', () => {
    const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', labels: { a: null } }, spec: { containers: [{ name: 'c', image: null }, null] } };
    const r = validateAgainstSchema(pod, 'v1', obj, 'Strict');
    expect(r.causes.map((c) => c.field).sort()).toEqual(['metadata.labels.a', 'spec.containers[1]']);
    expect(r.pruned.spec.containers[0]).toEqual({ name: 'c' });
  });

  it('prunes a custom resource\'s nulls but where the schema says nullable', () => {
    const schema = {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' },
        spec: { type: 'object', properties: { size: { type: 'integer' }, note: { type: 'string', nullable: true }, mode: { type: 'string', default: 'auto' } } },
      },
    };
    const def = { ...pod, kind: 'Widget', group: 'example.com', structural: true, versions: [{ ...pod.versions[0], name: 'v1', schema }] } as typeof pod;
    const r = validateAgainstSchema(def, 'v1', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: null, note: null, mode: null } }, 'Strict');
    expect(r.causes).toEqual([]);
    // A pruned null is defaulted as an absent field would be.
    expect(r.pruned.spec).toEqual({ note: null, mode: 'auto' });
  });
});

describe('validateAgainstSchema and maps', () => {
  const configMap = resourceDefinitions.find((d) => d.group === '' && d.kind === 'ConfigMap')!;
  const pod = resourceDefinitions.find((d) => d.group === '' && d.kind === 'Pod')!;

  it('keeps a map of plain values as it is, not copied key by key', () => {
    const data = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 'v']));
    const r = validateAgainstSchema(configMap, 'v1', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: 'b' } }, data }, 'Strict');
    expect(r.causes).toEqual([]);
    expect(r.pruned.data).toBe(data);
  });

  it('still finds unknown fields below a map of objects', () => {
    const r = validateAgainstSchema(pod, 'v1', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '1' } }, bogus: 1 }], nodeSelector: { zone: 'a' } },
    }, 'Warn');
    expect(r.unknownFields).toEqual(['.spec.containers[0].bogus']);
    expect(r.pruned.spec.containers[0]).not.toHaveProperty('bogus');
  });
});
