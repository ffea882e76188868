import { labelSelectorString } from '@openpacific/contracts';
import {
  fieldInvalid, goQuote, goRendered, GoRendered, KubeApiError, labelSelectorFromObject, matchesLabelSelector, StatusCause, validateLabelValue, validateObjectMeta, validateQualifiedName,
} from '@openpacific/kube-api';
import { deepEqual } from './object-rules';
import { isKubeSemver } from './topology-version.validation';

/**
 * What Cluster API's webhooks share across its kinds, in their words: versions (util/version.KubeSemver), int-or-percent
 * values (intstr.GetScaledValueFromIntOrPercent), Go durations (metav1.Duration), label selectors
 * (metav1.LabelSelectorAsSelector), template metadata (clusterv1.ObjectMeta.Validate), and how an update is judged here.
 */

/** CAPI's defaulting webhooks add the `v` a version may lack (`1.29.4` is stored and judged as `v1.29.4`). */
export function withVersionPrefix(version: unknown): unknown {
  return typeof version === 'string' && !version.startsWith('v') ? `v${version}` : version;
}

/** A version set at `field` must be a Kubernetes semantic version, judged as defaulting leaves it. */
export function semverCauses(field: string, version: unknown): StatusCause[] {
  if (version === undefined || version === null) return [];
  const text = String(withVersionPrefix(version));
  return isKubeSemver(text) ? [] : [fieldInvalid(field, text, 'must be a valid semantic version')];
}

/**
 * On an update, what the new object has wrong that the stored one did not already have: a cause the old object did not
 * have, or one at a field the update changed. The cluster-api service writes its objects straight to the log, past
 * these webhooks (a MachineSet's selector its template does not carry, a Machine whose bootstrap data is named later):
 * a user's edit of such an object is judged on what the edit touches, not refused for what the system wrote.
 */
export function newCauses(next: StatusCause[], old: StatusCause[], objects: { old: any; next: any }): StatusCause[] {
  const seen = new Set(old.map(causeKey));
  return next.filter((c) => !seen.has(causeKey(c)) || !deepEqual(valueAt(objects.old, c.field), valueAt(objects.next, c.field)));
}

/** The value at a cause's field (`spec.replicas`, `spec.variables[cpu].schema`: a list item by index, name or class). */
function valueAt(obj: any, field: string | undefined): unknown {
  let at = obj;
  for (const m of (field ?? '').matchAll(/\.?([^.[\]]+)|\[([^\]]*)\]/g)) {
    if (at === undefined || at === null) return undefined;
    if (m[1] !== undefined) at = at[m[1]];
    else if (Array.isArray(at)) at = /^\d+$/.test(m[2]) ? at[Number(m[2])] : at.find((x: any) => x?.name === m[2] || x?.class === m[2]);
    else at = at[m[2]];
  }
  return at;
}

const causeKey = (c: StatusCause) => `${c.field ?? ''}\u0000${c.reason ?? ''}\u0000${c.message ?? ''}`;

/** strconv.Atoi: an optional sign and decimal digits, within int64; its error as Go words it. */
export function atoiError(text: string): string | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return `strconv.Atoi: parsing ${goQuote(text)}: invalid syntax`;
  const n = BigInt(text);
  return n > 2n ** 63n - 1n || n < -(2n ** 63n) ? `strconv.Atoi: parsing ${goQuote(text)}: value out of range` : undefined;
}

/** Why intstr.GetScaledValueFromIntOrPercent refuses a value (a number, or a string that must be `<int>%`). */
export function intOrPercentError(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!value.endsWith('%')) return 'invalid value for IntOrString: invalid type: string is not a percentage';
  const atoi = atoiError(value.slice(0, -1));
  return atoi ? `invalid value for IntOrString: invalid value ${goQuote(value)}: ${atoi}` : undefined;
}

