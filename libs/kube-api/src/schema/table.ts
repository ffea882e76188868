import type { PrinterColumn, ResourceDefinition } from '@openpacific/contracts';
import { renderColumnValue } from './jsonpath';

/** k8s.io/apimachinery duration.HumanDuration: how kubectl shows ages. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000); // Go's int(d.Seconds()) rounds toward zero
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Does the Accept header ask for a meta.k8s.io Table (as `kubectl get` does)? */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && accept.split(',').some((part) => /;\s*as=Table/.test(part) && /g=meta\.k8s\.io/.test(part));
}

export function includeObjectParam(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

const NAME_COLUMN = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.',
  priority: 0,
};

/** A meta.k8s.io/v1 Table of objects: Name, then the version's printer columns, ages humanized server-side. */
export function toTable(
  def: ResourceDefinition,
  version: string,
  objects: any[],
  opts: { includeObject: IncludeObject; now: Date; columnDefinitions: boolean; listMeta: { resourceVersion?: string; continue?: string } },
) {
  const columns = def.versions.find((v) => v.name === version)?.printerColumns ?? [];
  // Kinds whose table shows the name elsewhere (Event: only in -o wide) declare a Name column of their own.
  const ownName = columns.some((c) => c.name === 'Name');
  const columnDefinitions = [
    ...(ownName ? [] : [NAME_COLUMN]),
    ...columns.map((c) => ({ name: c.name, type: c.type === 'date' ? 'date' : c.type, format: c.format ?? '', description: c.description ?? c.name, priority: c.priority ?? 0 })),
  ];
  const rows = objects.map((obj) => {
    const cells = [...(ownName ? [] : [obj.metadata?.name]), ...columns.map((c) => cell(obj, c, opts.now))];
    const row: { cells: unknown[]; object?: unknown } = { cells };
    if (opts.includeObject === 'Object') row.object = obj;
    else if (opts.includeObject === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: opts.listMeta.resourceVersion ?? '', ...(opts.listMeta.continue ? { continue: opts.listMeta.continue } : {}) },
    ...(opts.columnDefinitions ? { columnDefinitions } : { columnDefinitions: [] }),
    rows,
  };
}

function cell(obj: any, column: PrinterColumn, now: Date): unknown {
  const { type } = column;
  if (column.duration) {
    const ms = column.duration(obj, now);
    return ms === undefined ? (column.absent ?? '') : humanDuration(ms);
  }
  const value = column.value ? column.value(obj) : renderColumnValue(obj, column);
  if (type === 'date' && !column.timestamp) {
    if (typeof value !== 'string') return '<unknown>';
    const t = Date.parse(value);
    return Number.isNaN(t) ? '<unknown>' : humanDuration(now.getTime() - t);
  }
  return value === undefined ? null : value;
}
