import { hostIdentity, nameBasedUuid, newBootId } from './host-identity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("a host's machine, firmware and boot ids", () => {
  it('makes name-based UUIDs as RFC 4122 version 5 does', () => {
    // The RFC's DNS namespace and a name whose version 5 UUID other implementations agree on.
    expect(nameBasedUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives a host the same machine ID and system UUID at every start, with a new boot ID each', () => {
    const first = hostIdentity('host-1', newBootId());
    const again = hostIdentity('host-1', newBootId());
    expect(again.machineID).toBe(first.machineID);
    expect(again.systemUUID).toBe(first.systemUUID);
    expect(again.bootID).not.toBe(first.bootID);
    expect(hostIdentity('host-1', 'b')).toEqual({ machineID: first.machineID, systemUUID: first.systemUUID, bootID: 'b' });
  });

  it('gives two hosts of one machine, sim hosts too, ids of their own', () => {
    const ids = ['host-1', 'host-2', 'sim-1', 'sim-10', 'sim-100'].map((h) => hostIdentity(h, 'b'));
    expect(new Set(ids.map((i) => i.machineID)).size).toBe(5);
    expect(new Set(ids.map((i) => i.systemUUID)).size).toBe(5);
  });

  it('writes them as the machine would: 32 lowercase hex digits, and lowercase UUIDs', () => {
    const { machineID, systemUUID, bootID } = hostIdentity('host-1', newBootId());
    expect(machineID).toMatch(/^[0-9a-f]{32}$/);
    expect(machineID).not.toMatch(/^0+$/);
    expect(systemUUID).toMatch(UUID);
    expect(bootID).toMatch(UUID);
    // Two ids of one host are not one id written twice.
    expect(systemUUID.replace(/-/g, '')).not.toBe(machineID);
  });
});
