import { randomUUID } from 'node:crypto';
import type { VmConsoleReply } from '@openpacific/contracts';
import { HypervisorDriver, PowerOpMode, VmCreateSpec, VmHardware, VmInfo } from './hypervisor';
import { bootedLines, bootStartLines, consoleSlice, hypervisorLine } from './vm-console';
import { runcmdGuestInfo } from './cloud-init-runcmd';

/** `runcmdKeys`: what the guest's runcmd sets (cloud-init-runcmd.ts), published at each power-on. */
type VmRecord = Omit<VmInfo, 'guestHeartbeat'> & { runcmdKeys?: Record<string, string> };

/**
 * The hypervisor of a simulated host (SIM_FLEET_HOSTS), in the agent's process: VMs are records in memory and
 * their guests run nowhere, as a fleet host's pods run nowhere (their addresses are ones nobody binds). A
 * powered-on VM's guest answers its heartbeat at once: the `sim` hypervisor with zero boot delay, without a
 * guest process per VM — five hundred VMs would be five hundred Node.js start-ups, measuring the machine
 * rather than the control plane. A fleet host's VMs go with its process, as its pods do.
 */
export class MemoryHypervisor implements HypervisorDriver {
  readonly name = 'memory';
  private readonly vms = new Map<string, VmRecord>();
  /** Each VM's console text (the guest boots at once, so it prints its boot in one go). */
  private readonly consoles = new Map<string, Buffer>();

  async create(spec: VmCreateSpec): Promise<VmInfo> {
    const existing = this.vms.get(spec.uid);
    if (existing) return info(existing);
    const keys = runcmdGuestInfo(spec.userData);
    const record: VmRecord = {
      uid: spec.uid, name: spec.name, namespace: spec.namespace, epoch: spec.epoch, cpus: spec.cpus, memoryBytes: spec.memoryBytes,
      powerState: 'PoweredOff', uniqueID: `vm-${spec.uid.slice(0, 8)}`, biosUUID: spec.biosUUID ?? randomUUID(), instanceUUID: spec.instanceUUID ?? randomUUID(),
      ip: spec.ip, ports: spec.ports, ...(Object.keys(keys).length ? { runcmdKeys: keys } : {}),
    };
    this.vms.set(spec.uid, record);
    return info(record);
  }

  async powerOn(uid: string): Promise<VmInfo> {
    const r = this.must(uid);
    if (r.powerState === 'PoweredOff') {
      r.poweredOnAt = new Date().toISOString();
      // The guest boots at once, its runcmd with it.
      if (r.runcmdKeys) r.guestInfo = { ...r.runcmdKeys };
      this.say(uid, hypervisorLine(`powering on ${r.namespace}/${r.name} (${r.cpus} vCPU, ${Math.round(r.memoryBytes / 2 ** 20)} MiB)`) + bootStartLines(r) + bootedLines(r, 0));
    } else if (r.powerState === 'Suspended') this.say(uid, hypervisorLine(`${r.name} resumed`));
    r.powerState = 'PoweredOn';
    return info(r);
  }

  /** Every mode succeeds: a guest that runs nowhere always shuts down when asked. */
  async powerOff(uid: string, mode: PowerOpMode): Promise<VmInfo> {
    const r = this.must(uid);
    if (r.powerState !== 'PoweredOff') this.say(uid, hypervisorLine(`${r.name} powered off (${mode})`));
    r.powerState = 'PoweredOff';
    r.poweredOnAt = undefined;
    r.guestInfo = undefined;
    return info(r);
  }

  async suspend(uid: string): Promise<VmInfo> {
    const r = this.must(uid);
    if (r.powerState === 'PoweredOn') {
      r.powerState = 'Suspended';
      this.say(uid, hypervisorLine(`${r.name} suspended`));
    }
    return info(r);
  }

  async reconfigure(uid: string, hardware: VmHardware): Promise<VmInfo> {
    const r = this.must(uid);
    if (r.powerState !== 'PoweredOff') throw Object.assign(new Error(`${r.name} must be powered off to change its hardware`), { code: 'HYPERVISOR.POWERED_ON' });
    r.cpus = hardware.cpus;
    r.memoryBytes = hardware.memoryBytes;
    return info(r);
  }

  async destroy(uid: string): Promise<void> {
    this.vms.delete(uid);
    this.consoles.delete(uid);
  }

  /** Disks are attached by name only: there is no guest to see them. */
  async attachDisks(uid: string, disks: { name: string; path: string }[]): Promise<string[]> {
    this.must(uid);
    return disks.map((d) => d.name);
  }

  async list(): Promise<VmInfo[]> {
    return [...this.vms.values()].map(info);
  }

  async guestInfo(uid: string): Promise<VmInfo> {
    return info(this.must(uid));
  }

  async readConsole(uid: string, fromByte: number): Promise<VmConsoleReply> {
    const r = this.must(uid);
    return { ...consoleSlice(this.consoles.get(uid) ?? Buffer.alloc(0), fromByte), powerState: r.powerState };
  }

  private say(uid: string, text: string): void {
    this.consoles.set(uid, Buffer.concat([this.consoles.get(uid) ?? Buffer.alloc(0), Buffer.from(text)]));
  }

  private must(uid: string): VmRecord {
    const r = this.vms.get(uid);
    if (!r) throw Object.assign(new Error(`no VM ${uid} on this host`), { code: 'HYPERVISOR.NOT_FOUND' });
    return r;
  }
}

function info(r: VmRecord): VmInfo {
  const { runcmdKeys: _runcmdKeys, guestInfo, ...rest } = r;
  return { ...rest, guestHeartbeat: r.powerState === 'PoweredOn' ? 'green' : 'gray', ...(guestInfo ? { guestInfo: { ...guestInfo } } : {}) };
}
