import { parseDocument } from 'yaml';
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
  if (type === 'application/vnd.kubernetes.protobuf') {
    throw unsupportedMediaType(type, ['application/json', 'application/yaml']);
  }
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
