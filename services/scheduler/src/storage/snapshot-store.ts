import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Snapshots of the datastore's volumes, on the datastore itself: `<datastore>/snapshots/<handle>/` holds `data/` (a
 * copy of the volume's directory at the moment it was taken) and `snapshot.json` (its size and time), so a snapshot
 * handle alone (a pre-provisioned VolumeSnapshotContent's) says everything a restore needs. Copies are asynchronous:
 * the scheduler that runs the snapshot controller and the volume binder keeps placing pods while a volume is copied.
 */
export interface SnapshotFacts {
  /** The size of the volume it was taken from, in bytes: the smallest volume it restores into. */
  sizeBytes: number;
  /** When it was taken (RFC 3339). */
  takenAt: string;
  /** The volume it was taken from. */
  volume: string;
}

export class SnapshotStore {
  constructor(private readonly datastoreDir: string) {}

  private dir(handle: string): string {
    return join(this.datastoreDir, 'snapshots', handle);
  }

  /** Whether a handle can name a snapshot of this store (one path element, nothing that climbs out). */
  static validHandle(handle: unknown): handle is string {
    return typeof handle === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(handle) && handle.length <= 253;
  }

  /**
   * Copies the volume's directory as snapshot `handle`. Written beside and renamed into place, so a snapshot either
   * exists whole or not at all; taking one that exists already (a retried pass) keeps the first.
   */
  async take(handle: string, volumePath: string, facts: SnapshotFacts): Promise<void> {
    const dir = this.dir(handle);
    if (existsSync(join(dir, 'snapshot.json'))) return;
    const partial = `${dir}.partial`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    await cp(volumePath, join(partial, 'data'), { recursive: true, preserveTimestamps: true });
    await writeFile(join(partial, 'snapshot.json'), `${JSON.stringify(facts)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
  }

  /** What a snapshot holds, or undefined when there is no such snapshot. */
  read(handle: string): SnapshotFacts | undefined {
    if (!SnapshotStore.validHandle(handle)) return undefined;
    try {
      return JSON.parse(readFileSync(join(this.dir(handle), 'snapshot.json'), 'utf8')) as SnapshotFacts;
    } catch {
      return undefined;
    }
  }

  /** Fills a new volume's directory with the snapshot's data. */
  async restore(handle: string, volumePath: string): Promise<void> {
    await mkdir(volumePath, { recursive: true });
    await cp(join(this.dir(handle), 'data'), volumePath, { recursive: true, preserveTimestamps: true });
  }

  /** Fills a new volume's directory with another volume's data (a claim cloned from a claim). */
  async clone(sourcePath: string, volumePath: string): Promise<void> {
    await mkdir(volumePath, { recursive: true });
    await cp(sourcePath, volumePath, { recursive: true, preserveTimestamps: true });
  }

  async remove(handle: string): Promise<void> {
    if (SnapshotStore.validHandle(handle)) await rm(this.dir(handle), { recursive: true, force: true });
  }
}
