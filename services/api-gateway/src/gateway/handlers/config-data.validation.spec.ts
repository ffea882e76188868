import {
  configKeyProblems, goJsonObjectError, MAX_CONFIG_DATA_BYTES, validateConfigMap, validateConfigMapSize, validateConfigMapUpdate, validateSecret, validateSecretSize,
  validateSecretUpdate,
} from './config-data.validation';

const tooLong = (field: string) => [{ field, reason: 'FieldValueTooLong', message: 'Too long: may not be more than 1048576 bytes' }];

describe('the size of a ConfigMap\'s or Secret\'s data', () => {
  it('lets a ConfigMap hold 1 MiB in data and binaryData together, counting UTF-8 bytes and decoded binary', () => {
    const half = MAX_CONFIG_DATA_BYTES / 2;
    expect(validateConfigMapSize({ data: { a: 'x'.repeat(half) }, binaryData: { b: Buffer.alloc(half).toString('base64') } })).toEqual([]);
    expect(validateConfigMapSize({ data: { a: 'x'.repeat(half) }, binaryData: { b: Buffer.alloc(half + 1).toString('base64') } })).toEqual(tooLong('[]'));
    // A snowman is three bytes in UTF-8.
    expect(validateConfigMapSize({ data: { a: '\u2603'.repeat(Math.floor(MAX_CONFIG_DATA_BYTES / 3) + 1) } })).toEqual(tooLong('[]'));
    expect(validateConfigMapSize({})).toEqual([]);
  });

  it('lets a Secret hold 1 MiB of decoded data, stringData counted with it', () => {
    const b64 = (n: number) => Buffer.alloc(n).toString('base64');
    expect(validateSecretSize({ data: { a: b64(MAX_CONFIG_DATA_BYTES) } })).toEqual([]);
    expect(validateSecretSize({ data: { a: b64(MAX_CONFIG_DATA_BYTES + 1) } })).toEqual(tooLong('data'));
    expect(validateSecretSize({ data: { a: b64(MAX_CONFIG_DATA_BYTES) }, stringData: { b: 'x' } })).toEqual(tooLong('data'));
  });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const messages = (causes: { field?: string; message?: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);
const KEY_MESSAGE = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const IMMUTABLE = 'Forbidden: field is immutable when `immutable` is set';

describe('ConfigMap and Secret keys, as apimachinery\'s IsConfigMapKey', () => {
  it('takes alphanumerics, dashes, underscores and dots', () => {
    for (const k of ['a', 'key.name', 'KEY_NAME', 'key-name', '.hidden', 'tls.crt', 'x'.repeat(253)]) expect(configKeyProblems(k)).toEqual([]);
  });

  it('refuses anything else, a name over 253 characters, and ., .. or a leading ..', () => {
    expect(configKeyProblems('bad key')).toEqual([KEY_MESSAGE]);
    expect(configKeyProblems('')).toEqual([KEY_MESSAGE]);
    expect(configKeyProblems('a/b')).toEqual([KEY_MESSAGE]);
    expect(configKeyProblems('x'.repeat(254))).toEqual(['must be no more than 253 characters']);
    expect(configKeyProblems('.')).toEqual(["must not be '.'"]);
    expect(configKeyProblems('..')).toEqual(["must not be '..'"]);
    expect(configKeyProblems('..a')).toEqual(["must not start with '..'"]);
  });
});

describe('a ConfigMap, as kube-apiserver\'s ValidateConfigMap and ValidateConfigMapUpdate', () => {
  it('names a bad key of data or binaryData, and a key in both', () => {
    expect(messages(validateConfigMap({ data: { 'bad key': 'v', a: '1', ok: '2' }, binaryData: { a: b64('x'), 'b/c': b64('y') } }))).toEqual([
      `data[bad key]: Invalid value: "bad key": ${KEY_MESSAGE}`,
      'data[a]: Invalid value: "a": duplicate of key present in binaryData',
      `binaryData[b/c]: Invalid value: "b/c": ${KEY_MESSAGE}`,
    ]);
    expect(validateConfigMap({ data: { a: '1' }, binaryData: { b: b64('x') } })).toEqual([]);
    expect(validateConfigMap({})).toEqual([]);
  });

  it('keeps the data and binaryData of an immutable one, and keeps it immutable', () => {
    const old = { immutable: true, data: { a: '1' }, binaryData: { b: b64('x') } };
    expect(validateConfigMapUpdate(old, { ...old, metadata: { labels: { l: 'v' } } })).toEqual([]);
    expect(messages(validateConfigMapUpdate(old, { ...old, data: { a: '2' } }))).toEqual([`data: ${IMMUTABLE}`]);
    expect(messages(validateConfigMapUpdate(old, { ...old, binaryData: {} }))).toEqual([`binaryData: ${IMMUTABLE}`]);
    expect(messages(validateConfigMapUpdate(old, { data: { a: '1' }, binaryData: { b: b64('x') } }))).toEqual([`immutable: ${IMMUTABLE}`]);
    expect(messages(validateConfigMapUpdate(old, { immutable: false, data: { a: '1', 'bad key': '' } }))).toEqual([
      `immutable: ${IMMUTABLE}`, `data: ${IMMUTABLE}`, `binaryData: ${IMMUTABLE}`, `data[bad key]: Invalid value: "bad key": ${KEY_MESSAGE}`,
    ]);
    // An empty map and none are the same data.
    expect(validateConfigMapUpdate({ immutable: true }, { immutable: true, data: {} })).toEqual([]);
    // A mutable one changes freely, and may become immutable.
    expect(validateConfigMapUpdate({ data: { a: '1' } }, { immutable: true, data: { a: '2' } })).toEqual([]);
  });
});

describe('a Secret, as kube-apiserver\'s ValidateSecret and ValidateSecretUpdate', () => {
  const secret = (type: string, data: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
    ({ type, metadata: { name: 's' }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])), ...extra });

  it('names a bad data key', () => {
    expect(messages(validateSecret(secret('Opaque', { 'bad key': 'x', good: 'y' })))).toEqual([`data[bad key]: Invalid value: "bad key": ${KEY_MESSAGE}`]);
  });

  it('needs a certificate and a key in a kubernetes.io/tls one (empty ones will do)', () => {
    expect(messages(validateSecret(secret('kubernetes.io/tls')))).toEqual(['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
    expect(messages(validateSecret(secret('kubernetes.io/tls', { 'tls.crt': 'C' })))).toEqual(['data[tls.key]: Required value']);
    expect(validateSecret(secret('kubernetes.io/tls', { 'tls.crt': '', 'tls.key': '' }))).toEqual([]);
  });

  it('needs JSON (an object, or null) in a docker config one', () => {
    expect(messages(validateSecret(secret('kubernetes.io/dockerconfigjson')))).toEqual(['data[.dockerconfigjson]: Required value']);
    expect(messages(validateSecret(secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': 'not json' })))).toEqual([
      'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character \'o\' in literal null (expecting \'u\')',
    ]);
    expect(validateSecret(secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': '{"auths":{}}' }))).toEqual([]);
    expect(messages(validateSecret(secret('kubernetes.io/dockercfg')))).toEqual(['data[.dockercfg]: Required value']);
    expect(messages(validateSecret(secret('kubernetes.io/dockercfg', { '.dockercfg': '[1]' })))).toEqual([
      'data[.dockercfg]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}',
    ]);
    expect(validateSecret(secret('kubernetes.io/dockercfg', { '.dockercfg': ' null ' }))).toEqual([]);
  });

  it('needs a username or a password in a basic-auth one, and a private key in an ssh-auth one', () => {
    expect(messages(validateSecret(secret('kubernetes.io/basic-auth')))).toEqual(['data[username]: Required value', 'data[password]: Required value']);
    expect(validateSecret(secret('kubernetes.io/basic-auth', { password: '' }))).toEqual([]);
    expect(messages(validateSecret(secret('kubernetes.io/ssh-auth')))).toEqual(['data[ssh-privatekey]: Required value']);
    expect(messages(validateSecret(secret('kubernetes.io/ssh-auth', { 'ssh-privatekey': '' })))).toEqual(['data[ssh-privatekey]: Required value']);
    expect(validateSecret(secret('kubernetes.io/ssh-auth', { 'ssh-privatekey': 'K' }))).toEqual([]);
  });

  it('needs a service-account-token one to name its ServiceAccount, and takes any other type as it is', () => {
    expect(messages(validateSecret(secret('kubernetes.io/service-account-token')))).toEqual(['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
    expect(validateSecret(secret('example.com/custom'))).toEqual([]);
    expect(validateSecret(secret(''))).toEqual([]);
  });

  it('never changes its type, and keeps the data of an immutable one', () => {
    const old = secret('Opaque', { a: '1' }, { immutable: true });
    expect(validateSecretUpdate(old, { ...old, metadata: { name: 's', labels: { l: 'v' } } })).toEqual([]);
    expect(messages(validateSecretUpdate(old, { ...old, type: 'kubernetes.io/tls', data: { ...old.data, 'tls.crt': '', 'tls.key': '' } }))).toEqual([
      'type: Invalid value: "kubernetes.io/tls": field is immutable', `data: ${IMMUTABLE}`,
    ]);
    expect(messages(validateSecretUpdate(old, { ...old, immutable: undefined }))).toEqual([`immutable: ${IMMUTABLE}`]);
    expect(messages(validateSecretUpdate(old, { ...old, data: { a: b64('2') } }))).toEqual([`data: ${IMMUTABLE}`]);
    expect(validateSecretUpdate({ type: 'Opaque', data: {} }, { type: 'Opaque', data: { a: b64('2') }, immutable: true })).toEqual([]);
    // The new content is checked too, after the update's own rules.
    expect(messages(validateSecretUpdate(secret('kubernetes.io/tls', { 'tls.crt': 'C', 'tls.key': 'K' }), secret('kubernetes.io/tls', { 'tls.crt': 'C' })))).toEqual(['data[tls.key]: Required value']);
  });
});

describe('a docker config as Go\'s json.Unmarshal into a map reads it', () => {
  const error = (s: string) => goJsonObjectError(Buffer.from(s));

  it('takes an object or null', () => {
    for (const ok of ['{}', ' {"a": [1, -2.5e+3, true, false, null, "x\\u00e9\\n"], "b": {}} ', 'null', '{"auths":{"r":{"auth":"eA=="}}}']) expect(error(ok)).toBeUndefined();
  });

  it('words a syntax error as Go\'s scanner does', () => {
    expect(error('')).toBe('unexpected end of JSON input');
    expect(error('{')).toBe('unexpected end of JSON input');
    expect(error('{"a":')).toBe('unexpected end of JSON input');
    expect(error('"abc')).toBe('unexpected end of JSON input');
    expect(error('tru')).toBe("invalid character ' ' in literal true (expecting 'e')");
    expect(error('nul!')).toBe("invalid character '!' in literal null (expecting 'l')");
    expect(error('{a}')).toBe("invalid character 'a' looking for beginning of object key string");
    expect(error('{"a" 1}')).toBe("invalid character '1' after object key");
    expect(error('{"a":1 "b"}')).toBe("invalid character '\"' after object key:value pair");
    expect(error('[1 2]')).toBe("invalid character '2' after array element");
    expect(error('{} x')).toBe("invalid character 'x' after top-level value");
    expect(error('x')).toBe("invalid character 'x' looking for beginning of value");
    expect(error("'a'")).toBe("invalid character '\\'' looking for beginning of value");
    expect(error('-')).toBe("invalid character ' ' in numeric literal");
    expect(error('1.')).toBe("invalid character ' ' after decimal point in numeric literal");
    expect(error('1e')).toBe("invalid character ' ' in exponent of numeric literal");
    expect(error('"\\x"')).toBe("invalid character 'x' in string escape code");
    expect(error('"\\u12g4"')).toBe("invalid character 'g' in \\u hexadecimal character escape");
    expect(error('"a\nb"')).toBe("invalid character '\\n' in string literal");
    expect(error('{"a":1,}')).toBe("invalid character '}' looking for beginning of object key string");
    expect(error('[1,]')).toBe("invalid character ']' looking for beginning of value");
  });

  it('refuses JSON that is not an object as Go\'s type error', () => {
    expect(error('[]')).toBe('json: cannot unmarshal array into Go value of type map[string]interface {}');
    expect(error('"s"')).toBe('json: cannot unmarshal string into Go value of type map[string]interface {}');
    expect(error(' 12')).toBe('json: cannot unmarshal number into Go value of type map[string]interface {}');
    expect(error('true')).toBe('json: cannot unmarshal bool into Go value of type map[string]interface {}');
  });
});
