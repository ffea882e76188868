import { POD_IP_ANNOTATION, POD_NETWORK_ANNOTATION } from '@openpacific/contracts';
import { networksPods, PodAddressAllocator, PodAddressesExhausted, withPodAddress } from './pod-addresses';

const pod = (namespace: string, name: string, ip?: string) => ({
  metadata: { namespace, name, annotations: ip ? { [POD_IP_ANNOTATION]: ip } : {} },
});

describe('PodAddressAllocator', () => {
  it('gives each namespace its own /24 and each pod the lowest free address in it', () => {
    const a = new PodAddressAllocator('10.70.0.0/16', []);
    expect(a.assign(pod('web', 'a'))).toBe('10.70.1.2');
    expect(a.assign(pod('web', 'b'))).toBe('10.70.1.3');
    expect(a.assign(pod('db', 'a'))).toBe('10.70.2.2');
    expect(a.assign(pod('web', 'c'))).toBe('10.70.1.4');
  });

  it('keeps the address a pod holds and learns the namespaces\' subnets from the pods that exist', () => {
    const existing = [pod('web', 'a', '10.70.7.2'), pod('web', 'b', '10.70.7.4'), pod('db', 'a', '10.70.1.2')];
    const a = new PodAddressAllocator('10.70.0.0/16', existing);
    expect(a.assign(existing[0])).toBe('10.70.7.2');
    expect(a.assign(pod('web', 'c'))).toBe('10.70.7.3');
    expect(a.assign(pod('web', 'd'))).toBe('10.70.7.5');
    // /24s 1 and 7 are taken: a new namespace gets the lowest free one.
    expect(a.assign(pod('cache', 'a'))).toBe('10.70.2.2');
  });

  it('ignores addresses outside its range (pods of a loopback host)', () => {
    const a = new PodAddressAllocator('10.70.0.0/16', [pod('web', 'a', '127.101.0.2')]);
    expect(a.assign(pod('web', 'b'))).toBe('10.70.1.2');
  });

  it('says so when a namespace\'s /24 is full', () => {
    const a = new PodAddressAllocator('10.70.0.0/16', []);
    for (let i = 0; i < 253; i++) a.assign(pod('big', `p${i}`));
    expect(() => a.assign(pod('big', 'one-more'))).toThrow(PodAddressesExhausted);
    expect(() => a.assign(pod('big', 'one-more'))).toThrow(/namespace big has no free pod address left in 10\.70\.1\.0\/24/);
  });

  it('knows which hosts network their pods and sets the annotation', () => {
    expect(networksPods({ metadata: { annotations: { [POD_NETWORK_ANNOTATION]: 'netns' } } })).toBe(true);
    expect(networksPods({ metadata: { annotations: { [POD_NETWORK_ANNOTATION]: 'loopback' } } })).toBe(false);
    expect(networksPods({ metadata: {} })).toBe(false);
    expect(withPodAddress(pod('web', 'a'), '10.70.1.2').metadata.annotations[POD_IP_ANNOTATION]).toBe('10.70.1.2');
  });
});
