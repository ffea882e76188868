import { fieldPaths, fromFieldsV1, ManagedFieldsEntry, printPath, toFieldsV1, updateOwnership } from './managed-fields';
import { applyServerSideApply, listShapes } from './patch';
import { KubeApiError } from './status';

const shapes = listShapes({ 'spec.containers': 'name', 'spec.containers[].env': 'name' });
const base = { apiVersion: 'v1', scope: 'spec' as const, shapes };
const apply = (live: unknown, cfg: unknown, manager: string, opts: { force?: boolean; now?: string } = {}) =>
  applyServerSideApply(live, cfg, { ...base, manager, force: opts.force ?? false, now: opts.now ?? '2026-12-03T08:00:00Z' });
const pod = (labels: Record<string, string>, containers: Array<Record<string, unknown>> = [{ name: 'app', image: 'busybox:1' }]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', labels },
  spec: { containers },
});
const entry = (obj: any, manager: string): ManagedFieldsEntry | undefined => obj.metadata.managedFields?.find((e: ManagedFieldsEntry) => e.manager === manager);
const owned = (obj: any, manager: string) => [...fromFieldsV1(entry(obj, manager)?.fieldsV1)].map(printPath).sort();
/** A live object as an ordinary write by `manager` left it, owning what it set there. */
const updatedBy = (live: any, next: any, manager: string, now = '2026-12-03T07:00:00Z') => ({
  ...next,
  metadata: { ...next.metadata, managedFields: updateOwnership(live, next, { ...base, manager, now }) },
});
const conflictOf = (fn: () => unknown): KubeApiError => {
  try {
    fn();
  } catch (err) {
    return err as KubeApiError;
  }
  throw new Error('expected a conflict');
};

