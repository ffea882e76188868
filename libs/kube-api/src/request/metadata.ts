import { randomBytes } from 'node:crypto';
import { fieldRequired, fieldTooLong } from './field-errors';
import { StatusCause } from './status';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

export function validateDns1123Label(name: string): string[] {
  const out: string[] = [];
  if (name.length > 63) out.push('must be no more than 63 characters');
  if (!LABEL.test(name)) {
    out.push(`a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`);
  }
  return out;
}

/** kube's IsDNS1035Label (a Service's name: it becomes a DNS label that may not start with a digit). */
export function validateDns1035Label(name: string): string[] {
  const out: string[] = [];
  if (name.length > 63) out.push('must be no more than 63 characters');
  if (!DNS1035_LABEL.test(name)) {
    out.push(`a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`);
  }
  return out;
}

export function validateDns1123Subdomain(name: string): string[] {
  const out: string[] = [];
  if (name.length > 253) out.push('must be no more than 253 characters');
  if (!SUBDOMAIN.test(name)) {
    out.push(`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
  }
  return out;
}

/** A label or annotation key: an optional DNS subdomain prefix and a name of at most 63 characters. */
export function validateQualifiedName(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) return [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  const name = parts[parts.length - 1];
  const out: string[] = [];
  if (parts.length === 2 && (parts[0].length === 0 || validateDns1123Subdomain(parts[0]).length > 0)) out.push('prefix part must be a lowercase RFC 1123 subdomain');
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  if (!QUALIFIED_NAME.test(name)) {
    out.push(`name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`);
  }
  return out;
}

/** kube's validation.IsValidLabelValue: what is wrong with a label value (none when it is valid). */
export function validateLabelValue(v: string): string[] {
  if (v.length <= 63 && LABEL_VALUE.test(v)) return [];
  return [
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ];
}

/** How a kind's names are checked: DNS-1123 labels, DNS-1035 labels, DNS-1123 subdomains, or any one path segment (RBAC). */
export type ResourceNameFormat = 'dns1123-label' | 'dns1123-subdomain' | 'dns1035-label' | 'path-segment';

/** apimachinery's path.IsValidPathSegmentName: what is wrong with a name that only has to be one segment of a URL path. */
export function validatePathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

/** ObjectMeta validation as kube-apiserver does it, as 422 causes. */
export function validateObjectMeta(meta: any, opts: { nameFormat: ResourceNameFormat; namespaced: boolean }): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = meta?.name;
  // null is the field left out, as Go decodes it: a name is still needed.
  if (name === undefined || name === null || name === '') {
    if (!meta?.generateName) causes.push(fieldRequired('metadata.name', 'name or generateName is required'));
  } else if (typeof name === 'string') {
    const problems = opts.nameFormat === 'dns1123-label' ? validateDns1123Label(name)
      : opts.nameFormat === 'dns1035-label' ? validateDns1035Label(name)
      : opts.nameFormat === 'path-segment' ? validatePathSegmentName(name)
      : validateDns1123Subdomain(name);
    for (const p of problems) causes.push({ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${p}` });
  }
  for (const [k, v] of Object.entries((meta?.labels ?? {}) as Record<string, string>)) {
    for (const p of validateQualifiedName(k)) causes.push({ field: 'metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: "${k}": ${p}` });
    if (typeof v === 'string') for (const p of validateLabelValue(v)) causes.push({ field: 'metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: "${v}": ${p}` });
  }
  let size = 0;
  for (const [k, v] of Object.entries((meta?.annotations ?? {}) as Record<string, string>)) {
    for (const p of validateQualifiedName(k.toLowerCase())) causes.push({ field: 'metadata.annotations', reason: 'FieldValueInvalid', message: `Invalid value: "${k}": ${p}` });
    size += k.length + String(v).length;
  }
  if (size > MAX_ANNOTATIONS_BYTES) {
    causes.push(fieldTooLong('metadata.annotations', MAX_ANNOTATIONS_BYTES));
  }
  return causes;
}

/**
 * `generateName` + five random lowercase alphanumerics, as kube-apiserver names generated objects: the prefix cut to
 * its first 58 characters, so that a prefix valid as a DNS label still gives one (63 at most).
 */
export function generateName(prefix: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = randomBytes(5);
  return prefix.slice(0, 58) + Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/** kube's standard finalizer names, which need no domain: a Namespace's `kubernetes`, and the garbage collector's. */
const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

/** apimachinery's validateFinalizerName: a qualified name, with a domain unless it is a standard one. */
export function finalizerNameProblems(name: string): string[] {
  const problems = validateQualifiedName(name);
  if (problems.length > 0) return problems;
  return !name.includes('/') && !STANDARD_FINALIZERS.includes(name) ? ['name is neither a standard finalizer name nor is it fully qualified'] : [];
}
