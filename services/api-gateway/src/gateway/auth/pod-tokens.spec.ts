import { generateKeyPairSync } from 'node:crypto';
import { signerFromPem } from '../../pki';
import jwt from 'jsonwebtoken';
import { objectStreamId, PodTokenRequest } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import { boundTokenSource } from './bound-tokens';
import { issuePodToken } from './pod-tokens';

const newSigner = () => signerFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);

let position = 0n;
function put(model: ReadModel, resource: string, object: any, type = 'ResourceCreated'): void {
  position += 1n;
  model.apply({
    id: `e${position}`, streamId: objectStreamId(resource, object.metadata.namespace, object.metadata.name), streamVersion: Number(position), type,
    data: { resource, object }, metadata: {}, position, transactionId: 100n, createdAt: new Date(),
  } as RecordedEvent);
}
const meta = (name: string, uid: string, extra: any = {}) => ({ name, namespace: 'a', uid, creationTimestamp: 'x', ...extra });
const request = (over: Partial<PodTokenRequest> = {}): PodTokenRequest => ({ namespace: 'a', pod: 'p', uid: 'pod-1', host: 'host-1', expirationSeconds: 3607, ...over });

describe('pod tokens for hosts', () => {
  const key = newSigner();
  const setUp = () => {
    const model = new ReadModel();
    put(model, 'serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', 'sa-1') });
    put(model, 'serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('robot', 'sa-2') });
    put(model, 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: meta('p', 'pod-1'), spec: { serviceAccountName: 'default', nodeName: 'host-1' } });
    put(model, 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: meta('r', 'pod-2'), spec: { serviceAccountName: 'robot', nodeName: 'host-1' } });
    put(model, 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: meta('gone', 'pod-3', { deletionTimestamp: 'y' }), spec: { nodeName: 'host-1' } });
    put(model, 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: meta('lonely', 'pod-4'), spec: { serviceAccountName: 'nobody', nodeName: 'host-1' } });
    return model;
  };
  const deps = (model: ReadModel, catchUp: () => Promise<void> = jest.fn(async () => undefined)) => ({ readModel: model, serviceAccountKey: key, catchUp });
  const refusal = async (model: ReadModel, req: any) => {
    try {
      await issuePodToken(deps(model), req);
    } catch (err) {
      return (err as { code: string }).code;
    }
    return 'issued';
  };

  it('issues a token bound to the pod, as its ServiceAccount, for the API\'s audience', async () => {
    const model = setUp();
    const now = new Date('2030-01-01T00:00:00Z');
    const reply = await issuePodToken(deps(model), request(), now);
    expect(reply.expirationTimestamp).toBe('2030-01-01T01:00:07Z');
    const claims = jwt.decode(reply.token) as any;
    expect(claims).toMatchObject({
      aud: ['https://kubernetes.default.svc.cluster.local'], sub: 'system:serviceaccount:a:default',
      'kubernetes.io': { namespace: 'a', serviceaccount: { name: 'default', uid: 'sa-1' }, pod: { name: 'p', uid: 'pod-1' } },
    });
    const fresh = await issuePodToken(deps(model), request());
    expect(boundTokenSource(key, model)(fresh.token)?.username).toBe('system:serviceaccount:a:default');
    // The pod's own ServiceAccount; another audience is named, and the gateway does not take it.
    const robot = await issuePodToken(deps(model), request({ pod: 'r', uid: 'pod-2', audience: 'vault' }));
    expect(jwt.decode(robot.token)).toMatchObject({ aud: ['vault'], sub: 'system:serviceaccount:a:robot' });
    expect(boundTokenSource(key, model)(robot.token)).toBeUndefined();
    // Gone with the pod.
    put(model, 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: meta('p', 'pod-1'), spec: {} }, 'ResourceDeleted');
    expect(boundTokenSource(key, model)(fresh.token)).toBeUndefined();
  });

  it('refuses another uid, another host, an unknown or terminating pod, a missing ServiceAccount, a bad request', async () => {
    const model = setUp();
    expect(await refusal(model, request({ uid: 'pod-9' }))).toBe('TOKENS.POD_NOT_FOUND');
    expect(await refusal(model, request({ pod: 'nope' }))).toBe('TOKENS.POD_NOT_FOUND');
    expect(await refusal(model, request({ namespace: 'b' }))).toBe('TOKENS.POD_NOT_FOUND');
    expect(await refusal(model, request({ host: 'host-2' }))).toBe('TOKENS.WRONG_HOST');
    expect(await refusal(model, request({ pod: 'gone', uid: 'pod-3' }))).toBe('TOKENS.POD_TERMINATING');
    expect(await refusal(model, request({ pod: 'lonely', uid: 'pod-4' }))).toBe('TOKENS.SERVICE_ACCOUNT_NOT_FOUND');
    expect(await refusal(model, request({ expirationSeconds: 60 }))).toBe('TOKENS.INVALID');
    expect(await refusal(model, { ...request(), expirationSeconds: '3607' })).toBe('TOKENS.INVALID');
    expect(await refusal(model, { ...request(), host: undefined })).toBe('TOKENS.INVALID');
    expect(await refusal(model, request({ audience: '' }))).toBe('TOKENS.INVALID');
    await expect(issuePodToken({ ...deps(model), serviceAccountKey: undefined }, request())).rejects.toMatchObject({ code: 'TOKENS.UNAVAILABLE' });
  });

  it('decides a refusal again after catching up with the log', async () => {
    const model = setUp();
    const catchUp = jest.fn(async () => put(model, 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: meta('late', 'pod-5'), spec: { nodeName: 'host-2' } }));
    const reply = await issuePodToken(deps(model, catchUp), request({ pod: 'late', uid: 'pod-5', host: 'host-2' }));
    expect(catchUp).toHaveBeenCalledTimes(1);
    expect(reply.token.split('.')).toHaveLength(3);
    const quick = jest.fn(async () => undefined);
    await issuePodToken(deps(model, quick), request());
    expect(quick).not.toHaveBeenCalled();
  });
});
