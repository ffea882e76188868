import { configMapResource, namespaceResource } from '@openpacific/contracts';
import { KubeApiError } from '@openpacific/kube-api';
import { finalizerWarnings, lacksNamespaceNameLabel, labelNamespaceName, validateFinalizers, validateNoNewFinalizers, validateObjectMetaUpdate, validateOwnerReferences } from './object-meta.validation';
import { prepareForCreate, prepareForUpdate } from './object-rules';

const ref = (over: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u1', ...over });
const messages = (causes: { field?: string; message?: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);

/** What a prepare step throws, as kube-apiserver's Status. */
function refusal(fn: () => unknown): { code: number; message: string; causes: unknown[] } {
  try {
    fn();
  } catch (err) {
    const status = (err as KubeApiError).status;
    return { code: status.code, message: status.message, causes: status.details?.causes ?? [] };
  }
  throw new Error('not refused');
}

describe('owner references, as apimachinery\'s ValidateOwnerReferences', () => {
  it('takes complete references, and none', () => {
    expect(validateOwnerReferences([ref(), ref({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u2', controller: true })])).toEqual([]);
    expect(validateOwnerReferences(undefined)).toEqual([]);
    expect(validateOwnerReferences([])).toEqual([]);
  });

  it('refuses an empty or missing apiVersion, kind, name or uid, naming the field without an index', () => {
    expect(messages(validateOwnerReferences([ref({ uid: '' })]))).toEqual(['metadata.ownerReferences.uid: Invalid value: "": uid must not be empty']);
    expect(messages(validateOwnerReferences([{}]))).toEqual([
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": name must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
    ]);
    // A group without a version, or an apiVersion that does not parse, has no version either.
    expect(messages(validateOwnerReferences([ref({ apiVersion: 'apps/' }), ref({ apiVersion: 'a/b/c' })]))).toEqual([
      'metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty',
      'metadata.ownerReferences.apiVersion: Invalid value: "a/b/c": version must not be empty',
    ]);
    expect(validateOwnerReferences([ref({ uid: '' })])[0]).toMatchObject({ reason: 'FieldValueInvalid' });
  });

  it('refuses a second controller, printing the references as Go does', () => {
    const refs = [ref({ controller: true }), ref({ name: 'y', uid: 'u2', controller: true, blockOwnerDeletion: true })];
    expect(messages(validateOwnerReferences(refs))).toEqual([
      'metadata.ownerReferences: Invalid value: []v1.OwnerReference{'
        + 'v1.OwnerReference{APIVersion:"v1", Kind:"ConfigMap", Name:"x", UID:"u1", Controller:(*bool)(true), BlockOwnerDeletion:(*bool)(nil)}, '
        + 'v1.OwnerReference{APIVersion:"v1", Kind:"ConfigMap", Name:"y", UID:"u2", Controller:(*bool)(true), BlockOwnerDeletion:(*bool)(true)}}: '
        + 'Only one reference can have Controller set to true. Found "true" in references for ConfigMap/x and ConfigMap/y',
    ]);
    // controller: false is no controller.
    expect(validateOwnerReferences([ref({ controller: true }), ref({ name: 'y', controller: false })])).toEqual([]);
  });

  it('bans a v1 Event as an owner (an events.k8s.io one is fine)', () => {
    expect(messages(validateOwnerReferences([ref({ kind: 'Event', name: 'e' })]))).toEqual([
      'metadata.ownerReferences: Invalid value: v1.OwnerReference{APIVersion:"v1", Kind:"Event", Name:"e", UID:"u1", Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}: /v1, Kind=Event is disallowed from being an owner',
    ]);
    expect(validateOwnerReferences([ref({ apiVersion: 'events.k8s.io/v1', kind: 'Event', name: 'e' })])).toEqual([]);
  });
});

describe('finalizers of an object being deleted, as apimachinery\'s ValidateNoNewFinalizers', () => {
  const deleting = { name: 'x', deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['example.com/x'] };

  it('refuses new finalizers once the object is being deleted, listing them sorted as a Go []string', () => {
    expect(messages(validateNoNewFinalizers(deleting, { finalizers: ['example.com/x', 'example.com/z', 'example.com/y'] }))).toEqual([
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/y", "example.com/z"}',
    ]);
    expect(validateNoNewFinalizers(deleting, { finalizers: ['example.com/y'] })[0]).toMatchObject({ reason: 'FieldValueForbidden' });
  });

  it('lets finalizers go, stay, or be added while the object is not being deleted', () => {
    expect(validateNoNewFinalizers(deleting, { finalizers: [] })).toEqual([]);
    expect(validateNoNewFinalizers(deleting, { finalizers: ['example.com/x'] })).toEqual([]);
    expect(validateNoNewFinalizers({ name: 'x' }, { finalizers: ['example.com/y'] })).toEqual([]);
  });

  it('checks the finalizers before the owner references on an update', () => {
    expect(validateObjectMetaUpdate('', deleting, { finalizers: ['example.com/y'], ownerReferences: [ref({ uid: '' })] }).map((c) => c.field))
      .toEqual(['metadata.finalizers', 'metadata.ownerReferences.uid']);
  });
});

describe('every kind\'s create and update refuse bad metadata with a 422', () => {
  const cm = (meta: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...meta }, data: { a: 'b' } });

  it('on create', () => {
    expect(refusal(() => prepareForCreate(configMapResource, cm({ ownerReferences: [ref({ uid: '' })] }), 'ns'))).toEqual({
      code: 422,
      message: 'ConfigMap "c" is invalid: metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
      causes: [{ field: 'metadata.ownerReferences.uid', reason: 'FieldValueInvalid', message: 'Invalid value: "": uid must not be empty' }],
    });
    expect(prepareForCreate(configMapResource, cm({ ownerReferences: [ref()] }), 'ns').metadata.ownerReferences).toEqual([ref()]);
  });

  it('on update', () => {
    const stored = prepareForCreate(configMapResource, cm({ finalizers: ['example.com/x'] }), 'ns');
    stored.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
    expect(refusal(() => prepareForUpdate(configMapResource, stored, cm({ finalizers: ['example.com/x', 'example.com/y'] }))).message)
      .toBe('ConfigMap "c" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/y"}');
    expect(refusal(() => prepareForUpdate(configMapResource, stored, cm({ finalizers: ['example.com/x'], ownerReferences: [ref({ kind: 'Event' })] }))).code).toBe(422);
    expect(prepareForUpdate(configMapResource, stored, cm({ finalizers: [] })).metadata.finalizers).toEqual([]);
  });
});

describe('the kubernetes.io/metadata.name label of a Namespace', () => {
  const ns = (labels?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', ...(labels ? { labels } : {}) } });

  it('is set on create and on every update, over what the writer sent', () => {
    const created = prepareForCreate(namespaceResource, ns({ 'kubernetes.io/metadata.name': 'other', team: 'a' }), undefined);
    expect(created.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team', team: 'a' });
    expect(prepareForCreate(namespaceResource, ns(), undefined).metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team' });
    expect(prepareForUpdate(namespaceResource, created, ns({ team: 'b' })).metadata.labels).toEqual({ team: 'b', 'kubernetes.io/metadata.name': 'team' });
    expect(prepareForUpdate(namespaceResource, created, ns({ 'kubernetes.io/metadata.name': 'x' })).metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team' });
  });

  it('is not put on other kinds', () => {
    expect(prepareForCreate(configMapResource, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, 'ns').metadata.labels).toBeUndefined();
  });

  it('tells a namespace stored without it (or with another value) from one that has it', () => {
    expect(lacksNamespaceNameLabel(ns())).toBe(true);
    expect(lacksNamespaceNameLabel(ns({ 'kubernetes.io/metadata.name': 'other' }))).toBe(true);
    expect(lacksNamespaceNameLabel(labelNamespaceName(ns()))).toBe(false);
  });
});

describe('finalizer names, as apimachinery\'s ValidateFinalizers and the core group\'s validateKubeFinalizerName', () => {
  it('takes qualified names with a path and the standard ones, for any kind', () => {
    for (const group of ['', 'apps', 'vmoperator.vmware.com', 'example.com']) {
      expect(validateFinalizers(group, { finalizers: ['example.com/hold', 'kubernetes', 'orphan'] })).toEqual([]);
    }
  });

  it('refuses a name that is no qualified name, for any kind, naming metadata.finalizers', () => {
    expect(messages(validateFinalizers('vmoperator.vmware.com', { finalizers: ['a b'] }))).toEqual([
      'metadata.finalizers: Invalid value: "a b": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
    ]);
  });

  it('refuses orphan together with foregroundDeletion', () => {
    expect(messages(validateFinalizers('example.com', { finalizers: ['orphan', 'foregroundDeletion'] }))).toEqual([
      'metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
    ]);
  });

  it('refuses a name without a path for kube-apiserver\'s own kinds, and only warns for custom resources', () => {
    expect(messages(validateFinalizers('', { finalizers: ['example.com/ok', 'held'] }))).toEqual([
      'metadata.finalizers[1]: Invalid value: "held": name is neither a standard finalizer name nor is it fully qualified',
    ]);
    expect(validateFinalizers('cluster.x-k8s.io', { finalizers: ['machine.cluster.x-k8s.io'] })).toEqual([]);
    expect(finalizerWarnings('cluster.x-k8s.io', { finalizers: ['machine.cluster.x-k8s.io', 'example.com/ok'] })).toEqual([
      'metadata.finalizers: "machine.cluster.x-k8s.io": prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers',
    ]);
    // An update warns only of those it adds; kube-apiserver's own kinds never warn (they refuse).
    expect(finalizerWarnings('example.com', { finalizers: ['held', 'new'] }, { finalizers: ['held'] })).toHaveLength(1);
    expect(finalizerWarnings('', { finalizers: ['held'] })).toEqual([]);
  });

  it('refuses a create or an update of a ConfigMap with such a finalizer', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['held'] } };
    expect(refusal(() => prepareForCreate(configMapResource, cm, 'default'))).toMatchObject({ code: 422 });
    const stored = prepareForCreate(configMapResource, { ...cm, metadata: { name: 'c' } }, 'default');
    expect(refusal(() => prepareForUpdate(configMapResource, stored, { ...stored, metadata: { ...stored.metadata, finalizers: ['held'] } }))).toMatchObject({
      code: 422, causes: [{ field: 'metadata.finalizers[0]' }],
    });
  });
});
