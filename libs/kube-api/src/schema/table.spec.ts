import { customResourceDefinitionResource, eventResource, namespaceResource, podResource } from '@openpacific/contracts';
import { humanDuration, toTable, wantsTable } from './table';
import { validateAgainstSchema } from './validate';
import { evalJsonPath } from './jsonpath';

describe('ages as kubectl prints them', () => {
  it.each([
    [0, '0s'], [59_000, '59s'], [119_000, '119s'], [120_000, '2m'], [150_000, '2m30s'], [599_000, '9m59s'], [600_000, '10m'],
    [179 * 60_000, '179m'], [200 * 60_000, '3h20m'], [8 * 3600_000, '8h'], [47 * 3600_000, '47h'], [48 * 3600_000, '2d'],
    [53 * 3600_000, '2d5h'], [8 * 86400_000, '8d'], [729 * 86400_000, '729d'], [740 * 86400_000, '2y10d'], [9 * 365 * 86400_000, '9y'], [-5000, '<invalid>'], [-1500, '0s'],
  ])('%d ms is %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe('tables', () => {
  const now = new Date('2026-01-01T00:10:00Z');
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', creationTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Active' } };
  it('start with Name, humanize dates and carry PartialObjectMetadata by default', () => {
    const t = toTable(namespaceResource, 'v1', [ns], { includeObject: 'Metadata', now, columnDefinitions: true, listMeta: { resourceVersion: '7' } });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Status', 'Age']);
    expect(t.rows[0].cells).toEqual(['a', 'Active', '10m']);
    expect(t.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: ns.metadata });
    expect(toTable(namespaceResource, 'v1', [ns], { includeObject: 'None', now, columnDefinitions: false, listMeta: {} }).rows[0].object).toBeUndefined();
  });
  it('let a kind place its own Name column (Events show it only in -o wide) and compute cells', () => {
    const t = toTable(eventResource, 'v1', [{ metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'R', type: 'Normal', message: 'm' }], { includeObject: 'None', now, columnDefinitions: true, listMeta: {} });
    expect(t.columnDefinitions[0].name).toBe('Last Seen');
    // Subobject and Source (wide) sit between Object and Message, as in kubectl's Event table.
    expect(t.rows[0].cells.slice(0, 7)).toEqual(['<unknown>', 'Normal', 'R', 'pod/p', '', '', 'm']);
    const p = toTable(podResource, 'v1', [{ metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: 2, state: { running: {} } }] } }], { includeObject: 'None', now, columnDefinitions: true, listMeta: {} });
    expect(p.rows[0].cells.slice(0, 4)).toEqual(['p', '1/1', 'Running', 2]);
  });
  it('show a CustomResourceDefinition as kube-apiserver\'s default table: its name and when it was created, as written', () => {
    const t = toTable(customResourceDefinitionResource, 'v1', [{ metadata: { name: 'widgets.example.com', creationTimestamp: '2026-01-01T00:00:00Z' } }], { includeObject: 'None', now, columnDefinitions: true, listMeta: {} });
    expect(t.columnDefinitions.map((c) => [c.name, c.type])).toEqual([['Name', 'string'], ['Created At', 'date']]);
    expect(t.rows[0].cells).toEqual(['widgets.example.com', '2026-01-01T00:00:00Z']);
  });
  it('are wanted only when the Accept header asks for them', () => {
    expect(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json')).toBe(true);
    expect(wantsTable('application/json')).toBe(false);
  });
});

describe('schema validation', () => {
  it('reports unknown fields apart, prunes them, and words violations as kube-apiserver', () => {
    const r = validateAgainstSchema(namespaceResource, 'v1', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' }, spec: { bogus: 1, finalizers: 'x' }, status: { phase: 'Nope' } }, 'Strict');
    expect(r.unknownFields).toEqual(['.spec.bogus']);
    expect(r.pruned.spec.bogus).toBeUndefined();
    expect(r.causes).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'spec.finalizers', reason: 'FieldValueTypeInvalid' }),
      expect.objectContaining({ field: 'status.phase', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Nope": supported values: "Active", "Terminating"' }),
    ]));
  });
});

describe('JSONPath for printer columns', () => {
  it('follows keys, indexes, wildcards and filters', () => {
    const obj = { status: { conditions: [{ type: 'A', status: 'False' }, { type: 'Ready', status: 'True' }] }, metadata: { labels: { 'a.b/c': 'x' } } };
    expect(evalJsonPath(obj, '.status.conditions[?(@.type=="Ready")].status')).toEqual(['True']);
    expect(evalJsonPath(obj, '.status.conditions[*].type')).toEqual(['A', 'Ready']);
    expect(evalJsonPath(obj, '.status.conditions[0].type')).toEqual(['A']);
    expect(evalJsonPath(obj, ".metadata.labels['a.b/c']")).toEqual(['x']);
  });
});
