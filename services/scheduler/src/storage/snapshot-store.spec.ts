import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotStore } from './snapshot-store';

describe('the datastore snapshot store', () => {
  let root: string;
  let volume: string;
  let store: SnapshotStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'snapshots-'));
    volume = join(root, 'pvc-1');
    mkdirSync(join(volume, 'sub'), { recursive: true });
    writeFileSync(join(volume, 'sub', 'file'), 'v1\n');
    store = new SnapshotStore(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keeps a copy of the volume as it was, with its facts, and restores it into a new volume', async () => {
    await store.take('snapshot-a', volume, { sizeBytes: 1024, takenAt: '2026-12-05T03:00:00Z', volume: 'pvc-1' });
    writeFileSync(join(volume, 'sub', 'file'), 'v2\n');
    expect(store.read('snapshot-a')).toEqual({ sizeBytes: 1024, takenAt: '2026-12-05T03:00:00Z', volume: 'pvc-1' });
    await store.restore('snapshot-a', join(root, 'pvc-2'));
    expect(readFileSync(join(root, 'pvc-2', 'sub', 'file'), 'utf8')).toBe('v1\n');
    // Taken again under the same handle (a retried pass): the first copy stays.
    await store.take('snapshot-a', volume, { sizeBytes: 1024, takenAt: '2026-12-05T03:00:05Z', volume: 'pvc-1' });
    expect(store.read('snapshot-a')?.takenAt).toBe('2026-12-05T03:00:00Z');
    expect(existsSync(join(root, 'snapshots', 'snapshot-a.partial'))).toBe(false);
  });

  it('clones a volume, forgets a removed snapshot, and reads nothing for a handle that would leave the store', async () => {
    await store.clone(volume, join(root, 'pvc-3'));
    expect(readFileSync(join(root, 'pvc-3', 'sub', 'file'), 'utf8')).toBe('v1\n');
    await store.take('snapshot-b', volume, { sizeBytes: 1, takenAt: '2026-12-05T03:00:00Z', volume: 'pvc-1' });
    await store.remove('snapshot-b');
    expect(store.read('snapshot-b')).toBeUndefined();
    expect(existsSync(join(root, 'snapshots', 'snapshot-b'))).toBe(false);
    for (const bad of ['../pvc-1', '', '.hidden', 'a/b']) expect(store.read(bad)).toBeUndefined();
    await store.remove('../pvc-1');
    expect(existsSync(volume)).toBe(true);
  });
});
