/** The audit annotation under which kube-apiserver records what bindings with the `Audit` action saw fail. */
export const VALIDATION_FAILURE_ANNOTATION = 'validation.policy.admission.k8s.io/validation_failure';

/** One failure as the annotation's JSON array holds it, its keys in kube-apiserver's order. */
export interface ValidationFailure {
  message: string;
  policy: string;
  binding: string;
  /** The failed validation's index in the policy's spec.validations. */
  expressionIndex: number;
  /** All of the binding's actions, `Audit` among them. */
  validationActions: string[];
}

/**
 * What the policies add to the audit record of one request: every failure a binding with `Audit` saw, in one
 * validation_failure array (kube-apiserver 1.32 keeps only the first binding's array, as it never overwrites an
 * annotation; its documented format is a list of the failures, and here every one is in it), and each policy's
 * auditAnnotations under `<policy>/<key>`, the distinct values of several bindings or params joined with ", " as
 * kube-apiserver joins them. Nothing is made until there is something to record.
 */
export class PolicyAuditAnnotations {
  private failures?: ValidationFailure[];
  private values?: Map<string, string[]>;

  failed(failure: ValidationFailure): void {
    (this.failures ??= []).push(failure);
  }

  add(policy: string, key: string, value: string): void {
    this.values ??= new Map();
    const name = `${policy}/${key}`;
    const known = this.values.get(name);
    if (!known) this.values.set(name, [value]);
    else if (!known.includes(value)) known.push(value);
  }

  /** The annotations, or undefined when there are none. */
  toRecord(): Record<string, string> | undefined {
    if (!this.failures && !this.values) return undefined;
    const out: Record<string, string> = {};
    for (const [name, values] of this.values ?? []) out[name] = values.join(', ');
    if (this.failures) out[VALIDATION_FAILURE_ANNOTATION] = goJson(this.failures);
    return out;
  }
}

/**
 * JSON as Go's encoding/json writes it, `<`, `>`, `&`, U+2028 and U+2029 escaped (`\u003c`): the annotation reads
 * as kube-apiserver's does. They can only be inside strings, so the escapes change no value.
 */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
