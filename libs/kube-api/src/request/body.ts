import { isNode, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { nestedDeeperThan, tooDeepMessage, yamlBodyDeeperThan } from './body-depth';
import { decodeEnvelope } from './protobuf';
import { PROTOBUF_MESSAGES } from './protobuf-kinds';
import { decodeMessage, UnreadFieldError } from './protobuf-message';
import { badRequest, statusError, unsupportedMediaType } from './status';

const JSON_TYPES = ['application/json', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json'];
const YAML_TYPES = ['application/yaml', 'application/apply-patch+yaml', 'application/x-yaml', 'text/yaml'];

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
}

/**
 * A request body as JSON or YAML (one document), or as Kubernetes protobuf for the kinds kubectl's typed
 * generators post (protobuf-kinds.ts); any other protobuf is a 415. Malformed bodies are a 400 naming where
 * they broke, and so is a body nested more than MAX_BODY_DEPTH levels deep (body-depth.ts).
 */
export function parseBody(buf: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf') return parseProtobuf(buf, type);
  const text = buf.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty');
  if (YAML_TYPES.includes(type)) return parseYaml(text);
  if (!JSON_TYPES.includes(type)) throw unsupportedMediaType(type, ['application/json', 'application/yaml']);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (nestedDeeperThan(value)) throw badRequest(tooDeepMessage());
  return value;
}

function parseYaml(text: string): unknown {
  // Measured before the document is composed: composing recurses per level (body-depth.ts).
  if (yamlBodyDeeperThan(text)) throw badRequest(tooDeepMessage());
  // The library's own duplicate-key check compares every key with every other (20,000 keys took 10 s): keys are
  // checked here, once each.
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const where = e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    throw badRequest(`the request body is not valid YAML${where}: ${e.message.split('\n')[0]}`);
  }
  refuseDuplicateKeys(doc, lines);
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // An alias bomb (aliases expanding to billions of nodes): the yaml library stops it, as go-yaml refuses
    // "excessive aliasing"; the client's error, not the server's.
    throw badRequest(`the request body is not valid YAML: ${(err as Error).message}`);
  }
  // An anchor whose value holds its own alias (`data: &d {a: *d}`) is an object inside itself: every later step
  // recursed over it until the stack ran out (a 500).
  if (holdsItself(value)) throw badRequest('the request body is not valid YAML: an anchor\'s value contains an alias of itself');
  return value;
}

function refuseDuplicateKeys(doc: ReturnType<typeof parseDocument>, lines: LineCounter): void {
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : String(pair.key);
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const at = isNode(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]) : undefined;
        throw badRequest(`the request body is not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''}: Map keys must be unique`);
      }
    },
  });
}

/** Whether an object holds itself (a path from it leads back to it), found in one walk. */
function holdsItself(value: unknown, ancestors = new Set<object>()): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (ancestors.has(value)) return true;
  ancestors.add(value);
  for (const child of Array.isArray(value) ? value : Object.values(value)) if (holdsItself(child, ancestors)) return true;
  ancestors.delete(value);
  return false;
}

function parseProtobuf(buf: Buffer, type: string): unknown {
  let envelope;
  try {
    envelope = decodeEnvelope(buf);
  } catch {
    envelope = undefined; // not an envelope we can read: answered like any protobuf we do not take
  }
  const message = envelope && PROTOBUF_MESSAGES[`${envelope.apiVersion}/${envelope.kind}`];
  if (!envelope || !message) throw unsupportedMediaType(type, ['application/json', 'application/yaml']);
  try {
    return { apiVersion: envelope.apiVersion, kind: envelope.kind, ...decodeMessage(envelope.raw, message) };
  } catch (err) {
    if (err instanceof UnreadFieldError) {
      throw statusError(415, 'UnsupportedMediaType', `the protobuf ${envelope.kind} is read only in part: ${err.message}; send it as JSON (kubectl apply -f, kubectl create -f)`);
    }
    throw badRequest(`the ${envelope.kind} in the protobuf body cannot be decoded: ${(err as Error).message}`);
  }
}
