import { parseBody } from './body';

/** Encodes what kubectl sends for `kubectl create namespace demo --dry-run` style bodies, field by field. */
function field(n: number, value: Buffer | string): Buffer {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  return Buffer.concat([Buffer.from([(n << 3) | 2, bytes.length]), bytes]);
}

describe('protobuf bodies', () => {
  const envelope = (apiVersion: string, kind: string, meta: Buffer) =>
    Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, Buffer.concat([field(1, apiVersion), field(2, kind)])), field(2, field(1, meta))]);

  it('decode a Namespace with its name and labels', () => {
    const labels = field(11, Buffer.concat([field(1, 'team'), field(2, 'a')]));
    const body = envelope('v1', 'Namespace', Buffer.concat([field(1, 'demo'), labels]));
    expect(parseBody(body, 'application/vnd.kubernetes.protobuf')).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', labels: { team: 'a' } } });
  });

  it('answer 415 for kinds or bodies this API does not take as protobuf', () => {
    expect(() => parseBody(envelope('v1', 'ResourceQuota', field(1, 'q')), 'application/vnd.kubernetes.protobuf')).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 415 }) }));
    expect(() => parseBody(Buffer.from('k8s\0...'), 'application/vnd.kubernetes.protobuf')).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 415 }) }));
  });
});
