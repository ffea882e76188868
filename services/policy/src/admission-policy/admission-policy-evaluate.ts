import { admissionKindOf, AdmissionRequest } from '@openpacific/contracts';
import { CelProgram, celTypeOf, compilePolicyExpression, evalError, isEvaluationError, PolicyExpressionPlace, toCel } from '@openpacific/kube-api';

/** One expression of a policy, compiled (or why it does not compile: a policy written before it was checked). */
interface Compiled {
  text: string;
  program?: CelProgram;
  error?: string;
}

/** A policy's expressions, compiled once per stored version of the policy. */
export interface CompiledPolicy {
  matchConditions: Array<{ name: string } & Compiled>;
  variables: Array<{ name: string } & Compiled>;
  validations: Array<{ source: any; expression: Compiled; messageExpression?: Compiled }>;
  auditAnnotations: Array<{ key: string } & Compiled>;
}

/**
 * What one validation (or a match condition, or the policy as a whole) decided against a request; `index` is the
 * validation's in spec.validations (0 for the policy as a whole), as an Audit failure names it.
 */
export type Decision = { kind: 'failed'; index: number; message: string; reason?: string } | { kind: 'error'; index: number; message: string };

/**
 * A policy evaluated against a request: the validations that failed or could not be evaluated, the values of its
 * auditAnnotations to record (`key` as the policy names it), and why some of them could not be had.
 */
export interface PolicyEvaluation {
  readonly decisions: readonly Decision[];
  readonly annotations: ReadonlyArray<{ key: string; value: string }>;
  readonly annotationErrors: readonly string[];
}

/** kube-apiserver's limit on an audit annotation's value: a longer one is cut to this many bytes. */
const MAX_ANNOTATION_VALUE_BYTES = 10 * 1024;
/** A policy without audit annotations (or one that does not apply) shares these: nothing is made per request. */
const NONE = Object.freeze([]) as readonly never[];
const NOTHING: PolicyEvaluation = Object.freeze({ decisions: NONE, annotations: NONE, annotationErrors: NONE });

const cache = new WeakMap<object, CompiledPolicy>();

function compileOne(text: unknown, place: PolicyExpressionPlace, hasParams: boolean): Compiled {
  const source = typeof text === 'string' ? text : '';
  const result = compilePolicyExpression(source, place, hasParams);
  return 'detail' in result ? { text: source, error: result.detail } : { text: source, program: result.program };
}

export function compiledPolicy(policy: any): CompiledPolicy {
  let compiled = cache.get(policy);
  if (compiled) return compiled;
  const spec = policy.spec ?? {};
  const hasParams = spec.paramKind !== undefined && spec.paramKind !== null;
  compiled = {
    matchConditions: (spec.matchConditions ?? []).map((c: any) => ({ name: c?.name ?? '', ...compileOne(c?.expression, 'matchCondition', hasParams) })),
    variables: (spec.variables ?? []).map((v: any) => ({ name: v?.name ?? '', ...compileOne(v?.expression, 'validation', hasParams) })),
    validations: (spec.validations ?? []).map((v: any) => ({
      source: v,
      expression: compileOne(v?.expression, 'validation', hasParams),
      ...(typeof v?.messageExpression === 'string' && v.messageExpression.trim() !== '' ? { messageExpression: compileOne(v.messageExpression, 'validation', hasParams) } : {}),
    })),
    auditAnnotations: (spec.auditAnnotations ?? []).map((a: any) => ({ key: a?.key ?? '', ...compileOne(a?.valueExpression, 'validation', hasParams) })),
  };
  cache.set(policy, compiled);
  return compiled;
}

/** The CEL variables of one evaluation (`variables` added per policy, lazily). */
export interface PolicyInputs {
  object: unknown;
  oldObject: unknown;
  request: unknown;
  params: unknown;
  namespaceObject: unknown;
}

/** kube-apiserver's `request` variable: the admission request as an AdmissionReview carries it. */
export function requestVariable(request: AdmissionRequest): Map<string, unknown> {
  const { group, version, resource } = request.resource;
  const kind = admissionKindOf(request);
  return toCel(undefined, {
    uid: request.uid,
    kind,
    resource: { group, version, resource },
    subResource: request.subResource ?? '',
    requestKind: kind,
    requestResource: { group, version, resource },
    requestSubResource: request.subResource ?? '',
    name: request.name ?? '',
    namespace: request.namespace ?? '',
    operation: request.operation,
    userInfo: { username: request.user.username, groups: request.user.groups },
    dryRun: request.dryRun,
  }) as Map<string, unknown>;
}

/** An expression's result or why it could not be had, in cel-go's words. */
function run(c: Compiled, vars: Record<string, unknown>, failedVariables: string[]): { value: unknown } | { error: string } {
  if (!c.program) return { error: c.error ?? 'compilation failed' };
  const value = c.program(vars);
  if (!isEvaluationError(value)) return { value };
  // A variable that failed makes its readers fail: its own error is the one worth reading.
  const message = failedVariables.length > 0 ? failedVariables[0] : evalError(value.message);
  return { error: `expression '${c.text}' resulted in error: ${message}` };
}

/**
 * `variables`: each of spec.variables evaluated when first read (and then kept), seeing the ones before it, as
 * kube-apiserver composes them.
 */
