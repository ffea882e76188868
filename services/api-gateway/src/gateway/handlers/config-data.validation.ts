import { fieldForbidden, fieldInvalid, fieldRequired, fieldTooLong, goQuote, StatusCause } from '@openpacific/kube-api';
import { validateServiceAccountTokenSecret } from '../auth/service-account-tokens';

/** kube-apiserver's limit on the data a ConfigMap or Secret holds (core.MaxSecretSize), 1 MiB. */
export const MAX_CONFIG_DATA_BYTES = 1024 * 1024;

/** The bytes a map of strings holds: UTF-8 text (`decode` 'utf8') or base64 (the decoded bytes). */
function mapBytes(map: unknown, encoding: 'utf8' | 'base64'): number {
  if (!map || typeof map !== 'object') return 0;
  let total = 0;
  for (const value of Object.values(map)) if (typeof value === 'string') total += Buffer.byteLength(value, encoding);
  return total;
}

/**
 * A ConfigMap's `data` and `binaryData` together hold at most 1 MiB, as kube-apiserver counts them; the cause names
 * the whole object (`[]`), as there.
 */
export function validateConfigMapSize(cm: any): StatusCause[] {
  const total = mapBytes(cm?.data, 'utf8') + mapBytes(cm?.binaryData, 'base64');
  return total > MAX_CONFIG_DATA_BYTES ? [fieldTooLong('[]', MAX_CONFIG_DATA_BYTES)] : [];
}

/** A Secret's `data` (with `stringData` merged in, as stored) holds at most 1 MiB of decoded bytes. */
export function validateSecretSize(secret: any): StatusCause[] {
  const total = mapBytes(secret?.data, 'base64') + mapBytes(secret?.stringData, 'utf8');
  return total > MAX_CONFIG_DATA_BYTES ? [fieldTooLong('data', MAX_CONFIG_DATA_BYTES)] : [];
}

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** apimachinery's IsConfigMapKey: what is wrong with a ConfigMap or Secret key (none when it is valid). */
export function configKeyProblems(key: string): string[] {
  const out: string[] = [];
  if (key.length > 253) out.push('must be no more than 253 characters');
  if (!CONFIG_KEY.test(key)) {
    out.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  }
  if (key === '.') out.push("must not be '.'");
  else if (key === '..') out.push("must not be '..'");
  else if (key.startsWith('..')) out.push("must not start with '..'");
  return out;
}

const keysOf = (map: unknown): string[] => (map && typeof map === 'object' ? Object.keys(map) : []);

/** Every key of a map as a config key: `<field>[<key>]: Invalid value: "<key>": …`. */
function keyCauses(field: string, map: unknown): StatusCause[] {
  return keysOf(map).flatMap((k) => configKeyProblems(k).map((p) => fieldInvalid(`${field}[${k}]`, k, p)));
}

/**
 * kube-apiserver's ValidateConfigMap (past ObjectMeta): every key of `data` and `binaryData` a valid config key, no
 * key in both, and 1 MiB at most in all.
 */