describe('field ownership (managedFields)', () => {
  it('gives the applier exactly the fields it applied, never the names and server fields', () => {
    const out = apply({}, pod({ a: '1' }), 'kubectl');
    expect(out.metadata.managedFields).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'v1',
        time: '2026-12-03T08:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:a': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    ]);
    expect(owned(out, 'kubectl')).toEqual(['.metadata.labels.a', '.spec.containers[name="app"]', '.spec.containers[name="app"].image', '.spec.containers[name="app"].name']);
  });

  it('leaves out an entry whose fields cannot be decoded, as kube-apiserver drops them (every later apply of its manager was a 500)', () => {
    for (const bad of [{ 'f:data': { 'f:a': {}, zz: {} } }, { 'f:data': { 'k:{': {} } }, { 'f:spec': { 'v:{bad': {} } }]) {
      const live = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', managedFields: [{ manager: 'm', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: bad }] }, data: { a: '1', b: '2' } };
      const out = apply(live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { b: '3' } }, 'm');
      expect(out.data).toEqual({ a: '1', b: '3' });
      expect(owned(out, 'm')).toEqual(['.data.b']);
    }
  });

  it('removes what the same manager no longer applies, and the map that leaves empty', () => {
    const first = apply({}, pod({ kept: '1', dropped: '1' }), 'kubectl');
    const second = apply(first, pod({ kept: '1' }), 'kubectl');
    expect(second.metadata.labels).toEqual({ kept: '1' });
    expect(owned(second, 'kubectl')).toContain('.metadata.labels.kept');
    expect(owned(second, 'kubectl')).not.toContain('.metadata.labels.dropped');
    const none = apply(second, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'busybox:1' }] } }, 'kubectl');
    expect(none.metadata.labels).toBeUndefined();
  });

  it('keeps a field another manager owns too when the applier lets go of it', () => {
    const first = apply({}, pod({ shared: '1' }), 'kubectl');
    const both = apply(first, pod({ shared: '1' }), 'ci');
    expect(owned(both, 'ci')).toContain('.metadata.labels.shared');
    const after = apply(both, pod({}), 'kubectl');
    expect(after.metadata.labels).toEqual({ shared: '1' });
  });

  it('refuses to change a field another manager set, naming the manager and the field, and changes nothing', () => {
    const applied = apply({}, pod({ a: '1' }), 'kubectl');
    const labelled = updatedBy(applied, { ...applied, metadata: { ...applied.metadata, labels: { a: '9' } } }, 'kubectl-label');
    expect(owned(labelled, 'kubectl-label')).toEqual(['.metadata.labels.a']);
    expect(owned(labelled, 'kubectl')).not.toContain('.metadata.labels.a');
    const before = structuredClone(labelled);
    const err = conflictOf(() => apply(labelled, pod({ a: '2' }), 'kubectl'));
    expect(err.status).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-label" using v1 at 2026-12-03T07:00:00Z: .metadata.labels.a',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-label" using v1 at 2026-12-03T07:00:00Z', field: '.metadata.labels.a' }] },
    });
    expect(labelled).toEqual(before);
    // Applying the value it already has is no conflict: both own it.
    const same = apply(labelled, pod({ a: '9' }), 'kubectl');
    expect(owned(same, 'kubectl')).toContain('.metadata.labels.a');
    expect(owned(same, 'kubectl-label')).toEqual(['.metadata.labels.a']);
  });

  it('lists every conflict by manager, and takes the fields over when forced', () => {
    const mine = apply({}, pod({ a: '1', b: '1' }), 'one');
    const err = conflictOf(() => apply(mine, pod({ a: '2', b: '2' }), 'two'));
    expect(err.status.message).toBe('Apply failed with 2 conflicts: conflicts with "one":\n- .metadata.labels.a\n- .metadata.labels.b');
    expect(err.status.details?.causes).toHaveLength(2);
    const forced = apply(mine, pod({ a: '2', b: '2' }), 'two', { force: true });
    expect(forced.metadata.labels).toEqual({ a: '2', b: '2' });
    expect(owned(forced, 'one')).not.toContain('.metadata.labels.a');
    expect(owned(forced, 'two')).toContain('.metadata.labels.a');
  });

  it('merges keyed lists item by item and removes an item only its applier held', () => {
    const two = apply({}, pod({}, [{ name: 'app', image: 'a:1' }, { name: 'side', image: 's:1' }]), 'kubectl');
    const one = apply(two, pod({}, [{ name: 'app', image: 'a:1' }]), 'kubectl');
    expect(one.spec.containers).toEqual([{ name: 'app', image: 'a:1' }]);
    // Another manager set the side container's image: the item stays when the applier lets it go.
    const other = updatedBy(two, { ...two, spec: { containers: [{ name: 'app', image: 'a:1' }, { name: 'side', image: 's:2' }] } }, 'kubectl-edit');
    const kept = apply(other, pod({}, [{ name: 'app', image: 'a:1' }]), 'kubectl');
    expect(kept.spec.containers.map((c: any) => c.name)).toEqual(['app', 'side']);
  });

  it('treats finalizers as a set: values of other managers stay, its own dropped ones go', () => {
    const cfg = (finalizers: string[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers } });
    const first = apply({}, cfg(['x/a', 'x/b']), 'kubectl');
    const withOther = apply(first, cfg(['y/c']), 'ctrl');
    expect(withOther.metadata.finalizers).toEqual(['x/a', 'x/b', 'y/c']);
    const dropped = apply(withOther, cfg(['x/a']), 'kubectl');
    expect(dropped.metadata.finalizers).toEqual(['x/a', 'y/c']);
    expect(owned(dropped, 'ctrl')).toEqual(['.metadata.finalizers[="y/c"]']);
  });

  it('keeps the entry and its time when an apply changes nothing', () => {
    const first = apply({}, pod({ a: '1' }), 'kubectl', { now: '2026-12-03T06:00:00Z' });
    const again = apply(first, pod({ a: '1' }), 'kubectl', { now: '2026-12-03T09:00:00Z' });
    expect(again).toEqual(first);
  });

  it('refuses a configuration that carries managedFields', () => {
    const err = conflictOf(() => apply({}, { ...pod({}), metadata: { name: 'p', managedFields: [] } }, 'kubectl'));
    expect(err.status).toMatchObject({ code: 400, message: 'metadata.managedFields must be nil' });
  });

  it('leaves an object that no one applied without managed fields on an ordinary write', () => {
    expect(updateOwnership(pod({ a: '1' }), pod({ a: '2' }), { ...base, manager: 'kubectl-edit', now: 't' })).toBeUndefined();
  });

  it('takes a removed field from every manager and keeps the entries as they are for a write that changes nothing', () => {
    const applied = apply({}, pod({ a: '1', b: '1' }), 'kubectl');
    const removed = updatedBy(applied, { ...applied, metadata: { ...applied.metadata, labels: { b: '1' } } }, 'kubectl-edit');
    expect(owned(removed, 'kubectl')).not.toContain('.metadata.labels.a');
    expect(entry(removed, 'kubectl-edit')).toBeUndefined();
    expect(updateOwnership(removed, removed, { ...base, manager: 'kubectl-edit', now: 't' })).toBe(removed.metadata.managedFields);
  });

  it('owns status only through the status subresource', () => {
    const obj = { ...pod({ a: '1' }), status: { phase: 'Running' } };
    expect([...fieldPaths(obj, shapes, 'spec')].map(printPath)).not.toContain('.status.phase');
    expect([...fieldPaths(obj, shapes, 'status')].map(printPath)).toEqual(['.status.phase']);
  });

  it('writes and reads FieldsV1 trees', () => {
    const paths = fieldPaths(pod({ a: '1' }, [{ name: 'app', image: 'i', env: [{ name: 'X', value: '1' }] }]), shapes, 'object');
    expect(fromFieldsV1(toFieldsV1(paths))).toEqual(paths);
    expect([...paths].map(printPath)).toContain('.spec.containers[name="app"].env[name="X"].value');
  });
});
