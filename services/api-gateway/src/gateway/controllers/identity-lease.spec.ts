import { hostname } from 'node:os';
import { apiserverIdentity, renewedIdentityLease, renewIntervalMs } from './identity-lease';
import { identityLeaseConcerns } from './identity-lease-gc';

const endpoint = { address: '127.0.0.1', port: 6444 };

describe('a gateway replica\'s identity Lease', () => {
  it('is named apiserver-<hash>, the same for a restarted replica and different for another on the machine', () => {
    const one = apiserverIdentity('api-gateway-1', 'node-a');
    expect(one).toMatch(/^apiserver-[a-z2-7]{26}$/);
    expect(apiserverIdentity('api-gateway-1', 'node-a')).toBe(one);
    expect(apiserverIdentity('api-gateway-2', 'node-a')).not.toBe(one);
  });

  it('is renewed every 10 s, or three times per duration when that is shorter', () => {
    expect(renewIntervalMs(3600)).toBe(10_000);
    expect(renewIntervalMs(30)).toBe(10_000);
    expect(renewIntervalMs(6)).toBe(2000);
  });

  it('is labelled and annotated as kube-apiserver\'s, counting a transition when another process takes it', () => {
    const made = renewedIdentityLease({ metadata: { name: 'apiserver-x' } }, 'apiserver-x_1', endpoint, 30, '2026-12-04T03:30:00.000000Z');
    expect(made).toEqual({
      metadata: {
        name: 'apiserver-x',
        labels: { 'apiserver.kubernetes.io/identity': 'kube-apiserver', 'kubernetes.io/hostname': hostname() },
        annotations: { 'alpha.apiserver.kubernetes.io/peer-endpoint': '127.0.0.1:6444' },
      },
      spec: { holderIdentity: 'apiserver-x_1', acquireTime: '2026-12-04T03:30:00.000000Z', leaseDurationSeconds: 30, renewTime: '2026-12-04T03:30:00.000000Z' },
    });
    const renewed = renewedIdentityLease(structuredClone(made), 'apiserver-x_1', endpoint, 30, '2026-12-04T03:30:10.000000Z');
    expect(renewed.spec).toMatchObject({ acquireTime: '2026-12-04T03:30:00.000000Z', renewTime: '2026-12-04T03:30:10.000000Z' });
    expect(renewed.spec.leaseTransitions).toBeUndefined();
    const taken = renewedIdentityLease(structuredClone(renewed), 'apiserver-x_2', endpoint, 30, '2026-12-04T03:31:00.000000Z');
    expect(taken.spec).toMatchObject({ holderIdentity: 'apiserver-x_2', acquireTime: '2026-12-04T03:31:00.000000Z', leaseTransitions: 1 });
  });

  it('wakes the endpoints only for changes they show: not for a plain renewal of a live Lease', () => {
    const now = Date.parse('2026-12-04T03:30:20.000Z');
    const at = (t: string) => renewedIdentityLease({ metadata: { name: 'apiserver-x', namespace: 'kube-system' } }, 'h', endpoint, 30, t);
    const change = (type: any, object: any, previous?: any) => ({ type, resource: 'leases.coordination.k8s.io', position: {} as any, resourceVersion: '1', object, previous });
    expect(identityLeaseConcerns(change('MODIFIED', at('2026-12-04T03:30:20.000000Z'), at('2026-12-04T03:30:10.000000Z')), now)).toBe(false);
    expect(identityLeaseConcerns(change('MODIFIED', at('2026-12-04T03:30:20.000000Z'), at('2026-12-04T03:29:00.000000Z')), now)).toBe(true);
    expect(identityLeaseConcerns(change('ADDED', at('2026-12-04T03:30:20.000000Z')), now)).toBe(true);
    expect(identityLeaseConcerns(change('DELETED', at('2026-12-04T03:30:20.000000Z'), at('2026-12-04T03:30:20.000000Z')), now)).toBe(true);
    const user = { metadata: { name: 'mine', namespace: 'default' }, spec: {} };
    expect(identityLeaseConcerns(change('ADDED', user), now)).toBe(false);
  });
});