export function validateConfigMap(cm: any): StatusCause[] {
  const binary = cm?.binaryData && typeof cm.binaryData === 'object' ? cm.binaryData : {};
  const causes: StatusCause[] = [];
  for (const k of keysOf(cm?.data)) {
    for (const p of configKeyProblems(k)) causes.push(fieldInvalid(`data[${k}]`, k, p));
    if (Object.hasOwn(binary, k)) causes.push(fieldInvalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
  }
  return [...causes, ...keyCauses('binaryData', cm?.binaryData), ...validateConfigMapSize(cm)];
}

const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';

/** A map as Go's reflect.DeepEqual sees it once decoded (an empty map and none taken alike). */
function sameMap(a: unknown, b: unknown): boolean {
  const entries = (m: unknown) => Object.entries(m && typeof m === 'object' ? (m as Record<string, unknown>) : {});
  const ea = entries(a);
  const eb = new Map(entries(b));
  return ea.length === eb.size && ea.every(([k, v]) => eb.has(k) && eb.get(k) === v);
}

/** kube-apiserver's ValidateConfigMapUpdate (past ObjectMeta), then ValidateConfigMap of the new one. */
export function validateConfigMapUpdate(old: any, next: any): StatusCause[] {
  const causes: StatusCause[] = [];
  if (old?.immutable === true) {
    if (next?.immutable !== true) causes.push(fieldForbidden('immutable', IMMUTABLE_WHEN_SET));
    if (!sameMap(next?.data, old.data)) causes.push(fieldForbidden('data', IMMUTABLE_WHEN_SET));
    if (!sameMap(next?.binaryData, old.binaryData)) causes.push(fieldForbidden('binaryData', IMMUTABLE_WHEN_SET));
  }
  return [...causes, ...validateConfigMap(next)];
}

/** The Secret types whose content kube-apiserver checks, and the keys it looks for. */
const SERVICE_ACCOUNT_TOKEN = 'kubernetes.io/service-account-token';
const DOCKERCFG = 'kubernetes.io/dockercfg';
const DOCKERCFG_KEY = '.dockercfg';
const DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson';
const BASIC_AUTH = 'kubernetes.io/basic-auth';
const SSH_AUTH = 'kubernetes.io/ssh-auth';
const TLS = 'kubernetes.io/tls';

/**
 * kube-apiserver's ValidateSecret (past ObjectMeta), on a Secret as stored (`stringData` merged into `data`): every
 * key a valid config key, 1 MiB at most, and what its type needs: a service-account-token names its ServiceAccount,
 * a docker config is JSON (an object), basic-auth holds a username or a password, ssh-auth a private key, tls a
 * certificate and a key.
 */
export function validateSecret(secret: any): StatusCause[] {
  const data: Record<string, unknown> = secret?.data && typeof secret.data === 'object' ? secret.data : {};
  const has = (k: string) => Object.hasOwn(data, k);
  const bytes = (k: string) => Buffer.from(typeof data[k] === 'string' ? (data[k] as string) : '', 'base64');
  const causes = [...keyCauses('data', data), ...validateSecretSize(secret)];
  switch (secret?.type) {
    case SERVICE_ACCOUNT_TOKEN:
      causes.push(...validateServiceAccountTokenSecret(secret));
      break;
    case DOCKERCFG:
    case DOCKER_CONFIG_JSON: {
      const key = secret.type === DOCKERCFG ? DOCKERCFG_KEY : DOCKER_CONFIG_JSON_KEY;
      if (!has(key)) {
        causes.push(fieldRequired(`data[${key}]`));
        break;
      }
      const error = goJsonObjectError(bytes(key));
      if (error) causes.push(fieldInvalid(`data[${key}]`, '<secret contents redacted>', error));
      break;
    }
    case BASIC_AUTH:
      if (!has('username') && !has('password')) causes.push(fieldRequired('data[username]'), fieldRequired('data[password]'));
      break;
    case SSH_AUTH:
      if (bytes('ssh-privatekey').length === 0) causes.push(fieldRequired('data[ssh-privatekey]'));
      break;
    case TLS:
      if (!has('tls.crt')) causes.push(fieldRequired('data[tls.crt]'));
      if (!has('tls.key')) causes.push(fieldRequired('data[tls.key]'));
      break;
    default:
  }
  return causes;
}

/** kube-apiserver's ValidateSecretUpdate (past ObjectMeta): `type` never changes, nor an immutable one's data; then ValidateSecret. */
export function validateSecretUpdate(old: any, next: any): StatusCause[] {
  const causes: StatusCause[] = [];
  if ((next?.type ?? '') !== (old?.type ?? '')) causes.push(fieldInvalid('type', next?.type ?? '', 'field is immutable'));
  if (old?.immutable === true) {
    if (next?.immutable !== true) causes.push(fieldForbidden('immutable', IMMUTABLE_WHEN_SET));
    if (!sameMap(next?.data, old.data)) causes.push(fieldForbidden('data', IMMUTABLE_WHEN_SET));
  }
  return [...causes, ...validateSecret(next)];
}

/**
 * What Go's json.Unmarshal into a map[string]interface{} says of these bytes (undefined when it takes them): its
 * scanner's syntax errors word for word, else the type error of a value that is not an object (null is taken).
 */
export function goJsonObjectError(data: Buffer): string | undefined {
  const syntax = goJsonSyntaxError(data);
  if (syntax) return syntax;
  let i = 0;
  while (i < data.length && isJsonSpace(data[i])) i++;
  const first = String.fromCharCode(data[i]);
  const kind = first === '{' ? undefined : first === 'n' ? undefined : first === '[' ? 'array' : first === '"' ? 'string' : first === 't' || first === 'f' ? 'bool' : 'number';
  return kind ? `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}` : undefined;
}

const isJsonSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** Go's quoteChar: a byte as its scanner names it in an error. */
function goQuoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  return `'${goQuote(String.fromCharCode(c)).slice(1, -1)}'`;
}

