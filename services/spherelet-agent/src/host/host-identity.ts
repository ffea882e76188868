import { createHash, randomUUID } from 'node:crypto';

/**
 * The namespace of OpenPacific's name-based host ids. Fixed, so that a host gets the same ids at every start; its own,
 * so that they are nobody else's ids of the same name.
 */
export const HOST_ID_NAMESPACE = '56e29ca9-5f0b-47d9-96e5-0952a24bbb17';

/** Which parts of a Node's `status.nodeInfo` say which machine it is and which boot of it. */
export interface HostIdentity {
  /** As /etc/machine-id holds it: 32 lowercase hex digits. */
  machineID: string;
  /** As the firmware reports it (/sys/class/dmi/id/product_uuid), in lowercase. */
  systemUUID: string;
  /** As /proc/sys/kernel/random/boot_id: new at every boot. */
  bootID: string;
}

/** A name-based UUID (RFC 4122 version 5): the SHA-1 of the namespace's 16 bytes and the name, version and variant bits set. */
export function nameBasedUuid(namespace: string, name: string): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A host's machine and firmware ids, from its name: several hosts share one machine (three agents for `npm start`, a
 * hundred sim hosts in one process), so the machine's own ids would be every host's. The name is what a host keeps
 * from one start to the next, its data folder and Node included (a sim host has nothing else), and it outlives its
 * Host object: a Node deleted and registered again is the same machine, as in Kubernetes.
 */
export function hostIdentity(host: string, bootID: string): HostIdentity {
  return {
    machineID: nameBasedUuid(HOST_ID_NAMESPACE, `machine-id/${host}`).replace(/-/g, ''),
    systemUUID: nameBasedUuid(HOST_ID_NAMESPACE, `system-uuid/${host}`),
    bootID,
  };
}

/** A boot id for one start of a host: a random UUID, as the kernel draws one at each boot. */
export function newBootId(): string {
  return randomUUID();
}
