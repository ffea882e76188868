import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a sim guest keeps the guestinfo keys it has set, in its VM's folder: the guest writes the file, the
 * hypervisor reads it (a real one would read the VM's extraConfig). The hypervisor removes it at power-on and
 * power-off, so it holds only what the running guest set.
 */
export const GUEST_INFO_FILE = 'guestinfo.json';

/** Written whole (a temporary file renamed over it): the host never reads half of it. */
export function writeGuestInfo(dir: string, keys: Record<string, string>): void {
  const file = join(dir, GUEST_INFO_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(keys));
  renameSync(`${file}.tmp`, file);
}

/** The keys the guest set; undefined when it set none (or the file is not an object of strings). */
export function readGuestInfo(dir: string): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(dir, GUEST_INFO_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const keys = Object.entries(parsed).filter(([k, v]) => k.startsWith('guestinfo.') && typeof v === 'string');
  return keys.length ? Object.fromEntries(keys) : undefined;
}
