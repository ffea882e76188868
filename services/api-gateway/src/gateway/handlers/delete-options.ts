import { badRequest, FieldCause, fieldInvalid, fieldNotSupported, parseBody } from '@openpacific/kube-api';
import { ResourceRequest } from '../core';
import { parseInt64 } from './query-params';
import { dryRunCauses, invalidOptions } from './write-options';

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  /** Deprecated in Kubernetes, still taken: true orphans the dependents, false deletes them in the background. */
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  dryRun?: string[];
  preconditions?: { uid?: string; resourceVersion?: string };
}

const POLICIES: readonly string[] = ['Foreground', 'Background', 'Orphan'];

/**
 * The DeleteOptions of a DELETE (one object or a collection), as kube-apiserver 1.32's handler reads them: from the
 * body when there is one (the query is then not read at all), else from the query through the parameter codec, whose
 * conversion errors are a 400 in Go's words (`strconv.ParseInt: parsing "abc": invalid syntax`). Checked before
 * anything is read or written (ValidateDeleteOptions, validateDeleteOptions below).
 */
export function deleteOptionsOf(r: ResourceRequest): DeleteOptions {
  const body = r.body && r.body.length > 0 ? parseBody(r.body, r.req.headers['content-type'] ?? 'application/json') : undefined;
  const options = body === undefined ? fromQuery(r.query) : decodeDeleteOptions(body);
  validateDeleteOptions(options);
  return options;
}

/** url.Values → DeleteOptions as the generated conversion does it: each field from its first value. */
function fromQuery(q: URLSearchParams): DeleteOptions {
  const options: DeleteOptions = {};
  const grace = q.get('gracePeriodSeconds');
  if (grace !== null) options.gracePeriodSeconds = parseInt64(grace);
  const orphan = q.get('orphanDependents');
  // Convert_Slice_string_To_Pointer_bool: only "0" and "false" (any case) are false, anything else (even "") true.
  if (orphan !== null) options.orphanDependents = !(orphan === '0' || orphan.toLowerCase() === 'false');
  const policy = q.get('propagationPolicy');
  if (policy !== null) options.propagationPolicy = policy as PropagationPolicy;
  const dryRun = q.getAll('dryRun');
  if (dryRun.length > 0) options.dryRun = dryRun;
  return options;
}

/**
 * A body decoded as a v1 DeleteOptions: a field of the wrong JSON type is a 400 in encoding/json's words (kube-apiserver
 * answers that one with a 500), null is as good as absent, fields it does not know are dropped. An Eviction's
 * `deleteOptions` is read with it too (`at` the field it sits in).
 */
export function decodeDeleteOptions(body: unknown, at = ''): DeleteOptions {
  const cannot = (value: unknown, struct: string, field: string, goType: string) =>
    badRequest(`json: cannot unmarshal ${jsonType(value)} into Go ${struct ? `struct field ${struct}.${field}` : 'value'} of type ${goType}`);
  const prefix = at ? `${at}.` : '';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw cannot(body, at ? 'Eviction' : '', at, 'v1.DeleteOptions');
  const b = body as Record<string, unknown>;
  const wrong = (field: string, goType: string) => cannot(b[field], 'DeleteOptions', prefix + field, goType);
  const options: DeleteOptions = {};
  if (b.gracePeriodSeconds != null) {
    const v = b.gracePeriodSeconds;
    if (typeof v === 'number' && (!Number.isInteger(v) || Math.abs(v) >= 2 ** 63)) throw badRequest(`json: cannot unmarshal number ${v} into Go struct field DeleteOptions.${prefix}gracePeriodSeconds of type int64`);
    if (typeof v !== 'number') throw wrong('gracePeriodSeconds', 'int64');
    options.gracePeriodSeconds = v;
  }
  if (b.orphanDependents != null) {
    if (typeof b.orphanDependents !== 'boolean') throw wrong('orphanDependents', 'bool');
    options.orphanDependents = b.orphanDependents;
  }
  if (b.propagationPolicy != null) {
    if (typeof b.propagationPolicy !== 'string') throw wrong('propagationPolicy', 'v1.DeletionPropagation');
    options.propagationPolicy = b.propagationPolicy as PropagationPolicy;
  }
  if (b.dryRun != null) {
    if (!Array.isArray(b.dryRun)) throw wrong('dryRun', '[]string');
    const bad = b.dryRun.find((v) => typeof v !== 'string');
    if (bad !== undefined) throw cannot(bad, 'DeleteOptions', `${prefix}dryRun`, 'string');
    options.dryRun = b.dryRun as string[];
  }
  if (b.preconditions != null) {
    const p = b.preconditions as Record<string, unknown>;
    if (typeof p !== 'object' || Array.isArray(p)) throw wrong('preconditions', 'v1.Preconditions');
    const pre: DeleteOptions['preconditions'] = {};
    for (const [field, goType] of [['uid', 'types.UID'], ['resourceVersion', 'string']] as const) {
      if (p[field] == null) continue;
      if (typeof p[field] !== 'string') throw cannot(p[field], 'Preconditions', `${prefix}preconditions.${field}`, goType);
      pre[field] = p[field] as string;
    }
    options.preconditions = pre;
  }
  return options;
}

/** How encoding/json names a JSON value it cannot store. */
function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/**
 * k8s.io/apimachinery's ValidateDeleteOptions: `orphanDependents` and `propagationPolicy` not both, a policy kube
 * knows, and `dryRun` only ever `All`. A violation is 422, `DeleteOptions.meta.k8s.io "" is invalid: …`, as there.
 */
export function validateDeleteOptions(options: DeleteOptions): void {
  const causes: FieldCause[] = [];
  const policy = options.propagationPolicy;
  if (options.orphanDependents !== undefined && policy !== undefined) {
    causes.push(fieldInvalid('propagationPolicy', policy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  if (policy !== undefined && !POLICIES.includes(policy)) causes.push(fieldNotSupported('propagationPolicy', policy, [...POLICIES, 'nil']));
  causes.push(...dryRunCauses(options.dryRun ?? []));
  if (causes.length > 0) throw invalidOptions('DeleteOptions', causes);
}

/** Whether the options ask for a dry run (kube-apiserver reads only the options, never the query beside a body). */
export const isDryRunDelete = (options: DeleteOptions): boolean => (options.dryRun ?? []).includes('All');
