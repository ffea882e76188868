import { FieldCause, fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, fieldTooLong, goQuote, goRendered, KubeApiError, patchContentType, statusError } from '@openpacific/kube-api';
import { ResourceRequest } from '../core';

/** The options kinds of meta.k8s.io a write's query is decoded into. */
export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

/** A manager's name: at most 128 bytes, as kube-apiserver allows (FieldManagerMaxLength). */
export const MAX_MANAGER = 128;

/** The values `fieldValidation` may take, as ValidateFieldValidation lists them (sorted; empty means the default, Warn). */
const FIELD_VALIDATIONS: readonly string[] = ['', 'Ignore', 'Strict', 'Warn'];

/**
 * A 422 for options that break meta.k8s.io's validation, in kube-apiserver's words:
 * `PatchOptions.meta.k8s.io "" is invalid: …` (the causes bracketed when there are several).
 */
export function invalidOptions(kind: OptionsKind, causes: FieldCause[]): KubeApiError {
  const summary = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const text = causes.length === 1 ? summary : `[${summary}]`;
  return statusError(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: ${text}`, { name: '', group: 'meta.k8s.io', kind, causes });
}

/** `dryRun` holds only `All` (ValidateDryRun): every value is printed as Go prints the slice. */
export function dryRunCauses(dryRun: readonly string[]): FieldCause[] {
  if (dryRun.every((v) => v === 'All')) return [];
  return [fieldNotSupported('dryRun', goRendered(`[]string{${dryRun.map(goQuote).join(', ')}}`), ['All'])];
}

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** ValidateFieldManager: not over 128 bytes, and every character printable (named by code point and byte offset). */
function fieldManagerCauses(manager: string): FieldCause[] {
  const causes: FieldCause[] = [];
  if (Buffer.byteLength(manager) > MAX_MANAGER) causes.push(fieldTooLong('fieldManager', MAX_MANAGER));
  let offset = 0;
  for (const ch of manager) {
    if (!PRINTABLE.test(ch)) {
      const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      causes.push(fieldInvalid('fieldManager', manager, `invalid character U+${code} (at position ${offset})`));
    }
    offset += Buffer.byteLength(ch);
  }
  return causes;
}

/**
 * PatchOptions' `force`, decoded as the parameter codec decodes a bool (Convert_Slice_string_To_Pointer_bool): only
 * `false` (in any case) and `0` are false; any other value, the empty one included, forces. Absent, it does not.
 */
export function forceOf(query: URLSearchParams): boolean {
  const value = query.get('force');
  return value !== null && value !== '0' && value.toLowerCase() !== 'false';
}

/** The options kind a write's query is decoded into, by its verb. */
function optionsKindOf(method: string): OptionsKind | undefined {
  if (method === 'POST') return 'CreateOptions';
  if (method === 'PUT') return 'UpdateOptions';
  if (method === 'PATCH') return 'PatchOptions';
  return undefined;
}

/**
 * A create's, an update's or a patch's options as kube-apiserver 1.32 checks them before anything is decoded or
 * read (ValidateCreateOptions, ValidateUpdateOptions, ValidatePatchOptions): `force` only on an apply patch, an
 * apply patch names its `fieldManager`, a manager's name short and printable, `dryRun` only `All`, `fieldValidation`
 * one of `Ignore`, `Strict`, `Warn`. Every violation is a cause of one 422 naming the options kind. A DELETE reads
 * DeleteOptions (delete-options.ts).
 */
export function validateWriteOptions(r: ResourceRequest, method: string): void {
  const kind = optionsKindOf(method);
  if (!kind) return;
  const q = r.query;
  const causes: FieldCause[] = [];
  const manager = q.get('fieldManager') ?? '';
  if (kind === 'PatchOptions') {
    const apply = patchContentType(r.req.headers['content-type'] ?? '') === 'apply';
    if (!apply && q.get('force') !== null) causes.push(fieldForbidden('force', 'may not be specified for non-apply patch'));
    if (apply && manager === '') causes.push(fieldRequired('fieldManager', 'is required for apply patch'));
  }
  causes.push(...fieldManagerCauses(manager), ...dryRunCauses(q.getAll('dryRun')));
  const validation = q.get('fieldValidation') ?? '';
  if (!FIELD_VALIDATIONS.includes(validation)) causes.push(fieldNotSupported('fieldValidation', validation, FIELD_VALIDATIONS));
  if (causes.length > 0) throw invalidOptions(kind, causes);
}
