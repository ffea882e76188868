import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ReadModel } from '@openpacific/objects';
import { objectStreamId } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ensureServiceAccountKey } from '../../pki';
import { issueToken } from './bound-tokens';
import { jwks, openIdConfiguration } from './issuer-discovery';

describe('ServiceAccount issuer discovery', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sa-key-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps one RSA key in DATA_DIR/pki/sa.key: replicas starting at once and later starts all sign with it', async () => {
    const [a, b] = await Promise.all([ensureServiceAccountKey(dir), ensureServiceAccountKey(dir)]);
    expect(a.kid).toBe(b.kid);
    expect((await ensureServiceAccountKey(dir)).kid).toBe(a.kid);
    expect(await readFile(join(dir, 'pki', 'sa.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(a.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('names the issuer and its key set, whose key checks the tokens it signs', async () => {
    const signer = await ensureServiceAccountKey(dir);
    expect(openIdConfiguration('https://127.0.0.1:6443/')).toEqual({
      issuer: 'https://kubernetes.default.svc.cluster.local',
      jwks_uri: 'https://127.0.0.1:6443/openid/v1/jwks',
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const set = jwks(signer);
    expect(set.keys).toEqual([{ use: 'sig', kty: 'RSA', kid: signer.kid, alg: 'RS256', n: expect.any(String), e: 'AQAB' }]);
    const model = new ReadModel();
    const object = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'a', uid: 'u-1' } };
    model.apply({
      id: 'e1', streamId: objectStreamId('serviceaccounts', 'a', 'robot'), streamVersion: 1, type: 'ResourceCreated',
      data: { resource: 'serviceaccounts', object }, metadata: {}, position: 1n, transactionId: 100n, createdAt: new Date(),
    } as RecordedEvent);
    const token = issueToken(signer, model, 'a', 'robot', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }).status.token;
    const decoded = jwt.decode(token, { complete: true })!;
    expect(decoded.header).toMatchObject({ alg: 'RS256', kid: signer.kid });
    const published = createPublicKey({ key: set.keys[0] as any, format: 'jwk' });
    expect(jwt.verify(token, published, { algorithms: ['RS256'] })).toMatchObject({ iss: 'https://kubernetes.default.svc.cluster.local', sub: 'system:serviceaccount:a:robot' });
  });
});
