import { capabilityMask, capabilityNames, DEFAULT_CAPABILITIES } from './capabilities';

describe('a container\'s capabilities', () => {
  it('are containerd\'s default set without a securityContext (0xa80425fb, as /proc prints it)', () => {
    expect(capabilityMask(undefined)).toBe(0xa80425fbn);
    expect(capabilityNames(capabilityMask({})).sort()).toEqual([...DEFAULT_CAPABILITIES].sort());
  });

  it('drop ALL then add what is named, whatever the order in the lists', () => {
    expect(capabilityNames(capabilityMask({ capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } }))).toEqual(['NET_BIND_SERVICE']);
  });

  it('add and drop by name over the default set, case-insensitively; a CAP_ prefix or an unknown name is ignored', () => {
    const names = capabilityNames(capabilityMask({ capabilities: { add: ['net_admin', 'CAP_SYS_ADMIN', 'NOPE'], drop: ['MKNOD', 'NET_RAW'] } }));
    expect(names).toContain('NET_ADMIN');
    expect(names).not.toContain('SYS_ADMIN');
    expect(names).not.toContain('MKNOD');
    expect(names).not.toContain('NET_RAW');
    expect(names).toHaveLength(DEFAULT_CAPABILITIES.length - 1);
  });

  it('are all of them for a privileged container or add ALL, less what a named drop takes', () => {
    expect(capabilityNames(capabilityMask({ privileged: true, capabilities: { drop: ['ALL'] } }))).toHaveLength(41);
    expect(capabilityNames(capabilityMask({ capabilities: { add: ['ALL'], drop: ['SYS_ADMIN'] } }))).toHaveLength(40);
  });
});
