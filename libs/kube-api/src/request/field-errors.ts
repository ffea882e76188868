import { goQuote } from './go-quote';
import { StatusCause } from './status';

/**
 * field.Error as kube-apiserver words it (k8s.io/apimachinery/pkg/util/validation/field): one constructor per
 * error type, each giving the StatusCause a 422 carries: the field path, the `FieldValue…` reason and the message
 * `<Type>: <value>: <detail>`. Every validation in the project builds its causes with these, so a message reads
 * the same whichever resource refuses it, and the same as the real kube-apiserver's. They are named `field…`
 * (Go's `field.Invalid` is `fieldInvalid`) because `invalid`, `forbidden` and `notFound` here already build the
 * whole Status.
 *
 * The bad value is printed as field.Error prints it: a string as Go's %q, a number or a boolean bare, nothing
 * (null, undefined) as `null`. Go prints anything else with %#v (`[]string{"a", "b"}`, `map[string]string{…}`), which
 * JSON cannot imitate in general: such values are JSON here, and a caller that knows the Go form passes it
 * already written with {@link goRendered}. {@link OMIT_VALUE} leaves the value out (`Invalid value: <detail>`),
 * as kube-apiserver does for an error about a whole object rather than one value.
 */

/** A cause with all three parts set: what every constructor here returns (a StatusCause, and a schema ValidationCause). */
export type FieldCause = Required<StatusCause>;

/** A value already written the way Go prints it (a `%#v` slice, a selector's String()): printed as it is. */
export class GoRendered {
  constructor(readonly text: string) {}
}

export const goRendered = (text: string): GoRendered => new GoRendered(text);

/** field's omitValue: the message names no value, only the detail. */
export const OMIT_VALUE: unique symbol = Symbol('omitValue');

/** A bad value as field.Error prints it: strings as Go's %q, numbers and booleans bare, null for nothing. */
export function renderFieldValue(value: unknown): string {
  if (value instanceof GoRendered) return value.text;
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value == null) return 'null';
  return JSON.stringify(value);
}

/** `<Type>: <value>` (or just `<Type>` when the value is left out), then `: <detail>` when there is one. */
function body(type: string, value: unknown, detail: string): string {
  const head = value === OMIT_VALUE ? type : `${type}: ${renderFieldValue(value)}`;
  return detail ? `${head}: ${detail}` : head;
}

/** field.Required: `Required value` or `Required value: <detail>`. Required errors never print the value. */
export function fieldRequired(field: string, detail = ''): FieldCause {
  return { field, reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value' };
}

/** field.Invalid: `Invalid value: <value>: <detail>`. */
export function fieldInvalid(field: string, value: unknown, detail: string): FieldCause {
  return { field, reason: 'FieldValueInvalid', message: body('Invalid value', value, detail) };
}

/**
 * field.NotSupported: `Unsupported value: <value>: supported values: "a", "b"`. The supported values are printed
 * in the order given, each as %q; kube-apiserver's callers mostly pass a sorted set, so sort at the call site
 * when the Go code does. An empty list prints no detail.
 */
export function fieldNotSupported(field: string, value: unknown, supported: readonly string[]): FieldCause {
  const detail = supported.length > 0 ? `supported values: ${supported.map(goQuote).join(', ')}` : '';
  return { field, reason: 'FieldValueNotSupported', message: body('Unsupported value', value, detail) };
}

/** field.Forbidden: `Forbidden: <detail>`. Forbidden errors never print the value. */
export function fieldForbidden(field: string, detail: string): FieldCause {
  return { field, reason: 'FieldValueForbidden', message: `Forbidden: ${detail}` };
}

/** field.Duplicate: `Duplicate value: <value>`. */
export function fieldDuplicate(field: string, value: unknown): FieldCause {
  return { field, reason: 'FieldValueDuplicate', message: body('Duplicate value', value, '') };
}

/** field.NotFound: `Not found: <value>`. */
export function fieldNotFound(field: string, value: unknown): FieldCause {
  return { field, reason: 'FieldValueNotFound', message: body('Not found', value, '') };
}

/** field.TooLong: `Too long: may not be more than <n> bytes` (`byte` for one); the value is never printed. */
export function fieldTooLong(field: string, maxLength: number): FieldCause {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return { field, reason: 'FieldValueTooLong', message: `Too long: ${detail}` };
}

/** field.TooMany: `Too many: <actual>: must have at most <max> items` (`item` for one). */
export function fieldTooMany(field: string, actual: number, max: number): FieldCause {
  const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items';
  return { field, reason: 'FieldValueTooMany', message: body('Too many', actual >= 0 ? actual : OMIT_VALUE, detail) };
}
