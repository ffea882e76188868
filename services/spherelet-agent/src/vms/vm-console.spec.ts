import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VM_CONSOLE_READ_MAX } from '@openpacific/contracts';
import { MemoryHypervisor } from './memory-hypervisor';
import { bootedLines, consoleSlice, guestLine, readConsoleFile } from './vm-console';

describe('a VM console', () => {
  it('stamps guest lines with the seconds since boot, and ends the boot with a login prompt naming the hostname', () => {
    expect(guestLine(1234, 'hello')).toBe('[    1.234000] hello\n');
    const text = bootedLines({ name: 'web-1', ip: '10.244.0.7', ports: [22, 80], userData: 'abc' }, 500);
    expect(text).toContain('eth0: link up, address 10.244.0.7');
    expect(text).toContain('cloud-init: user data applied (3 bytes)');
    expect(text).toContain('listening on tcp ports 22, 80');
    expect(text.endsWith('\nweb-1 login: \n')).toBe(true);
  });

  it('is read from a byte on, never splitting a character, at most a window at a time', () => {
    const bytes = Buffer.from(`${'a'.repeat(VM_CONSOLE_READ_MAX - 1)}é and more`);
    const first = consoleSlice(bytes, 0);
    expect(first.nextByte).toBe(VM_CONSOLE_READ_MAX - 1);
    const rest = consoleSlice(bytes, first.nextByte);
    expect(rest).toEqual({ content: 'é and more', nextByte: bytes.length });
    expect(consoleSlice(bytes, bytes.length + 5)).toEqual({ content: '', nextByte: bytes.length });
  });

  it('reads a console file from a byte on, and an absent one as empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-console-'));
    try {
      expect(readConsoleFile(dir, 0)).toEqual({ content: '', nextByte: 0 });
      writeFileSync(join(dir, 'console.log'), 'line one\nline two\n');
      expect(readConsoleFile(dir, 9)).toEqual({ content: 'line two\n', nextByte: 18 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('of a memory-driver VM tells its power changes and its boot, and goes with the VM', async () => {
    const hv = new MemoryHypervisor();
    await hv.create({ uid: 'u1', name: 'web-1', namespace: 'ns', epoch: 1, cpus: 2, memoryBytes: 2 ** 30, ip: '10.0.0.9', ports: [22] });
    expect(await hv.readConsole('u1', 0)).toEqual({ content: '', nextByte: 0, powerState: 'PoweredOff' });
    await hv.powerOn('u1');
    const on = await hv.readConsole('u1', 0);
    expect(on.content).toContain('OpenPacific sim hypervisor: powering on ns/web-1 (2 vCPU, 1024 MiB)');
    expect(on.content).toContain('web-1 login:');
    await hv.suspend('u1');
    await hv.powerOn('u1');
    await hv.powerOff('u1', 'TrySoft');
    const later = await hv.readConsole('u1', on.nextByte);
    expect(later.content).toBe('OpenPacific sim hypervisor: web-1 suspended\nOpenPacific sim hypervisor: web-1 resumed\nOpenPacific sim hypervisor: web-1 powered off (TrySoft)\n');
    expect(later.powerState).toBe('PoweredOff');
    await hv.destroy('u1');
    await expect(hv.readConsole('u1', 0)).rejects.toMatchObject({ code: 'HYPERVISOR.NOT_FOUND' });
  });
});