/** Go's encoding/json scanner (checkValid): the first syntax error in the bytes, as Go words it, if any. */
export function goJsonSyntaxError(data: Buffer): string | undefined {
  type Step = (c: number) => string | undefined;
  const stack: ('key' | 'value' | 'array')[] = [];
  let endTop = false;
  let step: Step;
  const fail = (c: number, context: string) => `invalid character ${goQuoteChar(c)} ${context}`;
  const literal = (word: string, at: number): Step => (c) => {
    if (c !== word.charCodeAt(at)) return fail(c, `in literal ${word} (expecting '${word[at]}')`);
    step = at + 1 < word.length ? literal(word, at + 1) : endValue;
    return undefined;
  };
  const pop = () => {
    stack.pop();
    if (stack.length === 0) {
      step = endTop_;
      endTop = true;
    } else step = endValue;
  };
  const endTop_: Step = (c) => (isJsonSpace(c) ? undefined : fail(c, 'after top-level value'));
  const endValue: Step = (c) => {
    const n = stack.length;
    if (n === 0) {
      step = endTop_;
      endTop = true;
      return endTop_(c);
    }
    if (isJsonSpace(c)) {
      step = endValue;
      return undefined;
    }
    const top = stack[n - 1];
    if (top === 'key') {
      if (c === 0x3a) {
        stack[n - 1] = 'value';
        step = beginValue;
        return undefined;
      }
      return fail(c, 'after object key');
    }
    if (top === 'value') {
      if (c === 0x2c) {
        stack[n - 1] = 'key';
        step = beginString;
        return undefined;
      }
      if (c === 0x7d) {
        pop();
        return undefined;
      }
      return fail(c, 'after object key:value pair');
    }
    if (c === 0x2c) {
      step = beginValue;
      return undefined;
    }
    if (c === 0x5d) {
      pop();
      return undefined;
    }
    return fail(c, 'after array element');
  };
  const inString: Step = (c) => {
    if (c === 0x22) step = endValue;
    else if (c === 0x5c) step = inStringEsc;
    else if (c < 0x20) return fail(c, 'in string literal');
    return undefined;
  };
  const escU = (left: number): Step => (c) => {
    if (!isHex(c)) return fail(c, 'in \\u hexadecimal character escape');
    step = left > 1 ? escU(left - 1) : inString;
    return undefined;
  };
  const inStringEsc: Step = (c) => {
    if ('bfnrt\\/"'.includes(String.fromCharCode(c))) step = inString;
    else if (c === 0x75) step = escU(4);
    else return fail(c, 'in string escape code');
    return undefined;
  };
  const eSign: Step = (c) => {
    if (!isDigit(c)) return fail(c, 'in exponent of numeric literal');
    step = e0;
    return undefined;
  };
  const e0: Step = (c) => (isDigit(c) ? undefined : endValue(c));
  const e: Step = (c) => {
    if (c === 0x2b || c === 0x2d) {
      step = eSign;
      return undefined;
    }
    return eSign(c);
  };
  const dot0: Step = (c) => {
    if (isDigit(c)) return undefined;
    if (c === 0x65 || c === 0x45) {
      step = e;
      return undefined;
    }
    return endValue(c);
  };
  const dot: Step = (c) => {
    if (!isDigit(c)) return fail(c, 'after decimal point in numeric literal');
    step = dot0;
    return undefined;
  };
  const zero: Step = (c) => {
    if (c === 0x2e) step = dot;
    else if (c === 0x65 || c === 0x45) step = e;
    else return endValue(c);
    return undefined;
  };
  const one: Step = (c) => {
    if (isDigit(c)) {
      step = one;
      return undefined;
    }
    return zero(c);
  };
  const neg: Step = (c) => {
    if (c === 0x30) step = zero;
    else if (c >= 0x31 && c <= 0x39) step = one;
    else return fail(c, 'in numeric literal');
    return undefined;
  };
  const beginValue: Step = (c) => {
    if (isJsonSpace(c)) return undefined;
    switch (c) {
      case 0x7b:
        step = beginStringOrEmpty;
        stack.push('key');
        return undefined;
      case 0x5b:
        step = beginValueOrEmpty;
        stack.push('array');
        return undefined;
      case 0x22:
        step = inString;
        return undefined;
      case 0x2d:
        step = neg;
        return undefined;
      case 0x30:
        step = zero;
        return undefined;
      case 0x74:
        step = literal('true', 1);
        return undefined;
      case 0x66:
        step = literal('false', 1);
        return undefined;
      case 0x6e:
        step = literal('null', 1);
        return undefined;
      default:
        if (c >= 0x31 && c <= 0x39) {
          step = one;
          return undefined;
        }
        return fail(c, 'looking for beginning of value');
    }
  };
  const beginValueOrEmpty: Step = (c) => {
    if (isJsonSpace(c)) return undefined;
    if (c === 0x5d) return endValue(c);
    return beginValue(c);
  };
  const beginString: Step = (c) => {
    if (isJsonSpace(c)) return undefined;
    if (c === 0x22) {
      step = inString;
      return undefined;
    }
    return fail(c, 'looking for beginning of object key string');
  };
  const beginStringOrEmpty: Step = (c) => {
    if (isJsonSpace(c)) return undefined;
    if (c === 0x7d) {
      stack[stack.length - 1] = 'value';
      return endValue(c);
    }
    return beginString(c);
  };
  step = beginValue;
  for (const c of data) {
    const error = step(c);
    if (error) return error;
  }
  // At the end Go's scanner steps a space, which ends a number (or names what a literal or escape still expected).
  if (endTop) return undefined;
  const error = step(0x20);
  if (error) return error;
  return endTop ? undefined : 'unexpected end of JSON input';
}
