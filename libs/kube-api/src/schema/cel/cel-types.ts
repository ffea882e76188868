/**
 * The type of an expression's value where it is known without the values of its variables, named as cel-go names
 * them (`bool`, `int`, `string`, `null_type`, `list`, `map`…), or undefined where it depends on them (`dyn`).
 *
 * kube-apiserver type-checks an expression against what its place must produce (a validation or match condition
 * a bool, a message expression a string) and refuses it at create. Our variables are untyped, so this finds only
 * what is certain: a literal, an operator's or function's fixed result, a comprehension's, the admission request's
 * typed fields. Whatever it cannot tell is let through, never refused.
 */
export function staticTypeOf(expr: any, typed: ReadonlySet<string> = new Set()): string | undefined {
  return typeOf(expr, typed, new Set());
}

const CONSTANTS: Record<string, string> = {
  boolValue: 'bool', int64Value: 'int', uint64Value: 'uint', doubleValue: 'double', stringValue: 'string', bytesValue: 'bytes', nullValue: 'null_type',
};

const BOOL_OPERATORS = new Set(['_==_', '_!=_', '_<_', '_<=_', '_>_', '_>=_', '_&&_', '_||_', '!_', '@in', '@not_strictly_false', 'matches', 'contains', 'startsWith', 'endsWith']);
const ARITHMETIC = new Set(['_+_', '_-_', '_*_', '_/_', '_%_']);
/** Functions whose result has one type whatever they are given (the standard library's and the strings extension's). */
const FIXED: Record<string, string> = {
  size: 'int', int: 'int', uint: 'uint', double: 'double', string: 'string', bytes: 'bytes', bool: 'bool', duration: 'google.protobuf.Duration',
  timestamp: 'google.protobuf.Timestamp', charAt: 'string', indexOf: 'int', lastIndexOf: 'int', lowerAscii: 'string', upperAscii: 'string',
  replace: 'string', split: 'list', substring: 'string', trim: 'string', join: 'string', format: 'string', quote: 'string',
  getFullYear: 'int', getMonth: 'int', getDayOfYear: 'int', getDayOfMonth: 'int', getDate: 'int', getDayOfWeek: 'int', getHours: 'int',
  getMinutes: 'int', getSeconds: 'int', getMilliseconds: 'int',
};

/**
 * The admission request's fields (kube-apiserver declares `request` as admission.k8s.io's AdmissionRequest): their
 * types, a nested record for a nested message. A field not listed is unknown.
 */
type Fields = { [name: string]: string | Fields };
const GVK: Fields = { group: 'string', version: 'string', kind: 'string' };
const GVR: Fields = { group: 'string', version: 'string', resource: 'string' };
const REQUEST: Fields = {
  uid: 'string', name: 'string', namespace: 'string', operation: 'string', subResource: 'string', requestSubResource: 'string', dryRun: 'bool',
  kind: GVK, requestKind: GVK, resource: GVR, requestResource: GVR,
  userInfo: { username: 'string', uid: 'string', groups: 'list', extra: 'map' },
};
const MESSAGE = 'message';

/** The request's fields, by path from the `request` variable; a Fields value is a message. */
function requestField(expr: any, typed: ReadonlySet<string>, bound: ReadonlySet<string>): string | Fields | undefined {
  const { case: kind, value } = expr?.exprKind ?? {};
  if (kind === 'identExpr') return value.name === 'request' && typed.has('request') && !bound.has('request') ? REQUEST : undefined;
  if (kind !== 'selectExpr' || value.testOnly) return undefined;
  const parent = requestField(value.operand, typed, bound);
  return typeof parent === 'object' ? parent[value.field] : undefined;
}

function typeOf(expr: any, typed: ReadonlySet<string>, bound: ReadonlySet<string>): string | undefined {
  const { case: kind, value } = expr?.exprKind ?? {};
  switch (kind) {
    case 'constExpr':
      return CONSTANTS[value.constantKind?.case];
    case 'listExpr':
      return 'list';
    case 'structExpr':
      return value.messageName ? undefined : 'map';
    case 'identExpr':
    case 'selectExpr': {
      if (kind === 'selectExpr' && value.testOnly) return 'bool';
      const field = requestField(expr, typed, bound);
      return typeof field === 'object' ? MESSAGE : field;
    }
    case 'comprehensionExpr': {
      const inner = new Set([...bound, value.iterVar, value.iterVar2, value.accuVar].filter(Boolean));
      const result = value.result?.exprKind;
      // The macros (all, exists, map, filter) give back their accumulator: its type is its first value's.
      if (result?.case === 'identExpr' && result.value.name === value.accuVar) return typeOf(value.accuInit, typed, bound);
      return typeOf(value.result, typed, inner);
    }
    case 'callExpr': {
      const name: string = value.function;
      if (BOOL_OPERATORS.has(name)) return 'bool';
      if (name === '_?_:_') {
        const [then, otherwise] = [typeOf(value.args[1], typed, bound), typeOf(value.args[2], typed, bound)];
        return then !== undefined && then === otherwise ? then : undefined;
      }
      if (ARITHMETIC.has(name)) {
        const [left, right] = [typeOf(value.args[0], typed, bound), typeOf(value.args[1], typed, bound)];
        // Only where both sides agree: timestamps and durations mix in + and -, and dyn takes any overload.
        if (left === undefined || left !== right || left.startsWith('google.')) return undefined;
        return left === 'bool' || left === 'null_type' || left === MESSAGE ? undefined : left;
      }
      if (name === '-_') {
        const operand = typeOf(value.args[0], typed, bound);
        return operand === 'int' || operand === 'double' ? operand : undefined;
      }
      // A function of the Kubernetes libraries, or a member call on something unknown, may have any result.
      return Object.prototype.hasOwnProperty.call(FIXED, name) && (name !== 'quote' || value.target?.exprKind?.value?.name === 'strings') ? FIXED[name] : undefined;
    }
    default:
      return undefined;
  }
}
