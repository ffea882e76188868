import { expiresAt, PublishFacts, publishConditions, publishedIds } from './publish-request.status';

const facts = (over: Partial<PublishFacts> = {}): PublishFacts => ({ source: 'ok', target: 'ok', sourceName: 'web-1', libraryName: 'lib', itemName: 'web-1-image', attempted: false, uploaded: false, ...over });
const summary = (f: PublishFacts) => publishConditions(f, undefined, 1, 'T0').map((c) => `${c.type}=${c.status}/${c.reason}`);

describe('VirtualMachinePublishRequest conditions', () => {
  it('says why the source is not valid: missing, or not yet created on a host', () => {
    expect(summary(facts({ source: 'missing' }))).toContain('SourceValid=False/SourceVirtualMachineNotExist');
    expect(summary(facts({ source: 'notCreated' }))).toContain('SourceValid=False/SourceVirtualMachineNotCreated');
  });

  it('says why the target is not valid: no library, a read-only one, an item name taken', () => {
    expect(summary(facts({ target: 'missing' }))).toContain('TargetValid=False/TargetContentLibraryNotExist');
    expect(summary(facts({ target: 'notWritable' }))).toContain('TargetValid=False/TargetContentLibraryNotWritable');
    expect(summary(facts({ target: 'itemTaken' }))).toContain('TargetValid=False/TargetItemAlreadyExists');
  });

  it('is not complete before the upload, nor before the image is available, and complete with every condition True', () => {
    expect(summary(facts())).toEqual(['Complete=False/HasNotBeenUploaded', 'SourceValid=True/True', 'TargetValid=True/True']);
    expect(summary(facts({ attempted: true }))).toContain('Uploaded=False/NotStarted');
    expect(summary(facts({ attempted: true, uploaded: true }))).toEqual([
      'Complete=False/ImageUnavailable', 'ImageAvailable=False/VirtualMachineImageNotFound', 'SourceValid=True/True', 'TargetValid=True/True', 'Uploaded=True/True',
    ]);
    const done = summary(facts({ attempted: true, uploaded: true, imageName: 'vmi-1' }));
    expect(done).toHaveLength(5);
    expect(done.every((c) => c.includes('=True/True'))).toBe(true);
  });

  it('keeps the transition time of a condition whose status did not change', () => {
    const first = publishConditions(facts(), undefined, 1, 'T0');
    const next = publishConditions(facts({ attempted: true, uploaded: true }), first, 1, 'T1');
    expect(next.find((c) => c.type === 'SourceValid')?.lastTransitionTime).toBe('T0');
    expect(next.find((c) => c.type === 'Complete')).toMatchObject({ reason: 'ImageUnavailable', lastTransitionTime: 'T0' });
    expect(next.find((c) => c.type === 'Uploaded')?.lastTransitionTime).toBe('T1');
  });

  it('names the published image the same on every pass of one request, and differently for another request', () => {
    const a = publishedIds('uid-1', 'lib', 'web');
    expect(publishedIds('uid-1', 'lib', 'web')).toEqual(a);
    expect(a.imageName).toMatch(/^vmi-[0-9a-f]{17}$/);
    expect(a.itemName).toMatch(/^clitem-[0-9a-f]{17}$/);
    expect(publishedIds('uid-2', 'lib', 'web').imageName).not.toBe(a.imageName);
  });

  it('expires a finished request its TTL after completion, and never one without a TTL or not finished', () => {
    const done = { spec: { ttlSecondsAfterFinished: 30 }, status: { ready: true, completionTime: '2026-01-01T00:00:00Z' } };
    expect(expiresAt(done)).toBe(Date.parse('2026-01-01T00:00:30Z'));
    expect(expiresAt({ ...done, spec: {} })).toBeUndefined();
    expect(expiresAt({ ...done, status: { completionTime: '2026-01-01T00:00:00Z' } })).toBeUndefined();
    expect(expiresAt({ ...done, spec: { ttlSecondsAfterFinished: 0 } })).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });
});
