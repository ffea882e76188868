/**
 * A VM's console, as its host keeps it: the text the virtual machine's serial console printed (the simulated guest's
 * boot lines, its hostname and address once up, its power changes), read by request/reply on `vmConsoleSubject`,
 * answered by the agent of the host the VM runs on. The gateway's web console endpoint follows it as `kubectl logs -f`
 * follows a container's log: reading on from where the last read ended.
 */
export function vmConsoleSubject(prefix: string, host: string): string {
  return `${prefix}.hosts.${host}.vmconsole`;
}

export interface VmConsoleRequest {
  /** The VirtualMachine's uid (the hypervisor's key for it). */
  uid: string;
  /** The byte of the console text to read from (0: from the start). */
  fromByte: number;
}

export interface VmConsoleReply {
  /** The console text from `fromByte` (UTF-8), at most `VM_CONSOLE_READ_MAX` bytes of it. */
  content: string;
  /** Where the next read starts. */
  nextByte: number;
  /** The VM's power state when read: a console of a VM that is off has ended. */
  powerState: 'PoweredOn' | 'PoweredOff' | 'Suspended';
}

/** The most bytes of console text one read answers (a NATS message stays well under its limit). */
export const VM_CONSOLE_READ_MAX = 64 * 1024;

/** The code an agent answers for a VM it does not have (deleted, or on another host now). */
export const VM_CONSOLE_NOT_FOUND = 'HYPERVISOR.NOT_FOUND';
