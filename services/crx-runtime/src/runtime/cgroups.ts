import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Per-container cgroups for memory and CPU limits, on cgroup v1 (this
 * machine's kind) or v2. Where neither is writable, limits are not enforced
 * and the runtime says so.
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
    if (limits.memoryBytes) {
      writeFileSync(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      try {
        writeFileSync(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
      } catch {
        // no swap accounting: the memory limit alone applies
      }
    }
    if (limits.cpuMillis) writeFileSync(join(cpu, 'cpu.cfs_quota_us'), String(limits.cpuMillis * 100));
    return [join(memory, 'cgroup.procs'), join(cpu, 'cgroup.procs')];
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
    const dirs = this.version === 2 ? [join(this.root, this.parent, id)] : [join(this.root, 'memory', this.parent, id), join(this.root, 'cpu', this.parent, id)];
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
      return 1;
    }
  } catch {
    // not root, or a read-only cgroup filesystem
  }
  return undefined;
}
