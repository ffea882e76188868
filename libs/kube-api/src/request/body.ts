import { parseDocument } from 'yaml';
import { decodeEnvelope, decodeFields, decodeObjectMeta } from './protobuf';
import { badRequest, unsupportedMediaType } from './status';

const JSON_TYPES = ['application/json', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json'];
const YAML_TYPES = ['application/yaml', 'application/apply-patch+yaml', 'application/x-yaml', 'text/yaml'];

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
}

/**
 * A request body as JSON or YAML (one document). Protobuf is refused with
 * 415: this API speaks JSON; malformed bodies are a 400 naming where they
 * broke.
 */
export function parseBody(buf: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf') return parseProtobuf(buf, type);
  const text = buf.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty');
  if (YAML_TYPES.includes(type)) return parseYaml(text);
  if (!JSON_TYPES.includes(type)) throw unsupportedMediaType(type, ['application/json', 'application/yaml']);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const where = e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    throw badRequest(`the request body is not valid YAML${where}: ${e.message.split('\n')[0]}`);
  }
  return doc.toJS();
}

/** Kinds whose protobuf form this API accepts: those kubectl's generators send with nothing but metadata that matters. */
const PROTOBUF_KINDS = new Set(['v1/Namespace']);

function parseProtobuf(buf: Buffer, type: string): unknown {
  let envelope;
  try {
    envelope = decodeEnvelope(buf);
  } catch {
    envelope = undefined; // not an envelope we can read: answered like any protobuf we do not take
  }
  if (!envelope || !PROTOBUF_KINDS.has(`${envelope.apiVersion}/${envelope.kind}`)) {
    throw unsupportedMediaType(type, ['application/json', 'application/yaml']);
  }
  try {
    const object = decodeFields(envelope.raw);
    const meta = object.get(1)?.[0];
    return { apiVersion: envelope.apiVersion, kind: envelope.kind, metadata: decodeObjectMeta(Buffer.isBuffer(meta) ? meta : Buffer.alloc(0)) };
  } catch (err) {
    throw badRequest(`the ${envelope.kind} in the protobuf body cannot be decoded: ${(err as Error).message}`);
  }
}
