import type * as Cel from '@bufbuild/cel';
import type { JsonSchema } from '@openpacific/contracts';
import { staticTypeOf } from './cel-types';
import { kubernetesLibraries } from './library';

/** One `x-kubernetes-validations` entry as a CRD writes it. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface CompiledRule {
  source: ValidationRule;
  program: (vars: { self: unknown; oldSelf?: unknown }) => Cel.CelResult;
  messageProgram?: (vars: { self: unknown; oldSelf?: unknown }) => Cel.CelResult;
  /** Uses `oldSelf`: evaluated only on an update that has an old value (or with optionalOldSelf). */
  transition: boolean;
  /** How deeply comprehensions (`all`, `exists`, `map`…) nest: the exponent of the rule's cost in its value's size. */
  depth: number;
}

let runtime: { cel: typeof Cel; env: Cel.CelEnv; functions: Set<string> } | undefined;

/**
 * The CEL library, loaded when the first rule is compiled: loading it costs hundreds of milliseconds of CPU, which a
 * gateway serving no CRD with rules (and every built-in kind) should not pay.
 */
function celRuntime(): NonNullable<typeof runtime> {
  if (!runtime) {
    const cel = require('@bufbuild/cel') as typeof Cel;
    const { strings } = require('@bufbuild/cel/ext') as typeof import('@bufbuild/cel/ext');
    const kubernetes = kubernetesLibraries(cel);
    runtime = {
      cel,
      env: cel.celEnv({ funcs: [...strings, ...kubernetes], variables: { self: cel.CelScalar.DYN, oldSelf: cel.CelScalar.DYN } }),
      functions: new Set([...STANDARD_FUNCTIONS, ...kubernetes.map((f) => f.name)]),
    };
  }
  return runtime;
}

/** Whether a rule's result is an evaluation error rather than a value. */
export function isEvaluationError(result: Cel.CelResult): result is Cel.CelError {
  return celRuntime().cel.isCelError(result);
}

/** The CEL type of an expression's value as cel-go prints it (`int`, `list(dyn)`), for the messages that name it. */
export function celTypeOf(value: unknown): string {
  return String(celRuntime().cel.celType(value as Cel.CelValue));
}

const VARIABLES = new Set(['self', 'oldSelf']);
/** What an admission expression (a webhook's matchConditions) sees: the request's objects and the request itself. */
const ADMISSION_VARIABLES = new Set(['object', 'oldObject', 'request']);
// Functions of the CEL standard library and its strings extension (as cel-go and @bufbuild/cel name them); the
// Kubernetes libraries' are added to them when the library is loaded.
const STANDARD_FUNCTIONS = [
  'size', 'has', 'matches', 'contains', 'startsWith', 'endsWith', 'int', 'uint', 'double', 'string', 'bytes', 'bool',
  'type', 'dyn', 'duration', 'timestamp', 'getFullYear', 'getMonth', 'getDayOfYear', 'getDayOfMonth', 'getDate',
  'getDayOfWeek', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds', 'charAt', 'indexOf', 'lastIndexOf',
  'lowerAscii', 'upperAscii', 'replace', 'split', 'substring', 'trim', 'join', 'format', 'strings.quote',
];

/** A rule kept in the log from before rules were checked, which does not compile: each object then fails on it. */
export interface BrokenRule {
  source: ValidationRule;
  error: string;
}

/** The compiled rules of every schema node that has some, keyed by the node (one CRD version's schema). */
export type CompiledRules = Map<JsonSchema, (CompiledRule | BrokenRule)[]>;

/** A rule that does not compile: where it is in the schema and why, as kube-apiserver reports it. */
export interface RuleCompileError {
  /** The node's path below the schema root, as `.properties[spec]`. */
  path: string;
  index: number;
  property: 'rule' | 'messageExpression';
  rule: ValidationRule;
  detail: string;
}

const cache = new WeakMap<JsonSchema, CompiledRules>();

