import type { ContainerSecurity } from '@openpacific/contracts';

/** Linux capabilities by their number (linux/capability.h), as Kubernetes names them (no `CAP_`). */
const NUMBERS: Record<string, number> = {
  CHOWN: 0, DAC_OVERRIDE: 1, DAC_READ_SEARCH: 2, FOWNER: 3, FSETID: 4, KILL: 5, SETGID: 6, SETUID: 7, SETPCAP: 8,
  LINUX_IMMUTABLE: 9, NET_BIND_SERVICE: 10, NET_BROADCAST: 11, NET_ADMIN: 12, NET_RAW: 13, IPC_LOCK: 14, IPC_OWNER: 15,
  SYS_MODULE: 16, SYS_RAWIO: 17, SYS_CHROOT: 18, SYS_PTRACE: 19, SYS_PACCT: 20, SYS_ADMIN: 21, SYS_BOOT: 22, SYS_NICE: 23,
  SYS_RESOURCE: 24, SYS_TIME: 25, SYS_TTY_CONFIG: 26, MKNOD: 27, LEASE: 28, AUDIT_WRITE: 29, AUDIT_CONTROL: 30,
  SETFCAP: 31, MAC_OVERRIDE: 32, MAC_ADMIN: 33, SYSLOG: 34, WAKE_ALARM: 35, BLOCK_SUSPEND: 36, AUDIT_READ: 37,
  PERFMON: 38, BPF: 39, CHECKPOINT_RESTORE: 40,
};

/** What containerd gives a container that asks for nothing else (its default OCI spec). */
export const DEFAULT_CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP',
  'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE',
];

/** Every capability this table knows; crx-init keeps, of a mask, only those the host's kernel has. */
const ALL = Object.values(NUMBERS).reduce((mask, n) => mask | (1n << BigInt(n)), 0n);

/**
 * The container's capabilities as a mask (bit n: capability n), in the order containerd's CRI plugin applies a
 * securityContext: `privileged` has them all; else the default set, then `add: [ALL]` gives all, `drop: [ALL]` takes
 * all, then each named one is added, then each named one dropped. Names are upper-cased and must come without `CAP_`,
 * as Kubernetes writes them; one the table does not know is ignored, as runc ignores an unknown capability.
 * crx-init sets it as the bounding, permitted and effective sets; the inheritable and ambient sets stay empty.
 */
export function capabilityMask(security: ContainerSecurity | undefined): bigint {
  if (security?.privileged) return ALL;
  const add = (security?.capabilities?.add ?? []).map((c) => String(c).toUpperCase());
  const drop = (security?.capabilities?.drop ?? []).map((c) => String(c).toUpperCase());
  let mask = maskOf(DEFAULT_CAPABILITIES);
  if (add.includes('ALL')) mask = ALL;
  if (drop.includes('ALL')) mask = 0n;
  mask |= maskOf(add);
  mask &= ~maskOf(drop);
  return mask;
}

/** The capabilities of a mask by name, in the kernel's order. */
export function capabilityNames(mask: bigint): string[] {
  return Object.entries(NUMBERS).filter(([, n]) => mask & (1n << BigInt(n))).map(([name]) => name);
}

function maskOf(names: string[]): bigint {
  return names.reduce((mask, name) => (NUMBERS[name] !== undefined ? mask | (1n << BigInt(NUMBERS[name])) : mask), 0n);
}