/** An IntOrString as field.Error prints it (%#v: its String() has a pointer receiver). */
export function goIntOrString(value: unknown): GoRendered {
  return typeof value === 'string'
    ? goRendered(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(value)}}`)
    : goRendered(`intstr.IntOrString{Type:0, IntVal:${Number(value)}, StrVal:""}`);
}

/** IntOrString.IntValue(): a string's Atoi, 0 when it is not a number (`50%` is 0). */
export function intValue(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && !atoiError(value) ? Number(value) : 0;
}

/** The causes of an int-or-percent at `field`, as the MachineDeployment and MachineHealthCheck webhooks word them. */
export function intOrPercentCauses(field: string, value: unknown, printed: unknown = goIntOrString(value)): StatusCause[] {
  const error = value === undefined || value === null ? undefined : intOrPercentError(value);
  return error ? [fieldInvalid(field, printed, `must be either an int or a percentage: ${error}`)] : [];
}

const NS_PER: Record<string, bigint> = { ns: 1n, us: 1_000n, 'µs': 1_000n, 'μs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
const MAX_NS = 2n ** 63n - 1n;

/** time's own quoting in its errors: `"` and `\` escaped, bytes outside printable ASCII as \xNN. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || cp >= 0x80) out += [...Buffer.from(ch)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
    else out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return `${out}"`;
}

/** time.ParseDuration: nanoseconds, or Go's error (`time: invalid duration "abc"`, `time: missing unit in duration "10"`). */
export function parseGoDuration(text: string): { ns: bigint } | { error: string } {
  const invalid = { error: `time: invalid duration ${timeQuote(text)}` };
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) [negative, s] = [s[0] === '-', s.slice(1)];
  if (s === '0') return { ns: 0n };
  if (s === '') return invalid;
  let total = 0n;
  while (s !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const [whole, fraction] = [m[1], m[2]];
    if (whole === '' && !fraction) return invalid;
    s = s.slice(m[0].length);
    const unitText = /^[^.0-9]*/.exec(s)![0];
    if (unitText === '') return { error: `time: missing unit in duration ${timeQuote(text)}` };
    s = s.slice(unitText.length);
    const unit = NS_PER[unitText];
    if (unit === undefined) return { error: `time: unknown unit ${timeQuote(unitText)} in duration ${timeQuote(text)}` };
    const v = BigInt(whole || '0');
    if (v > MAX_NS / unit) return invalid;
    let part = v * unit;
    if (fraction) part += BigInt(Math.floor(Number(`0.${fraction}`) * Number(unit)));
    total += part;
    if (total > MAX_NS) return invalid;
  }
  return { ns: negative ? -total : total };
}

/** Digits of `v` below `prec` places, trailing zeros dropped (Go's fmtFrac), and what is left above them. */
function fraction(v: bigint, prec: number): [string, bigint] {
  const scale = 10n ** BigInt(prec);
  const digits = (v % scale).toString().padStart(prec, '0').replace(/0+$/, '');
  return [digits ? `.${digits}` : '', v / scale];
}

/** time.Duration.String(): `1h0m0s`, `1m30s`, `10s`, `1.5s`, `500ms`, `0s`. */
export function formatGoDuration(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const u = ns < 0n ? -ns : ns;
  if (u === 0n) return '0s';
  if (u < 1_000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) {
    const [frac, whole] = fraction(u, 3);
    return `${sign}${whole}${frac}µs`;
  }
  if (u < 1_000_000_000n) {
    const [frac, whole] = fraction(u, 6);
    return `${sign}${whole}${frac}ms`;
  }
  const [frac, seconds] = fraction(u, 9);
  const [minutes, hours] = [seconds / 60n, seconds / 3600n];
  if (hours > 0n) return `${sign}${hours}h${minutes % 60n}m${seconds % 60n}${frac}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds % 60n}${frac}s`;
  return `${sign}${seconds}${frac}s`;
}

/**
 * A metav1.Duration the webhook cannot decode: its defaulting webhook (which decodes the object first) answers 400 with
 * Go's error, which kube-apiserver passes on after the webhook's name; no reason. Undefined when every duration decodes.
 */
