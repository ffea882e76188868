import { validatePodStatusAddresses } from './pod-status.validation';

const messages = (pod: any) => validatePodStatusAddresses(pod).map((c) => `${c.field}: ${c.message}`);

describe('a pod status\'s addresses, as ValidatePodStatusUpdate checks them', () => {
  it('takes IP addresses, and a status without any', () => {
    expect(messages({ status: { podIP: '10.64.1.2', podIPs: [{ ip: '10.64.1.2' }], hostIP: '127.0.0.1', hostIPs: [{ ip: '127.0.0.1' }] } })).toEqual([]);
    expect(messages({ status: { phase: 'Pending' } })).toEqual([]);
  });

  it('refuses what is no IP address, from the list or the single field, and one listed twice', () => {
    expect(messages({ status: { podIP: 'fz-str' } })).toEqual(['status.podIPs[0]: Invalid value: "fz-str": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
    expect(messages({ status: { podIPs: [{ ip: '10.0.0.1' }, { ip: 2147483648 }] } })).toEqual(['status.podIPs[1]: Invalid value: 2147483648: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
    expect(messages({ status: { hostIPs: [{ ip: '10.0.0.1' }, { ip: '10.0.0.1' }] } })).toEqual(['status.hostIPs[1]: Duplicate value: core.HostIP{IP:"10.0.0.1"}']);
  });
});