/** The compiled rules of a version's schema, compiled once and kept as long as the schema is. */
export function compiledRulesOf(schema: JsonSchema): CompiledRules {
  let rules = cache.get(schema);
  if (!rules) cache.set(schema, (rules = compileSchemaRules(schema).rules));
  return rules;
}

/** Compiles every rule of a schema, collecting those that do not compile. */
export function compileSchemaRules(schema: JsonSchema): { rules: CompiledRules; errors: RuleCompileError[] } {
  const rules: CompiledRules = new Map();
  const errors: RuleCompileError[] = [];
  const visit = (node: any, path: string) => {
    if (typeof node !== 'object' || node === null) return;
    const list: unknown = node['x-kubernetes-validations'];
    if (Array.isArray(list) && list.length > 0) {
      rules.set(node, list.map((rule: ValidationRule, index) => {
        const result = compileRule(rule);
        if (!('detail' in result)) return result;
        errors.push({ path, index, rule, ...result });
        return { source: rule, error: result.detail };
      }));
    }
    for (const [name, child] of Object.entries(node.properties ?? {})) visit(child, `${path}.properties[${name}]`);
    if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, `${path}.additionalProperties`);
    if (node.items !== undefined) visit(node.items, `${path}.items`);
  };
  visit(schema, '');
  return { rules, errors };
}

function compileRule(rule: ValidationRule): CompiledRule | { property: 'rule' | 'messageExpression'; detail: string } {
  const source = typeof rule?.rule === 'string' ? rule.rule : '';
  const main = compileExpression(source, VARIABLES, RULE_RETURNS);
  if ('detail' in main) return { property: 'rule', detail: main.detail };
  let message: ReturnType<typeof compileExpression> | undefined;
  if (typeof rule.messageExpression === 'string' && rule.messageExpression.trim() !== '') {
    message = compileExpression(rule.messageExpression, VARIABLES, MESSAGE_RETURNS);
    if ('detail' in message) return { property: 'messageExpression', detail: message.detail };
  }
  return {
    source: rule,
    program: main.program,
    ...(message && 'program' in message ? { messageProgram: message.program } : {}),
    transition: main.usesOldSelf,
    depth: main.depth,
  };
}

/** A compiled expression over whatever variables its caller names (ValidatingAdmissionPolicy's object, request…). */
export type CelProgram = (vars: Record<string, unknown>) => Cel.CelResult;

/**
 * Compiles an expression that may read only `variables` (and what it binds itself), with the Kubernetes libraries;
 * the error is worded as kube-apiserver's ("compilation failed: ERROR: <input>: ...").
 */
export function compileCelExpression(text: string, variables: ReadonlySet<string>, returns?: Returns): { program: CelProgram } | { detail: string } {
  const compiled = compileExpression(text, variables, returns);
  return 'detail' in compiled ? compiled : { program: compiled.program as CelProgram };
}

/** A compiled admission expression, run on `{ object, oldObject, request }` as CEL values (toCel). */
export type AdmissionProgram = (vars: { object: unknown; oldObject: unknown; request: unknown }) => Cel.CelResult;

/**
 * An admission expression (a webhook's matchCondition) compiled, or why not as kube-apiserver words it
 * (`compilation failed: ERROR: <input>: undeclared reference to 'x' ...`).
 */
export function compileAdmissionExpression(text: string, returns?: Returns): { program: AdmissionProgram } | { detail: string } {
  const compiled = compileCelExpression(text, ADMISSION_VARIABLES, returns);
  return 'detail' in compiled ? compiled : { program: compiled.program as unknown as AdmissionProgram };
}

/**
 * What an expression's place requires it to produce, checked at create as kube-apiserver's type check does: the CEL
 * types allowed and the detail that refuses another (`must evaluate to bool`). Only a type known without the
 * variables' values is refused (cel-types.ts).
 */
export interface Returns {
  types: readonly string[];
  detail: string;
}