export function durationRefusal(webhook: string, durations: unknown[]): KubeApiError | undefined {
  for (const d of durations) {
    if (typeof d !== 'string') continue;
    const parsed = parseGoDuration(d);
    if ('error' in parsed) {
      const message = `admission webhook ${goQuote(webhook)} denied the request: ${parsed.error}`;
      return new KubeApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: 400 });
    }
  }
  return undefined;
}

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const goStrings = (values: string[] | undefined) => (values === undefined ? '[]string(nil)' : `[]string{${values.map(goQuote).join(', ')}}`);

/** An aggregate of errors as Go prints it: one alone, several as `[a, b]`. */
const aggregate = (errors: string[]) => (errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);

/** labels.NewRequirement's errors for one requirement (key, then values), as a field.ErrorList aggregate. */
function requirementError(key: string, operator: string, values: string[] | undefined): string | undefined {
  const errors: string[] = [];
  const keyProblems = validateQualifiedName(key);
  if (keyProblems.length) errors.push(`key: Invalid value: ${goQuote(key)}: ${keyProblems.join('; ')}`);
  const count = values?.length ?? 0;
  if ((operator === 'In' || operator === 'NotIn') && count === 0) errors.push(`values: Invalid value: ${goStrings(values)}: for 'in', 'notin' operators, values set can't be empty`);
  if (operator === 'Equals' && count !== 1) errors.push(`values: Invalid value: ${goStrings(values)}: exact-match compatibility requires one single value`);
  if ((operator === 'Exists' || operator === 'DoesNotExist') && count !== 0) errors.push(`values: Invalid value: ${goStrings(values)}: values set must be empty for exists and does not exist`);
  (values ?? []).forEach((v, i) => {
    const problems = validateLabelValue(String(v));
    if (problems.length) errors.push(`values[${i}][${key}]: Invalid value: ${goQuote(String(v))}: ${problems.join('; ')}`);
  });
  return errors.length ? aggregate(errors) : undefined;
}

/** metav1.LabelSelectorAsSelector's error: the first requirement that fails (matchLabels by key, then the expressions). */
export function selectorError(sel: Selector | undefined): string | undefined {
  for (const key of Object.keys(sel?.matchLabels ?? {}).sort()) {
    const error = requirementError(key, 'Equals', [sel!.matchLabels![key]]);
    if (error) return error;
  }
  for (const e of sel?.matchExpressions ?? []) {
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e?.operator)) return `${goQuote(String(e?.operator ?? ''))} is not a valid label selector operator`;
    // The values are copied with append([]string(nil), ...): none is a nil slice.
    const error = requirementError(String(e.key ?? ''), e.operator, e.values?.length ? e.values : undefined);
    if (error) return error;
  }
  return undefined;
}

/** Whether the selector (one that parses) selects these labels; an empty selector selects everything. */
export function selectorMatches(sel: Selector | undefined, labels: Record<string, string>): boolean {
  return matchesLabelSelector(labelSelectorFromObject(sel ?? {}), labels);
}

/** labels.Selector's String(). */
export const selectorText = (sel: Selector | undefined): string => labelSelectorString(sel ?? {});

/** clusterv1.ObjectMeta.Validate: a template's labels and annotations, as an object's own are checked, under `at`. */
export function templateMetadataCauses(meta: any, at: string): StatusCause[] {
  const causes = validateObjectMeta({ name: 'x', labels: meta?.labels, annotations: meta?.annotations }, { nameFormat: 'dns1123-subdomain', namespaced: true });
  return causes.map((c) => ({ ...c, field: c.field?.replace(/^metadata\./, `${at}.`) }));
}

/** A machine naming template must leave room for uniqueness: `{{ .random }}` somewhere in it. */
export function namingTemplateCauses(template: unknown, at: string): StatusCause[] {
  if (typeof template !== 'string' || template === '' || template.includes('{{ .random }}')) return [];
  return [fieldInvalid(at, template, 'invalid template, {{ .random }} is missing')];
}

/**
 * validation.IsValidLabelValue's two errors apart, as the MachineDeployment webhook lists them for a name: the length,
 * then the form (validateLabelValue of a value of the wrong form gives that message).
 */
export function labelValueProblems(value: string): string[] {
  const problems = value.length > 63 ? ['must be no more than 63 characters'] : [];
  return /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value) ? problems : [...problems, ...validateLabelValue('!')];
}
