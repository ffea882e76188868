import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { statField, Usage, workingSet } from './container-usage';

/**
 * Per-container cgroups for memory and CPU limits, on cgroup v1 (this
 * machine's kind) or v2. Where neither is writable, limits are not enforced
 * and the runtime says so. They also count what the container uses (`usage`):
 * on v1 in a `cpuacct` cgroup too, where the host mounts that controller.
 */
export class Cgroups {
  readonly version: 1 | 2 | undefined;

  constructor(private readonly root = '/sys/fs/cgroup', private readonly parent = 'openpacific') {
    this.version = detect(root, parent);
  }

  get available(): boolean {
    return this.version !== undefined;
  }

  /** Creates the container's cgroups with its limits; returns the cgroup.procs files it must join. */
  create(id: string, limits: { memoryBytes?: number; cpuMillis?: number }): string[] {
    if (!this.version) return [];
    if (this.version === 2) {
      const dir = join(this.root, this.parent, id);
      mkdirSync(dir, { recursive: true });
      if (limits.memoryBytes) writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes));
      if (limits.cpuMillis) writeFileSync(join(dir, 'cpu.max'), `${limits.cpuMillis * 100} 100000`);
      return [join(dir, 'cgroup.procs')];
    }
    const memory = join(this.root, 'memory', this.parent, id);
    const cpu = join(this.root, 'cpu', this.parent, id);
    mkdirSync(memory, { recursive: true });
    mkdirSync(cpu, { recursive: true });
    const cpuacct = this.cpuacct(id);
    if (cpuacct) mkdirSync(cpuacct, { recursive: true });
    if (limits.memoryBytes) {
      writeFileSync(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      try {
        writeFileSync(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
      } catch {
        // no swap accounting: the memory limit alone applies
      }
    }
    if (limits.cpuMillis) writeFileSync(join(cpu, 'cpu.cfs_quota_us'), String(limits.cpuMillis * 100));
    return [join(memory, 'cgroup.procs'), join(cpu, 'cgroup.procs'), ...(cpuacct ? [join(cpuacct, 'cgroup.procs')] : [])];
  }

  /**
   * What the container's cgroups have counted: CPU nanoseconds (v1 `cpuacct.usage`, v2 `cpu.stat` usage_usec) and the
   * working set (usage less inactive file pages, as cAdvisor reports it). A figure its cgroups do not count (a container
   * started before its runtime made cpuacct cgroups, a host without cgroups) is left out, for /proc to give.
   */
  usage(id: string): Partial<Usage> {
    if (!this.version) return {};
    const out: Partial<Usage> = {};
    if (this.version === 2) {
      const dir = join(this.root, this.parent, id);
      const usec = statField(read(join(dir, 'cpu.stat')) ?? '', 'usage_usec');
      if (usec !== undefined) out.cpuUsageCoreNanoSeconds = usec * 1000;
      const current = read(join(dir, 'memory.current'));
      if (current !== undefined) out.memoryWorkingSetBytes = workingSet(Number(current), read(join(dir, 'memory.stat')) ?? '');
      return out;
    }
    const cpuacct = this.cpuacct(id);
    const nanos = cpuacct && read(join(cpuacct, 'cpuacct.usage'));
    if (nanos) out.cpuUsageCoreNanoSeconds = Number(nanos);
    const memory = join(this.root, 'memory', this.parent, id);
    const usage = read(join(memory, 'memory.usage_in_bytes'));
    if (usage !== undefined) out.memoryWorkingSetBytes = workingSet(Number(usage), read(join(memory, 'memory.stat')) ?? '');
    return out;
  }

  /** The container's v1 cpuacct cgroup, where the host has that controller (on its own or mounted with cpu). */
  private cpuacct(id: string): string | undefined {
    return this.version === 1 && existsSync(join(this.root, 'cpuacct', this.parent)) ? join(this.root, 'cpuacct', this.parent, id) : undefined;
  }

  /** Every process of the container (its whole tree), to signal them all. */
  pids(id: string): number[] {
    const file = this.version === 2 ? join(this.root, this.parent, id, 'cgroup.procs') : join(this.root, 'memory', this.parent, id, 'cgroup.procs');
    try {
      return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  oomKilled(id: string): boolean {
    try {
      const file = this.version === 2 ? join(this.root, this.parent, id, 'memory.events') : join(this.root, 'memory', this.parent, id, 'memory.oom_control');
      const m = /oom_kill (\d+)/.exec(readFileSync(file, 'utf8'));
      return !!m && Number(m[1]) > 0;
    } catch {
      return false;
    }
  }

  remove(id: string): void {
    const cpuacct = this.cpuacct(id);
    const dirs = this.version === 2 ? [join(this.root, this.parent, id)] : [join(this.root, 'memory', this.parent, id), join(this.root, 'cpu', this.parent, id), ...(cpuacct ? [cpuacct] : [])];
    for (const d of dirs) {
      try {
        if (existsSync(d)) rmdirSync(d);
      } catch {
        // still has processes; removed on the next cleanup
      }
    }
  }
}

function detect(root: string, parent: string): 1 | 2 | undefined {
  try {
    if (existsSync(join(root, 'cgroup.controllers'))) {
      mkdirSync(join(root, parent), { recursive: true });
      writeFileSync(join(root, parent, 'cgroup.subtree_control'), '+memory +cpu');
      return 2;
    }
    if (existsSync(join(root, 'memory')) && existsSync(join(root, 'cpu'))) {
      mkdirSync(join(root, 'memory', parent), { recursive: true });
      mkdirSync(join(root, 'cpu', parent), { recursive: true });
      try {
        if (existsSync(join(root, 'cpuacct'))) mkdirSync(join(root, 'cpuacct', parent), { recursive: true });
      } catch {
        // Usage accounting only: without it CPU usage comes from /proc, and the limits still apply.
      }
      return 1;
    }
  } catch {
    // not root, or a read-only cgroup filesystem
  }
  return undefined;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}
