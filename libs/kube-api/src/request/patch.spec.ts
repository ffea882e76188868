import { applyJsonPatch, applyMergePatch, applyServerSideApply, applyStrategicMergePatch, listShapes, patchContentType } from './patch';
import { KubeApiError } from './status';

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

/** The code and message a strategic merge patch of pod() is refused with. */
function refusal(patch: unknown): { code: number; reason?: string; message?: string } {
  try {
    applyStrategicMergePatch(pod(), patch, keys);
  } catch (err) {
    if (err instanceof KubeApiError) return { code: err.status.code, reason: err.status.reason, message: err.status.message };
    throw err;
  }
  throw new Error('the patch was taken');
}
const bad = (message: string) => ({ code: 400, reason: 'BadRequest', message });

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
    // A value moved into itself: json-patch's words, not a JavaScript TypeError's.
    expect(() => applyJsonPatch(pod(), [{ op: 'move', from: '/spec', path: '/spec/x' }])).toThrow(
      expect.objectContaining({ status: expect.objectContaining({ code: 422, message: expect.stringContaining('move operation does not apply: doc is missing destination path: /spec/x') }) }),
    );
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

  it('refuses an unknown $patch where the object holds the map or list, in strategicpatch\'s words', () => {
    expect(refusal({ $patch: 'x' })).toEqual(bad('unknown patch type: x in map: map[$patch:x]'));
    expect(refusal({ spec: { $patch: 'merge', containers: [] } })).toEqual(bad('unknown patch type: merge in map: map[$patch:merge containers:[]]'));
    // Go prints the directive with %s: a number is no string.
    expect(refusal({ metadata: { $patch: 7, labels: { b: 1.5, c: null } } })).toEqual(bad('unknown patch type: %!s(int64=7) in map: map[$patch:7 labels:map[b:1.5 c:<nil>]]'));
    expect(refusal({ spec: { containers: [{ name: 'a', $patch: 'x' }] } })).toEqual(bad('unknown patch type: x in map: map[$patch:x name:a]'));
    expect(refusal({ spec: { containers: [{ name: 'a', $patch: 'merge' }] } })).toEqual(bad('merging lists cannot yet be specified in the patch'));
    // A map the object does not hold is taken as sent, directives and all (kube-apiserver reads none of them there).
    expect(applyStrategicMergePatch(pod(), { status: { $patch: 'x', phase: 'Running' } }, keys).status).toEqual({ phase: 'Running' });
  });

  it('refuses an item of a keyed list without its merge key, or of another type, in strategicpatch\'s words', () => {
    expect(refusal({ spec: { containers: [{ image: 'busybox:2', resources: { limits: { cpu: 0.5, memory: 1e21 } } }] } })).toEqual(
      bad('map: map[image:busybox:2 resources:map[limits:map[cpu:0.5 memory:1e+21]]] does not contain declared merge key: name'),
    );
    expect(refusal({ spec: { containers: [{ name: 'a', env: [{ value: '2' }] }] } })).toEqual(bad('map: map[value:2] does not contain declared merge key: name'));
    expect(refusal({ spec: { containers: [{ image: 'x', $patch: 'delete' }] } })).toEqual(bad('map: map[$patch:delete image:x] does not contain declared merge key: name'));
    expect(refusal({ spec: { containers: [{ image: 'x' }, { $patch: 'replace' }] } })).toEqual(bad('map: map[image:x] does not contain declared merge key: name'));
    expect(refusal({ spec: { containers: ['a'] } })).toEqual(
      bad('list element types are not identical: [[map[env:[map[name:X value:1]] image:busybox:1 name:a] map[image:busybox:1 name:b]] [a]]'),
    );
    expect(refusal({ spec: { containers: [['a']] } }).code).toBe(400);
    expect(() => applyStrategicMergePatch({ spec: { containers: [] } }, { spec: { containers: [['a']] } }, keys)).toThrow(
      expect.objectContaining({ status: expect.objectContaining({ code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request: lists of lists are not supported' }) }),
    );
    // A list the object does not hold is taken as sent.
    expect(applyStrategicMergePatch({ spec: {} }, { spec: { containers: [{ image: 'x' }] } }, keys).spec.containers).toEqual([{ image: 'x' }]);
  });

  it('refuses a $retainKeys that is no list or leaves out a field the patch sets', () => {
    expect(refusal({ spec: { $retainKeys: 'containers' } })).toEqual(bad('invalid patch format of retainKeys'));
    expect(refusal({ spec: { $retainKeys: ['containers'], hostname: 'h' } })).toEqual(bad('invalid patch format of retainKeys'));
    // A field set to null, and the other directives, need not be listed.
    const kept = applyStrategicMergePatch(pod(), { spec: { $retainKeys: ['containers'], hostname: null, '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } }, keys);
    expect(kept.spec.containers.map((c: { name: string }) => c.name)).toEqual(['b', 'a']);
  });

  it('refuses a $setElementOrder that is no list, under a malformed key, or out of step with the patch', () => {
    expect(refusal({ spec: { '$setElementOrder/containers': 'a' } })).toEqual(bad('expected a []interface {}, but received a string'));
    expect(refusal({ spec: { '$setElementOrder/containers': null } })).toEqual(bad('expected a []interface {}, but received a %!s(<nil>)'));
    expect(refusal({ spec: { $setElementOrder: [] } })).toEqual(bad('invalid patch format of setElementOrder list'));
    expect(refusal({ spec: { '$setElementOrder/containers': [{ image: 'x' }] } })).toEqual(bad('map: map[image:x] does not contain declared merge key: name'));
    expect(refusal({ spec: { '$setElementOrder/containers': ['a'] } })).toEqual(bad('expected a map[string]interface {}, but received a string'));
    expect(refusal({ spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b', image: 'i' }] } })).toEqual(
      bad('The order in patch list:\n[map[image:i name:b]]\n doesn\'t match $setElementOrder list:\n[map[name:a]]\n'),
    );
    expect(refusal({ metadata: { '$setElementOrder/finalizers': ['x'], finalizers: ['y'] } }).message).toBe(
      'The order in patch list:\n[y]\n doesn\'t match $setElementOrder list:\n[x]\n',
    );
  });

  it('takes a $deleteFromPrimitiveList that is null or no list as kube-apiserver does, and refuses a malformed key', () => {
    expect(applyStrategicMergePatch(pod(), { metadata: { '$deleteFromPrimitiveList/finalizers': null } }, keys).metadata.finalizers).toBeUndefined();
    // Not a list: it replaces the list (which validation then refuses, as kube-apiserver's decoding does).
    expect(applyStrategicMergePatch(pod(), { metadata: { '$deleteFromPrimitiveList/finalizers': 'x' } }, keys).metadata.finalizers).toBe('x');
    expect(refusal({ metadata: { $deleteFromPrimitiveList: ['x'] } })).toEqual(bad('invalid patch format of primitive list'));
    expect(refusal({ metadata: { '$deleteFromPrimitiveListfinalizers/x': ['x'] } })).toEqual(bad('invalid patch format of primitive list'));
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
