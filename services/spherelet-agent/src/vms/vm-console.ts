import { appendFileSync, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { VM_CONSOLE_READ_MAX } from '@openpacific/contracts';

/**
 * A VM's serial console as text: what its virtual hardware says (power changes, written by the hypervisor) and
 * what its guest prints (boot lines, its hostname and address once up, its shutdown). The `sim` driver keeps it in
 * `<vm dir>/console.log`, appended to by the agent and by the guest process, across power cycles, until the VM is
 * destroyed; the `memory` driver keeps it in memory.
 */
export const CONSOLE_FILE = 'console.log';

/** A line of the virtual hardware's. */
export function hypervisorLine(text: string): string {
  return `OpenPacific sim hypervisor: ${text}\n`;
}

/** A guest line stamped with the seconds since its boot began, as a kernel's are. */
export function guestLine(sinceBootMs: number, text: string): string {
  return `[${(sinceBootMs / 1000).toFixed(6).padStart(12)}] ${text}\n`;
}

export interface ConsoleGuest {
  name: string;
  ip: string;
  ports: number[];
  userData?: string;
}

/** What the guest prints as it starts to boot. */
export function bootStartLines(g: ConsoleGuest): string {
  return guestLine(0, `Booting ${g.name} (OpenPacific sim guest)`) + guestLine(0, `Command line: console=ttyS0 hostname=${g.name}`);
}

/** What the guest prints once booted: its address, services, and a login prompt naming its hostname. */
export function bootedLines(g: ConsoleGuest, sinceBootMs: number): string {
  const lines = [
    guestLine(sinceBootMs, `eth0: link up, address ${g.ip}`),
    ...(g.userData !== undefined ? [guestLine(sinceBootMs, `cloud-init: user data applied (${Buffer.byteLength(g.userData)} bytes)`)] : []),
    guestLine(sinceBootMs, g.ports.length ? `listening on tcp ports ${g.ports.join(', ')}` : 'no tcp ports to listen on'),
    guestLine(sinceBootMs, 'Reached target Multi-User System.'),
  ];
  return `${lines.join('')}\nOpenPacific sim guest ${g.name} ttyS0 (${g.ip})\n\n${g.name} login: \n`;
}

/** What the guest prints as it shuts down (a soft power-off). */
export function shutdownLines(sinceBootMs: number): string {
  return guestLine(sinceBootMs, 'Stopping services...') + guestLine(sinceBootMs, 'reboot: Power down');
}

export function appendConsole(dir: string, text: string): void {
  appendFileSync(join(dir, CONSOLE_FILE), text);
}

/** Up to `VM_CONSOLE_READ_MAX` bytes of `text` from `fromByte`, cut before a character split in two. */
export function consoleSlice(bytes: Buffer, fromByte: number): { content: string; nextByte: number } {
  const from = Math.max(0, Math.min(fromByte, bytes.length));
  let end = Math.min(bytes.length, from + VM_CONSOLE_READ_MAX);
  if (end < bytes.length) while (end > from && (bytes[end] & 0xc0) === 0x80) end--;
  return { content: bytes.subarray(from, end).toString('utf8'), nextByte: end };
}

/** The console file of a VM's folder from `fromByte` (none yet: empty). */
export function readConsoleFile(dir: string, fromByte: number): { content: string; nextByte: number } {
  let fd: number;
  try {
    fd = openSync(join(dir, CONSOLE_FILE), 'r');
  } catch {
    return { content: '', nextByte: 0 };
  }
  try {
    const size = fstatSync(fd).size;
    const from = Math.max(0, Math.min(fromByte, size));
    // One byte past the window tells consoleSlice whether the window's end splits a character.
    const want = Math.min(size - from, VM_CONSOLE_READ_MAX + 4);
    const buf = Buffer.alloc(want);
    const got = readSync(fd, buf, 0, want, from);
    const slice = consoleSlice(buf.subarray(0, got), 0);
    return { content: slice.content, nextByte: from + slice.nextByte };
  } finally {
    closeSync(fd);
  }
}
