import { MAX_CONFIG_DATA_BYTES, validateConfigMapSize, validateSecretSize } from './config-data.validation';

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
