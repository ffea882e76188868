import { generateKeyPairSync } from 'node:crypto';
import { signerFromPem } from '../../pki';
import type { RecordedEvent } from '@openpacific/event-store';
import { objectStreamId } from '@openpacific/contracts';
import { ReadModel } from '@openpacific/objects';
import { boundTokenSource, issueToken } from './bound-tokens';

const newSigner = () => signerFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);

let position = 0n;
function put(model: ReadModel, resource: string, object: any, type = 'ResourceCreated'): void {
  position += 1n;
  model.apply({
    id: `e${position}`, streamId: objectStreamId(resource, object.metadata.namespace, object.metadata.name), streamVersion: Number(position), type,
    data: { resource, object }, metadata: {}, position, transactionId: 100n, createdAt: new Date(),
  } as RecordedEvent);
}
const meta = (name: string, uid: string) => ({ name, namespace: 'a', uid, creationTimestamp: 'x' });
const request = (spec: any = {}) => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });

describe('bound ServiceAccount tokens', () => {
  const key = newSigner();
  const setUp = () => {
    const model = new ReadModel();
    put(model, 'serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('robot', 'sa-1') });
    put(model, 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: meta('p', 'pod-1'), spec: { serviceAccountName: 'robot' } });
    put(model, 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: meta('q', 'pod-2'), spec: {} });
    return model;
  };

  it('answers with the defaults filled in and a token the source takes as the ServiceAccount', () => {
    const model = setUp();
    const answer = issueToken(key, model, 'a', 'robot', request(), new Date('2026-12-03T10:00:00Z'));
    expect(answer.spec).toEqual({ audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 3600 });
    expect(answer.status.expirationTimestamp).toBe('2026-12-03T11:00:00Z');
    const fresh = issueToken(key, model, 'a', 'robot', request());
    expect(boundTokenSource(key, model)(fresh.status.token)?.username).toBe('system:serviceaccount:a:robot');
    // Expired (issued long ago), signed with another key, or for another audience: not taken.
    expect(boundTokenSource(key, model)(answer.status.token)).toBeUndefined();
    expect(boundTokenSource(newSigner(), model)(fresh.status.token)).toBeUndefined();
    expect(boundTokenSource(key, model)(issueToken(key, model, 'a', 'robot', request({ audiences: ['vault'] })).status.token)).toBeUndefined();
  });

  it('is good for the audiences it names that a review asks for, and carries the account uid and the token id', () => {
    const model = setUp();
    const answer = issueToken(key, model, 'a', 'robot', request({ audiences: ['vault', 'other'], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } }));
    const token = answer.status.token;
    const jti = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).jti;
    expect(boundTokenSource(key, model)(token, undefined, ['vault', 'elsewhere'])).toEqual({
      username: 'system:serviceaccount:a:robot', groups: ['system:serviceaccounts', 'system:serviceaccounts:a', 'system:authenticated'], uid: 'sa-1',
      extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${jti}`], 'authentication.kubernetes.io/pod-name': ['p'], 'authentication.kubernetes.io/pod-uid': ['pod-1'] },
      audiences: ['vault'],
    });
    expect(boundTokenSource(key, model)(token, undefined, ['elsewhere'])).toBeUndefined();
  });

  it('binds to a Node (a Host), ending with it, and names the node of a pod it is bound to', () => {
    const model = setUp();
    put(model, 'hosts.infrastructure.openpacific.io', { apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name: 'host-1', uid: 'host-uid', creationTimestamp: 'x' } });
    put(model, 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: meta('p', 'pod-1'), spec: { serviceAccountName: 'robot', nodeName: 'host-1' } }, 'ResourceUpdated');
    const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())['kubernetes.io'];
    const onNode = issueToken(key, model, 'a', 'robot', request({ boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'host-1' } })).status.token;
    expect(claimsOf(onNode).node).toEqual({ name: 'host-1', uid: 'host-uid' });
    const ofPod = issueToken(key, model, 'a', 'robot', request({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } })).status.token;
    expect(claimsOf(ofPod)).toMatchObject({ pod: { name: 'p', uid: 'pod-1' }, node: { name: 'host-1', uid: 'host-uid' } });
    const source = boundTokenSource(key, model);
    expect(source(ofPod)?.extra).toMatchObject({ 'authentication.kubernetes.io/node-name': ['host-1'], 'authentication.kubernetes.io/node-uid': ['host-uid'] });
    expect(source(onNode)?.username).toBe('system:serviceaccount:a:robot');
    expect(() => issueToken(key, model, 'a', 'robot', request({ boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'host-9' } }))).toThrow('nodes "host-9" not found');
    put(model, 'hosts.infrastructure.openpacific.io', { apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name: 'host-1', uid: 'host-uid', creationTimestamp: 'x' } }, 'ResourceDeleted');
    expect(source(onNode)).toBeUndefined();
    expect(source(ofPod)?.username).toBe('system:serviceaccount:a:robot');
  });

  it('ends a token when its ServiceAccount is recreated (another uid) or its bound pod goes', () => {
    const model = setUp();
    const plain = issueToken(key, model, 'a', 'robot', request()).status.token;
    const bound = issueToken(key, model, 'a', 'robot', request({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } })).status.token;
    const source = boundTokenSource(key, model);
    expect(source(bound)?.username).toBe('system:serviceaccount:a:robot');
    put(model, 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: meta('p', 'pod-1'), spec: { serviceAccountName: 'robot' } }, 'ResourceDeleted');
    expect(source(bound)).toBeUndefined();
    expect(source(plain)).toBeDefined();
    put(model, 'serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('robot', 'sa-2') }, 'ResourceUpdated');
    expect(source(plain)).toBeUndefined();
  });

  it('refuses what kube-apiserver refuses, with its codes and words', () => {
    const model = setUp();
    const refusal = (name: string, spec: any) => {
      try {
        issueToken(key, model, 'a', name, request(spec));
      } catch (err) {
        return { code: (err as any).status.code, message: (err as any).status.message };
      }
      throw new Error('issued');
    };
    expect(refusal('robot', { expirationSeconds: 300 })).toEqual({ code: 422, message: expect.stringContaining('spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes') });
    expect(refusal('robot', { expirationSeconds: 2 ** 33 })).toMatchObject({ code: 422, message: expect.stringContaining('may not specify a duration larger than 2^32 seconds') });
    expect(refusal('nobody', {})).toEqual({ code: 404, message: 'serviceaccounts "nobody" not found' });
    expect(refusal('robot', { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'c' } })).toEqual({ code: 400, message: 'cannot bind token to object of type /v1, Kind=ConfigMap' });
    expect(refusal('robot', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'gone' } })).toEqual({ code: 404, message: 'pods "gone" not found' });
    expect(refusal('robot', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'other' } })).toMatchObject({ code: 409, message: expect.stringContaining('the UID in the bound object reference (other) does not match the UID in record') });
    expect(refusal('robot', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'q' } })).toEqual({ code: 400, message: 'cannot bind token for serviceaccount "robot" to pod running with different serviceaccount name.' });
  });
});
