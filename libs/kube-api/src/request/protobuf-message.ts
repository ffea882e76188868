import { decodeFields } from './protobuf';
import { rfc3339 } from '@openpacific/contracts';

/**
 * Kubernetes' protobuf messages read into the objects their JSON form would be, from a description of each
 * message's fields (numbers as in Kubernetes' generated.proto). Go's protobuf writes a field that is not a pointer
 * even when it holds its zero value, where its JSON leaves it out (`omitempty`): so empty strings, lists, maps and
 * messages, and zero numbers and false, are dropped unless the field says `keepZero` (a pointer, set on purpose).
 */
export type Scalar = 'string' | 'bytes' | 'int' | 'bool' | 'quantity' | 'intOrString' | 'time' | 'microTime';

export interface FieldSpec {
  json: string;
  /** `ignore`: a field the server sets (status, uid…), read past whatever it holds. */
  type: Scalar | Message | { map: Scalar } | 'ignore';
  repeated?: boolean;
  keepZero?: boolean;
  /** A message embedded in Go (`VolumeSource` in `Volume`, `LocalObjectReference` in a key selector): its fields are the parent's in JSON. */
  inline?: boolean;
}

export interface Message {
  [fieldNumber: number]: FieldSpec;
}

type Wire = Buffer | number;

/** A body that sets a field this description does not read: refused rather than stored without it. */
export class UnreadFieldError extends Error {
  constructor(readonly field: string) {
    super(`it sets ${field}, which this API does not read from protobuf`);
  }
}

/** A varint as a signed 64-bit number (Go writes a negative int32 as ten bytes of two's complement). */
const signed = (v: number): number => (v >= 2 ** 63 ? v - 2 ** 64 : v);

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

function asBuffer(v: Wire | undefined, what: string): Buffer {
  if (!Buffer.isBuffer(v)) throw new Error(`${what}: expected a length-delimited field`);
  return v;
}

function scalar(v: Wire, type: Scalar, what: string): unknown {
  switch (type) {
    case 'string':
      return asBuffer(v, what).toString('utf8');
    case 'bytes':
      return asBuffer(v, what).toString('base64');
    case 'int':
      if (typeof v !== 'number') throw new Error(`${what}: expected a varint`);
      return signed(v);
    case 'bool':
      if (typeof v !== 'number') throw new Error(`${what}: expected a varint`);
      return v !== 0;
    case 'quantity':
      // resource.Quantity: its string form in field 1.
      return decodeFields(asBuffer(v, what)).get(1)?.map((b) => scalar(b, 'string', what))[0] ?? '';
    case 'intOrString': {
      // intstr.IntOrString: type (0 int, 1 string), intVal, strVal.
      const f = decodeFields(asBuffer(v, what));
      return f.get(1)?.[0] === 1 ? scalar(f.get(3)?.[0] ?? Buffer.alloc(0), 'string', what) : signed(Number(f.get(2)?.[0] ?? 0));
    }
    case 'time': {
      // metav1.Time: seconds and nanos since the epoch; RFC 3339 to the second, as its JSON.
      const f = decodeFields(asBuffer(v, what));
      const seconds = signed(Number(f.get(1)?.[0] ?? 0));
      return seconds === 0 ? '' : rfc3339(seconds * 1000);
    }
    case 'microTime': {
      // metav1.MicroTime: the same message; RFC 3339 with six fractional digits, as its JSON.
      const f = decodeFields(asBuffer(v, what));
      const seconds = signed(Number(f.get(1)?.[0] ?? 0));
      const micros = Math.floor(Number(f.get(2)?.[0] ?? 0) / 1000);
      if (seconds === 0 && micros === 0) return '';
      return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
    }
  }
}

/** Repeated numbers may come packed in one length-delimited field. */
function unpack(values: Wire[], type: Scalar): Wire[] {
  if (type !== 'int' && type !== 'bool') return values;
  return values.flatMap((v) => {
    if (!Buffer.isBuffer(v)) return [v];
    const out: number[] = [];
    for (let i = 0, result = 0, shift = 0; i < v.length; i++) {
      result += (v[i] & 0x7f) * 2 ** shift;
      shift += 7;
      if ((v[i] & 0x80) === 0) {
        out.push(result);
        result = 0;
        shift = 0;
      }
    }
    return out;
  });
}

function value(v: Wire, spec: FieldSpec, what: string): unknown {
  const type = spec.type;
  if (typeof type === 'string') return scalar(v, type as Scalar, what);
  return decodeMessage(asBuffer(v, what), type as Message, what);
}

/** The JSON form of one message; fields it does not describe are left out. */
export function decodeMessage(buf: Buffer, message: Message, at = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [n, values] of decodeFields(buf)) {
    const spec = message[n];
    if (!spec) {
      // Go writes fields that hold their zero value too; only one that carries something is refused.
      if (values.some((v) => (Buffer.isBuffer(v) ? v.length > 0 : v !== 0))) throw new UnreadFieldError(`field ${n} of ${at || 'the object'}`);
      continue;
    }
    if (spec.type === 'ignore') continue;
    const what = at ? `${at}.${spec.json}` : spec.json;
    let decoded: unknown;
    if (typeof spec.type === 'object' && 'map' in spec.type) {
      const valueType = (spec.type as { map: Scalar }).map;
      const map: Record<string, unknown> = {};
      for (const entry of values) {
        const e = decodeFields(asBuffer(entry, what));
        const key = scalar(e.get(1)?.[0] ?? Buffer.alloc(0), 'string', what) as string;
        const v = e.get(2)?.[0];
        map[key] = v === undefined ? (valueType === 'int' ? 0 : '') : scalar(v, valueType, `${what}[${key}]`);
      }
      decoded = map;
    } else if (spec.repeated) {
      decoded = (typeof spec.type === 'string' ? unpack(values, spec.type as Scalar) : values).map((v, i) => value(v, spec, `${what}[${i}]`));
    } else decoded = value(values[values.length - 1], spec, what);
    if (spec.inline && typeof decoded === 'object') Object.assign(out, decoded);
    else if (spec.keepZero ? decoded !== undefined && decoded !== '' : !isEmpty(decoded)) out[spec.json] = decoded;
  }
  return out;
}
