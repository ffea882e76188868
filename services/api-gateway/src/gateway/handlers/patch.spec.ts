import { configMapResource, namespaceResource } from '@openpacific/contracts';
import { ServedResource } from '../registry/registry';
import { refuseOtherObject } from './object-rules';
import { refuseUidChange, refuseUidOnCreate } from './patch';
import { statusOf } from './thrown-status.spec-support';

const stored = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'shop', uid: 'uid-1' }, data: { a: '1' } };
/** The stored ConfigMap with its metadata changed as a patch would change it. */
const patched = (meta: Record<string, unknown>) => ({ ...structuredClone(stored), metadata: { ...stored.metadata, ...meta } });

describe('a patched object is the one the request names (patcher.applyPatch, rest.BeforeUpdate)', () => {
  it('refuses a patch that moves the object to another namespace or name with 400, in kube-apiserver\'s words', () => {
    expect(statusOf(() => refuseOtherObject(configMapResource, 'shop', 'cm', patched({ namespace: 'default' })))).toMatchObject({
      code: 400, reason: 'BadRequest', message: 'the namespace of the provided object does not match the namespace sent on the request',
    });
    expect(statusOf(() => refuseOtherObject(configMapResource, 'shop', 'cm', patched({ name: 'other' })))).toMatchObject({
      code: 400, reason: 'BadRequest', message: 'the name of the object (other) does not match the name on the URL (cm)',
    });
    // An emptied name is no match either (a JSON patch that removes it, a merge patch that nulls it).
    expect(statusOf(() => refuseOtherObject(configMapResource, 'shop', 'cm', patched({ name: null }))).message).toBe(
      'the name of the object () does not match the name on the URL (cm)',
    );
  });

  it('sets an emptied namespace to the request\'s, clears a cluster-scoped object\'s, and leaves other metadata to validation', () => {
    const emptied = patched({ namespace: '' });
    refuseOtherObject(configMapResource, 'shop', 'cm', emptied);
    expect(emptied.metadata.namespace).toBe('shop');
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', namespace: 'elsewhere' } };
    refuseOtherObject(namespaceResource, undefined, 'shop', ns);
    expect(ns.metadata).toEqual({ name: 'shop' });
    expect(() => refuseOtherObject(configMapResource, 'shop', 'cm', { metadata: 'x' })).not.toThrow();
    expect(() => refuseOtherObject(configMapResource, 'shop', 'cm', patched({ name: 7 }))).not.toThrow();
  });

  it('refuses a changed uid with 422 naming metadata.uid, and keeps the stored one for an emptied uid', () => {
    expect(statusOf(() => refuseUidChange(configMapResource, stored, patched({ uid: 'uid-2' })))).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 422, reason: 'Invalid',
      message: 'ConfigMap "cm" is invalid: metadata.uid: Invalid value: "uid-2": field is immutable',
      details: { name: 'cm', group: '', kind: 'ConfigMap', causes: [{ field: 'metadata.uid', reason: 'FieldValueInvalid', message: 'Invalid value: "uid-2": field is immutable' }] },
    });
    expect(() => refuseUidChange(configMapResource, stored, patched({ uid: '' }))).not.toThrow();
    expect(() => refuseUidChange(configMapResource, stored, patched({ uid: 'uid-1' }))).not.toThrow();
  });

  it('refuses an apply that would create the object with a uid of its own with 409, as no object has it', () => {
    const served = { def: configMapResource } as ServedResource;
    expect(statusOf(() => refuseUidOnCreate(served, 'cm', { metadata: { name: 'cm', uid: 'uid-9' } }))).toMatchObject({
      code: 409, reason: 'Conflict', message: 'Operation cannot be fulfilled on configmaps "cm": uid mismatch: the provided object specified uid uid-9, and no existing object was found',
    });
    expect(() => refuseUidOnCreate(served, 'cm', { metadata: { name: 'cm', uid: '' } })).not.toThrow();
  });
});
