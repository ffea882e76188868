import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { killVmProcesses, signalVmProcesses } from './guest-node';
import type { VmConsoleReply } from '@openpacific/contracts';
import { HypervisorDriver, PowerOpMode, VM_UID_ENV, VmCreateSpec, VmHardware, VmInfo } from './hypervisor';
import { appendConsole, hypervisorLine, readConsoleFile } from './vm-console';
import { GUEST_INFO_FILE, readGuestInfo } from './sim-guest-info';

type VmRecord = Omit<VmInfo, 'guestHeartbeat'> & { userData?: string };

/**
 * Every powered-on VM is a small real guest process (dist/vms/sim-guest.js) on this host: started by the
 * agent in the host's process group, so it dies with its host; kept in `<root>/<uid>/vm.json`, so a
 * restarted agent finds its VMs and their guests again. Suspend stops the guest (SIGSTOP).
 *
 * Every process of a VM carries `OPENPACIFIC_VM_UID=<uid>`: the guest, and what a node image starts in it
 * (see guest-node.ts). Suspend stops them all; a hard power-off, a destroy and `killAllNow` kill them all,
 * after the guest.
 */
export class SimHypervisor implements HypervisorDriver {
  readonly name = 'sim';
  /** vm.json of each VM as last read or written: this agent is the only writer of its root. */
  private readonly records = new Map<string, VmRecord>();
  /** VMs being powered off: their guest may be gone before the power-off is done (and said on the console). */
  private readonly stopping = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly opts: { guestScript: string; bootMs: number; softStopMs?: number },
  ) {
    mkdirSync(root, { recursive: true });
  }

  async create(spec: VmCreateSpec): Promise<VmInfo> {
    const existing = this.read(spec.uid);
    if (existing) return this.info(existing);
    const record: VmRecord = {
      uid: spec.uid, name: spec.name, namespace: spec.namespace, epoch: spec.epoch, cpus: spec.cpus, memoryBytes: spec.memoryBytes,
      powerState: 'PoweredOff', uniqueID: `vm-${spec.uid.slice(0, 8)}`, biosUUID: spec.biosUUID ?? randomUUID(), instanceUUID: spec.instanceUUID ?? randomUUID(),
      ip: spec.ip, ports: spec.ports, userData: spec.userData,
    };
    mkdirSync(this.dir(spec.uid), { recursive: true });
    this.write(record);
    return this.info(record);
  }

  async powerOn(uid: string): Promise<VmInfo> {
    const r = this.must(uid);
    if (r.powerState === 'Suspended' && alive(r.pid)) {
      signalVmProcesses(uid, 'SIGCONT', [process.pid, r.pid!]);
      process.kill(r.pid!, 'SIGCONT');
      appendConsole(this.dir(uid), hypervisorLine(`${r.name} resumed`));
    } else if (r.powerState !== 'PoweredOn' || !alive(r.pid)) {
      // What a guest that died left behind (a node image's programs and their containers) goes first. A VM
      // with no pid never had a guest since its last clean power-off, which killed everything already:
      // the scan of every process's environment is skipped for it.
      if (r.pid !== undefined) killVmProcesses(uid);
      writeFileSync(
        join(this.dir(uid), 'guest.json'),
        JSON.stringify({ uid: r.uid, name: r.name, ip: r.ip, ports: r.ports, bootMs: this.opts.bootMs, userData: r.userData, cpus: r.cpus, memoryBytes: r.memoryBytes }),
      );
      rmSync(join(this.dir(uid), 'booted'), { force: true });
      rmSync(join(this.dir(uid), 'boot-failed'), { force: true });
      rmSync(join(this.dir(uid), GUEST_INFO_FILE), { force: true });
      appendConsole(this.dir(uid), hypervisorLine(`powering on ${r.namespace}/${r.name} (${r.cpus} vCPU, ${Math.round(r.memoryBytes / 2 ** 20)} MiB)`));
      // Not detached: the guest stays in the host's process group and goes down with the host.
      const guest = spawn(process.execPath, [this.opts.guestScript, this.dir(uid)], { stdio: 'ignore', env: { ...process.env, [VM_UID_ENV]: uid } });
      guest.unref();
      r.pid = guest.pid;
      r.poweredOnAt = new Date().toISOString();
    }
    r.powerState = 'PoweredOn';
    this.write(r);
    return this.info(r);
  }

  async powerOff(uid: string, mode: PowerOpMode): Promise<VmInfo> {
    const r = this.must(uid);
    const wasOn = r.powerState !== 'PoweredOff';
    this.stopping.add(uid);
    try {
      await this.stopGuest(r, mode);
    } finally {
      this.stopping.delete(uid);
    }
    // After the guest: every other process of the VM (a soft shutdown left none; a hard one, or a guest that
    // died on its own, may have left a node image's programs and the containers they started).
    killVmProcesses(uid);
    rmSync(join(this.dir(uid), GUEST_INFO_FILE), { force: true });
    if (wasOn) appendConsole(this.dir(uid), hypervisorLine(`${r.name} powered off (${mode})`));
    r.powerState = 'PoweredOff';
    r.pid = undefined;
    r.poweredOnAt = undefined;
    this.write(r);
    return this.info(r);
  }

  private async stopGuest(r: VmRecord, mode: PowerOpMode): Promise<void> {
    if (alive(r.pid)) {
      if (r.powerState === 'Suspended') {
        signalVmProcesses(r.uid, 'SIGCONT', [process.pid, r.pid!]);
        process.kill(r.pid!, 'SIGCONT');
      }
      if (mode === 'Hard') process.kill(r.pid!, 'SIGKILL');
      else {
        // A soft power-off is a guest shutdown; TrySoft falls back to a hard one when the guest does not stop.
        process.kill(r.pid!, 'SIGTERM');
        const deadline = Date.now() + (this.opts.softStopMs ?? 5000);
        while (alive(r.pid) && Date.now() < deadline) await sleep(20);
        if (alive(r.pid)) {
          if (mode === 'Soft') throw Object.assign(new Error(`the guest of ${r.name} did not shut down`), { code: 'HYPERVISOR.SOFT_POWER_OFF_FAILED' });
          process.kill(r.pid!, 'SIGKILL');
        }
      }
      const gone = Date.now() + 2000;
      while (alive(r.pid) && Date.now() < gone) await sleep(10);
    }
  }

  async suspend(uid: string): Promise<VmInfo> {
    const r = this.must(uid);
    if (r.powerState === 'PoweredOn' && alive(r.pid)) {
      process.kill(r.pid!, 'SIGSTOP');
      signalVmProcesses(uid, 'SIGSTOP', [process.pid, r.pid!]);
    }
    if (r.powerState === 'PoweredOn') {
      r.powerState = 'Suspended';
      appendConsole(this.dir(uid), hypervisorLine(`${r.name} suspended`));
    }
    this.write(r);
    return this.info(r);
  }

  async reconfigure(uid: string, hardware: VmHardware): Promise<VmInfo> {
    const r = this.must(uid);
    if (r.powerState !== 'PoweredOff') throw Object.assign(new Error(`${r.name} must be powered off to change its hardware`), { code: 'HYPERVISOR.POWERED_ON' });
    r.cpus = hardware.cpus;
    r.memoryBytes = hardware.memoryBytes;
    this.write(r);
    return this.info(r);
  }

  async destroy(uid: string): Promise<void> {
    const r = this.read(uid);
    if (!r) return;
    if (alive(r.pid)) await this.powerOff(uid, 'Hard');
    else killVmProcesses(uid);
    rmSync(this.dir(uid), { recursive: true, force: true });
    this.records.delete(uid);
  }

  /** A sim VM's disks are links in its folder (`disks/<name>`) to the volumes' directories on the datastore. */
  async attachDisks(uid: string, disks: { name: string; path: string }[]): Promise<string[]> {
    this.must(uid);
    const dir = join(this.dir(uid), 'disks');
    mkdirSync(dir, { recursive: true });
    const wanted = new Map(disks.map((d) => [d.name, d.path]));
    for (const name of readdirSync(dir)) if (!wanted.has(name)) rmSync(join(dir, name), { force: true });
    for (const [name, path] of wanted) {
      const link = join(dir, name);
      if (existsSync(link) && readlinkSync(link) === path) continue;
      rmSync(link, { force: true });
      symlinkSync(path, link);
    }
    return [...wanted.keys()];
  }

  async list(): Promise<VmInfo[]> {
    const out: VmInfo[] = [];
    for (const uid of readdirSync(this.root)) {
      const r = this.read(uid);
      if (r) out.push(await this.info(r));
    }
    return out;
  }

  /** The isolation response for VMs: every guest killed at once, synchronously (the agent is about to exit). */
  killAllNow(): number {
    let killed = 0;
    const uids: string[] = [];
    for (const uid of readdirSync(this.root)) {
      const r = this.read(uid);
      if (!r) continue;
      uids.push(uid);
      if (alive(r.pid)) {
        process.kill(r.pid!, 'SIGKILL');
        killed++;
      }
    }
    // Then every other process of those VMs (a node image's programs, their containers' shims).
    killVmProcesses(uids);
    return killed;
  }

  async guestInfo(uid: string): Promise<VmInfo> {
    return this.info(this.must(uid));
  }

  async readConsole(uid: string, fromByte: number): Promise<VmConsoleReply> {
    const r = this.must(uid);
    // Without the heartbeat's round trip: a reader polls. A guest that died on its own is a VM that is off; one
    // being powered off is off once the power-off is done (its last line written).
    const powerState = r.powerState !== 'PoweredOff' && !this.stopping.has(uid) && !alive(r.pid) ? 'PoweredOff' : r.powerState;
    return { ...readConsoleFile(this.dir(uid), fromByte), powerState };
  }

  private async info(r: VmRecord): Promise<VmInfo> {
    const { userData: _userData, ...rest } = r;
    // A guest that died on its own (killed, crashed) is a VM that is off.
    if (r.powerState !== 'PoweredOff' && !alive(r.pid)) return { ...rest, powerState: 'PoweredOff', pid: undefined, poweredOnAt: undefined, guestHeartbeat: 'gray' };
    const heartbeat = r.powerState === 'PoweredOn' ? await ping(join(this.dir(r.uid), 'guest.sock')) : 'gray';
    const guestInfo = readGuestInfo(this.dir(r.uid));
    return { ...rest, guestHeartbeat: heartbeat, ...(guestInfo ? { guestInfo } : {}) };
  }

  private dir(uid: string): string {
    return join(this.root, uid);
  }

  private read(uid: string): VmRecord | undefined {
    const cached = this.records.get(uid);
    if (cached) return cached;
    const file = join(this.dir(uid), 'vm.json');
    if (!existsSync(file)) return undefined;
    const r = JSON.parse(readFileSync(file, 'utf8')) as VmRecord;
    this.records.set(uid, r);
    return r;
  }

  private must(uid: string): VmRecord {
    const r = this.read(uid);
    if (!r) throw Object.assign(new Error(`no VM ${uid} on this host`), { code: 'HYPERVISOR.NOT_FOUND' });
    return r;
  }

  private write(r: VmRecord): void {
    const file = join(this.dir(r.uid), 'vm.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(r));
    renameSync(`${file}.tmp`, file);
    this.records.set(r.uid, r);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The guest's heartbeat: green once booted, red when it does not answer. */
function ping(socketPath: string): Promise<'green' | 'red'> {
  return new Promise((res) => {
    const s = connect(socketPath);
    let data = '';
    const timer = setTimeout(() => {
      s.destroy();
      res('red');
    }, 500);
    s.on('data', (c) => (data += c.toString()));
    s.on('end', () => {
      clearTimeout(timer);
      res(data.startsWith('green') ? 'green' : 'red');
    });
    s.on('error', () => {
      clearTimeout(timer);
      res('red');
    });
  });
}
