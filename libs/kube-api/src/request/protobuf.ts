/**
 * Kubernetes' protobuf wire form, read field by field. A body is the magic `k8s\0` and a runtime.Unknown
 * {typeMeta{apiVersion, kind}, raw}; raw is the object's message (protobuf-message.ts reads it).
 */
type Fields = Map<number, Array<Buffer | number>>;

function readVarint(buf: Buffer, at: { i: number }): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (at.i >= buf.length) throw new Error('truncated varint');
    const b = buf[at.i++];
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
    if (shift > 63) throw new Error('varint too long');
  }
}

export function decodeFields(buf: Buffer): Fields {
  const fields: Fields = new Map();
  const at = { i: 0 };
  while (at.i < buf.length) {
    const key = readVarint(buf, at);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value: Buffer | number;
    if (wire === 0) value = readVarint(buf, at);
    else if (wire === 2) {
      const len = readVarint(buf, at);
      if (at.i + len > buf.length) throw new Error('truncated field');
      value = buf.subarray(at.i, at.i + len);
      at.i += len;
    } else if (wire === 1) {
      value = buf.subarray(at.i, at.i + 8);
      at.i += 8;
    } else if (wire === 5) {
      value = buf.subarray(at.i, at.i + 4);
      at.i += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const str = (f: Fields, n: number) => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};

/** runtime.Unknown's typeMeta and raw bytes; undefined when the body is not a k8s protobuf envelope. */
export function decodeEnvelope(body: Buffer): { apiVersion: string; kind: string; raw: Buffer } | undefined {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0') return undefined;
  const unknown = decodeFields(body.subarray(4));
  const typeMeta = unknown.get(1)?.[0];
  const raw = unknown.get(2)?.[0];
  if (!Buffer.isBuffer(typeMeta) || !Buffer.isBuffer(raw)) return undefined;
  const tm = decodeFields(typeMeta);
  return { apiVersion: str(tm, 1) ?? '', kind: str(tm, 2) ?? '', raw };
}
