import { applyJsonPatch, applyMergePatch, applyServerSideApply, applyStrategicMergePatch, listShapes, patchContentType } from './patch';

const pod = () => ({
  metadata: { name: 'p', labels: { a: '1' }, finalizers: ['x'] },
  spec: {
    containers: [
      { name: 'a', image: 'busybox:1', env: [{ name: 'X', value: '1' }] },
      { name: 'b', image: 'busybox:1' },
    ],
  },
});
const keys = { 'spec.containers': 'name', 'spec.containers[].env': 'name' };

describe('patches', () => {
  it('merge patch (RFC 7386) merges maps, replaces lists and removes nulls without touching its input', () => {
    const target = pod();
    const out = applyMergePatch(target, { metadata: { labels: { a: null, b: '2' } }, spec: { containers: [{ name: 'z' }] } });
    expect(out.metadata.labels).toEqual({ b: '2' });
    expect(out.spec.containers).toEqual([{ name: 'z' }]);
    expect(target).toEqual(pod());
  });

  it('JSON patch (RFC 6902) applies operations and answers a failed test with 422', () => {
    expect(applyJsonPatch(pod(), [{ op: 'replace', path: '/spec/containers/0/image', value: 'busybox:2' }]).spec.containers[0].image).toBe('busybox:2');
    expect(() => applyJsonPatch(pod(), [{ op: 'test', path: '/metadata/name', value: 'other' }])).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 422 }) }));
    // kube-apiserver's limits: 10,000 operations (413), and 3 MiB added by copies in all (422), which twenty copies of
    // an object into itself passed (it doubled each time, and the gateway was held).
    expect(() => applyJsonPatch(pod(), Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/kind', value: 'Pod' })))).toThrow(
      expect.objectContaining({ status: expect.objectContaining({ code: 413, message: 'The allowed maximum operations in a JSON patch is 10000, got 10001' }) }),
    );
    const doubling = [{ op: 'add', path: '/metadata/annotations', value: {} }, ...Array.from({ length: 40 }, (_, i) => ({ op: 'copy', from: '/metadata', path: `/metadata/annotations/a${i}` }))];
    expect(() => applyJsonPatch(pod(), doubling)).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 422, message: expect.stringContaining('the accumulated size increase of copy is') }) }));
    expect(() => applyJsonPatch(pod(), [{ op: 'add', path: '/__proto__/polluted', value: 1 }])).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 422 }) }));
    expect(() => applyJsonPatch(pod(), { op: 'add' })).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 400 }) }));
  });

  it('strategic merge patch merges lists by their key with the directives kubectl sends', () => {
    const out = applyStrategicMergePatch(pod(), {
      spec: {
        '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
        containers: [{ name: 'a', image: 'busybox:2', env: [{ name: 'Y', value: '2' }] }, { name: 'b', $patch: 'delete' }],
      },
    }, keys);
    expect(out.spec.containers).toEqual([{ name: 'a', image: 'busybox:2', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }]);
    const replaced = applyStrategicMergePatch(pod(), { spec: { containers: [{ name: 'c', image: 'i' }, { $patch: 'replace' }] } }, keys);
    expect(replaced.spec.containers).toEqual([{ name: 'c', image: 'i' }]);
    const finalizers = applyStrategicMergePatch(pod(), { metadata: { finalizers: ['y'], '$deleteFromPrimitiveList/finalizers': ['x'] } }, keys);
    expect(finalizers.metadata.finalizers).toEqual(['y']);
    const retained = applyStrategicMergePatch({ spec: { a: 1, b: 2 } }, { spec: { $retainKeys: ['a'], a: 3 } }, {});
    expect(retained.spec).toEqual({ a: 3 });
  });

  it('server-side apply merges the applied configuration into the live object', () => {
    const out = applyServerSideApply(pod(), { metadata: { labels: { b: '2' } }, spec: { containers: [{ name: 'b', image: 'busybox:3' }] } }, { force: false, manager: 'kubectl', apiVersion: 'v1', scope: 'spec', shapes: listShapes(keys), now: '2026-12-03T08:00:00Z' });
    expect(out.metadata.labels).toEqual({ a: '1', b: '2' });
    expect(out.spec.containers.map((c: any) => `${c.name}:${c.image}`)).toEqual(['a:busybox:1', 'b:busybox:3']);
  });

  it('recognises the four patch content types', () => {
    expect(['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml; charset=utf-8', 'text/plain'].map(patchContentType))
      .toEqual(['merge', 'json', 'strategic', 'apply', undefined]);
  });
});