/** A CRD's rule and messageExpression, in apiextensions-apiserver's words. */
const RULE_RETURNS: Returns = { types: ['bool'], detail: 'cel expression must evaluate to a bool' };
const MESSAGE_RETURNS: Returns = { types: ['string'], detail: 'messageExpression must evaluate to a string' };

/** An admission expression's required result in kube-apiserver's words: `must evaluate to bool`, or `to one of [string null_type]`. */
export function mustReturn(...types: string[]): Returns {
  return { types, detail: types.length === 1 ? `must evaluate to ${types[0]}` : `must evaluate to one of [${types.join(' ')}]` };
}

function compileExpression(text: string, variables: ReadonlySet<string> = VARIABLES, returns?: Returns): { program: CompiledRule['program']; usesOldSelf: boolean; depth: number } | { detail: string } {
  const { cel, env } = celRuntime();
  let parsed: ReturnType<typeof cel.parse>;
  try {
    parsed = cel.parse(text);
  } catch (err) {
    return { detail: `compilation failed: ERROR: ${(err as Error).message}` };
  }
  const facts: Facts = { usesOldSelf: false, depth: 0, functions: celRuntime().functions, variables };
  inspect(parsed.expr, new Set(), 0, facts);
  if (facts.problem) return { detail: `compilation failed: ERROR: <input>: ${facts.problem}` };
  if (returns) {
    const type = staticTypeOf(parsed.expr, variables);
    if (type !== undefined && !returns.types.includes(type)) return { detail: returns.detail };
  }
  return { program: cel.plan(env, parsed) as CompiledRule['program'], usesOldSelf: facts.usesOldSelf, depth: facts.depth };
}

/** What a walk of an expression found, and the functions it may call. */
interface Facts {
  usesOldSelf: boolean;
  depth: number;
  problem?: string;
  functions: Set<string>;
  variables: ReadonlySet<string>;
}

/** Walks a parsed expression: the variables it reads, the functions it calls, how deeply its comprehensions nest. */
function inspect(expr: any, bound: Set<string>, depth: number, facts: Facts): void {
  if (!expr?.exprKind || facts.problem) return;
  const { case: kind, value } = expr.exprKind;
  switch (kind) {
    case 'identExpr':
      if (value.name === 'oldSelf') facts.usesOldSelf = true;
      if (!facts.variables.has(value.name) && !bound.has(value.name)) facts.problem = `undeclared reference to '${value.name}' (in container '')`;
      return;
    case 'selectExpr':
      return inspect(value.operand, bound, depth, facts);
    case 'callExpr': {
      // `strings.quote(x)` parses as a call of quote on a variable strings: a qualified name.
      const target = value.target?.exprKind;
      const qualified = target?.case === 'identExpr' && !bound.has(target.value.name) ? `${target.value.name}.${value.function}` : undefined;
      const name = qualified && facts.functions.has(qualified) ? qualified : value.function;
      if (!/^[_@!]/.test(name) && !facts.functions.has(name)) facts.problem = `undeclared reference to '${name}' (in container '')`;
      if (name !== qualified) inspect(value.target, bound, depth, facts);
      for (const arg of value.args) inspect(arg, bound, depth, facts);
      return;
    }
    case 'listExpr':
      for (const e of value.elements) inspect(e, bound, depth, facts);
      return;
    case 'structExpr':
      for (const e of value.entries) {
        inspect(e.keyKind?.value, bound, depth, facts);
        inspect(e.value, bound, depth, facts);
      }
      return;
    case 'comprehensionExpr': {
      facts.depth = Math.max(facts.depth, depth + 1);
      inspect(value.iterRange, bound, depth, facts);
      const inner = new Set([...bound, value.iterVar, value.iterVar2, value.accuVar].filter(Boolean));
      for (const part of [value.accuInit, value.loopCondition, value.loopStep, value.result]) inspect(part, inner, depth + 1, facts);
      return;
    }
    default:
  }
}
