import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Snapshots of the datastore's volumes, on the datastore itself: `<datastore>/snapshots/<handle>/` holds `data/` (a
 * copy of the volume's directory at the moment it was taken) and `snapshot.json` (its size and time), so a snapshot
 * handle alone (a pre-provisioned VolumeSnapshotContent's) says everything a restore needs.
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
  take(handle: string, volumePath: string, facts: SnapshotFacts): void {
    const dir = this.dir(handle);
    if (existsSync(join(dir, 'snapshot.json'))) return;
    const partial = `${dir}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    cpSync(volumePath, join(partial, 'data'), { recursive: true, preserveTimestamps: true });
    writeFileSync(join(partial, 'snapshot.json'), `${JSON.stringify(facts)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
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
  restore(handle: string, volumePath: string): void {
    mkdirSync(volumePath, { recursive: true });
    cpSync(join(this.dir(handle), 'data'), volumePath, { recursive: true, preserveTimestamps: true });
  }

  /** Fills a new volume's directory with another volume's data (a claim cloned from a claim). */
  clone(sourcePath: string, volumePath: string): void {
    mkdirSync(volumePath, { recursive: true });
    cpSync(sourcePath, volumePath, { recursive: true, preserveTimestamps: true });
  }

  remove(handle: string): void {
    if (SnapshotStore.validHandle(handle)) rmSync(this.dir(handle), { recursive: true, force: true });
  }
}