class LazyVariables extends Map<string, unknown> {
  private readonly known = new Map<string, { value: unknown; error?: string }>();

  constructor(private readonly defined: CompiledPolicy['variables'], private readonly vars: Record<string, unknown>, readonly failed: string[]) {
    super();
  }

  override has(name: string): boolean {
    return this.defined.some((v) => v.name === name);
  }

  override get(name: string): unknown {
    let known = this.known.get(name);
    if (!known) {
      const v = this.defined.find((d) => d.name === name);
      if (!v) return undefined;
      const result = run(v, this.vars, []);
      known = 'value' in result ? { value: result.value } : { value: null, error: result.error };
      this.known.set(name, known);
    }
    if (known.error) this.failed.push(known.error);
    return known.value;
  }
}

/** The CEL variables of one policy and binding against a request. */
function celVariables(policy: CompiledPolicy, inputs: PolicyInputs, failed: string[]): Record<string, unknown> {
  const vars: Record<string, unknown> = {
    object: toCel(undefined, inputs.object),
    oldObject: toCel(undefined, inputs.oldObject),
    request: inputs.request,
    params: toCel(undefined, inputs.params),
    namespaceObject: toCel(undefined, inputs.namespaceObject),
  };
  vars.variables = new LazyVariables(policy.variables, vars, failed);
  return vars;
}

/**
 * Evaluates a policy for one binding's params: its match conditions (any false: the policy does not apply; an error
 * is the decision), then every validation, then every audit annotation. The decisions are the validations that
 * failed or could not be evaluated.
 */
export function evaluatePolicy(policy: CompiledPolicy, inputs: PolicyInputs): PolicyEvaluation {
  const failed: string[] = [];
  const vars = celVariables(policy, inputs, failed);
  const conditionErrors: string[] = [];
  for (const condition of policy.matchConditions) {
    const result = run(condition, vars, []);
    if ('error' in result) conditionErrors.push(result.error);
    else if (result.value === false) return NOTHING;
    else if (result.value !== true) conditionErrors.push(`matchCondition '${condition.name}' resulted in a non-boolean value`);
  }
  if (conditionErrors.length > 0) return { ...NOTHING, decisions: [{ kind: 'error', index: 0, message: conditionErrors.join(', ') }] };
  const decisions: Decision[] = [];
  policy.validations.forEach((v, index) => {
    failed.length = 0;
    const result = run(v.expression, vars, failed);
    if ('error' in result) decisions.push({ kind: 'error', index, message: result.error });
    else if (result.value !== true) {
      if (typeof result.value !== 'boolean') decisions.push({ kind: 'error', index, message: `expression '${v.expression.text}' resulted in unexpected type ${typeof result.value}` });
      else decisions.push({ kind: 'failed', index, message: failureMessage(v, vars), ...(v.source.reason ? { reason: v.source.reason } : {}) });
    }
  });
  if (policy.auditAnnotations.length === 0) return { ...NOTHING, decisions };
  return { decisions, ...auditAnnotationValues(policy, vars, failed) };
}

/**
 * Each audit annotation's value as kube-apiserver takes it: a string trimmed (none when empty, cut to 10 KiB when
 * longer), null for none; an evaluation error, or a value of another type, is an error (which kube-apiserver's
 * type check would mostly have refused when the policy was written; OpenPacific does not type-check policies).
 */
function auditAnnotationValues(policy: CompiledPolicy, vars: Record<string, unknown>, failed: string[]): Omit<PolicyEvaluation, 'decisions'> {
  const annotations: Array<{ key: string; value: string }> = [];
  const annotationErrors: string[] = [];
  for (const a of policy.auditAnnotations) {
    failed.length = 0;
    const result = run(a, vars, failed);
    if ('error' in result) annotationErrors.push(result.error);
    else if (typeof result.value === 'string') {
      const value = result.value.trim();
      if (value !== '') annotations.push({ key: a.key, value: truncated(value) });
    } else if (result.value !== null) {
      annotationErrors.push(`valueExpression '${a.text}' resulted in unsupported return type: ${celTypeOf(result.value)}. Return type must be either string or null.`);
    }
  }
  return { annotations, annotationErrors };
}

/** At most MAX_ANNOTATION_VALUE_BYTES of UTF-8, never ending inside a character. */
function truncated(value: string): string {
  if (value.length * 3 <= MAX_ANNOTATION_VALUE_BYTES || Buffer.byteLength(value) <= MAX_ANNOTATION_VALUE_BYTES) return value;
  const bytes = Buffer.from(value);
  let end = MAX_ANNOTATION_VALUE_BYTES;
  // A continuation byte (10xxxxxx) at the cut belongs to the character before it.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** The messageExpression's value when it gives a one-line string, else the message, else "failed expression: ...". */
function failureMessage(v: CompiledPolicy['validations'][number], vars: Record<string, unknown>): string {
  if (v.messageExpression?.program) {
    const dynamic = v.messageExpression.program(vars);
    if (typeof dynamic === 'string' && dynamic.trim() !== '' && !/[\r\n]/.test(dynamic)) return dynamic.trim();
  }
  const message = typeof v.source.message === 'string' ? v.source.message.trim() : '';
  return message || `failed expression: ${String(v.source.expression ?? '').trim()}`;
}
