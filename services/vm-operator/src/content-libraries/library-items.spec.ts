import { publishedIds } from '../publish/publish-request.status';
import {
  clusterItemName,
  imageOwners,
  itemFiles,
  itemNameOf,
  itemStatus,
  MANAGED_BY_LABEL,
  newItem,
  publishedLibrary,
  readyCondition,
  stableUuid,
  SYSTEM_LIBRARY_NAME,
  systemLibrary,
} from './library-items';

const NOW = '2026-12-01T10:00:00Z';
const LATER = '2026-12-01T11:00:00Z';

const image = (over: any = {}) => ({
  apiVersion: 'vmoperator.vmware.com/v1alpha5',
  kind: 'VirtualMachineImage',
  metadata: { name: 'vmi-0123456789abcdef0', namespace: 'team-a', uid: 'image-uid', creationTimestamp: '2026-11-30T09:00:00Z', ...over.metadata },
  spec: { providerRef: { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibraryItem', name: 'clitem-0123456789abcdef0' }, ...over.spec },
  status: { name: 'ubuntu-22.04', providerItemID: '3f1e8a52-0c1d-4e5f-9a7b-123456789abc', providerContentVersion: '4', ...over.status },
});

describe('the item an image names', () => {
  it('is the providerRef of the item kind of its image kind, and nothing else', () => {
    expect(itemNameOf(image(), 'VirtualMachineImage')).toBe('clitem-0123456789abcdef0');
    expect(itemNameOf(image(), 'ClusterVirtualMachineImage')).toBeUndefined();
    expect(itemNameOf(image({ spec: { providerRef: { kind: 'ClusterContentLibraryItem', name: 'clitem-x' } } }), 'ClusterVirtualMachineImage')).toBe('clitem-x');
    expect(itemNameOf({ metadata: {}, spec: {} }, 'VirtualMachineImage')).toBeUndefined();
  });

  it('is none when the name could be no item\'s (an item of that name was made, and could not be addressed)', () => {
    for (const name of ['Not A Name!', 'a'.repeat(70_000)]) {
      expect(itemNameOf(image({ spec: { providerRef: { kind: 'ContentLibraryItem', name } } }), 'VirtualMachineImage')).toBeUndefined();
    }
  });

  it('given to a cluster image is named as VM Operator names items, the same for the same image', () => {
    expect(clusterItemName('uid-1')).toMatch(/^clitem-[0-9a-f]{17}$/);
    expect(clusterItemName('uid-1')).toBe(clusterItemName('uid-1'));
    expect(clusterItemName('uid-2')).not.toBe(clusterItemName('uid-1'));
  });
});

describe("an item's status", () => {
  it("says what vCenter would of the image's item: its name, type, content version, creation, cached and Ready", () => {
    const status = itemStatus({ image: image(), itemName: 'clitem-0123456789abcdef0', library: { kind: 'ContentLibrary', name: 'team-lib', description: 'golden web' }, now: NOW });
    expect(status).toEqual({
      name: 'ubuntu-22.04',
      description: 'golden web',
      contentLibraryRef: { kind: 'ContentLibrary', name: 'team-lib' },
      type: 'OVF',
      contentVersion: '4',
      creationTime: '2026-11-30T09:00:00Z',
      cached: true,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: NOW }],
    });
  });

  it('falls back to the item name, content version 1, no library and no files when the image says nothing', () => {
    const bare = { metadata: { name: 'web', creationTimestamp: NOW }, spec: { providerRef: { kind: 'ContentLibraryItem', name: 'clitem-web' } } };
    const status = itemStatus({ image: bare, itemName: 'clitem-web', now: NOW });
    expect(status).toMatchObject({ name: 'clitem-web', type: 'OVF', contentVersion: '1', cached: true });
    expect(status.contentLibraryRef).toBeUndefined();
    expect(status.fileInfo).toBeUndefined();
    expect(status.sizeInBytes).toBeUndefined();
  });

  it('keeps an ISO image an ISO item', () => {
    expect(itemStatus({ image: image({ status: { type: 'ISO' } }), itemName: 'x', now: NOW }).type).toBe('ISO');
  });

  it("lists one file per disk whose size is known, and the total only when every disk's is", () => {
    expect(itemFiles(image({ status: { disks: [{ capacity: '10Gi', size: '2Gi' }, { capacity: '20Gi', size: 1024 }] } }))).toEqual({
      fileInfo: [
        { name: 'disk-0.vmdk', cached: true, sizeInBytes: '2Gi', version: '1' },
        { name: 'disk-1.vmdk', cached: true, sizeInBytes: 1024, version: '1' },
      ],
      sizeInBytes: String(2 * 1024 ** 3 + 1024),
    });
    expect(itemFiles(image({ status: { disks: [{ capacity: '10Gi', size: '1Mi' }, { capacity: '20Gi' }] } }))).toEqual({
      fileInfo: [{ name: 'disk-0.vmdk', cached: true, sizeInBytes: '1Mi', version: '1' }],
    });
    expect(itemFiles(image())).toEqual({});
  });

  it("follows the image's Ready, keeping the transition time while the status holds", () => {
    const notReady = image({ status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ProviderNotReady', message: 'still syncing' }] } });
    const down = readyCondition(notReady, undefined, NOW);
    expect(down).toEqual({ type: 'Ready', status: 'False', severity: 'Error', reason: 'ProviderNotReady', message: 'still syncing', lastTransitionTime: NOW });
    expect(readyCondition(notReady, [down], LATER).lastTransitionTime).toBe(NOW);
    expect(readyCondition(image(), [down], LATER)).toEqual({ type: 'Ready', status: 'True', lastTransitionTime: LATER });
  });
});

describe('a new item', () => {
  it('is marked as made here, carries the provider item id, and is owned by its library when that exists', () => {
    const library = { kind: 'ContentLibrary', metadata: { name: 'team-lib', uid: 'lib-uid' } };
    const item = newItem({ kind: 'ContentLibraryItem', name: 'clitem-0123456789abcdef0', namespace: 'team-a', image: image(), library: { kind: 'ContentLibrary', name: 'team-lib' }, libraryObject: library, now: NOW });
    expect(item).toMatchObject({
      apiVersion: 'imageregistry.vmware.com/v1alpha1',
      kind: 'ContentLibraryItem',
      metadata: { name: 'clitem-0123456789abcdef0', namespace: 'team-a', labels: { [MANAGED_BY_LABEL]: 'vm-operator' }, ownerReferences: [{ apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibrary', name: 'team-lib', uid: 'lib-uid', controller: true, blockOwnerDeletion: true }] },
      spec: { uuid: '3f1e8a52-0c1d-4e5f-9a7b-123456789abc' },
    });
    const unowned = newItem({ kind: 'ContentLibraryItem', name: 'clitem-web', namespace: 'team-a', image: image({ status: { providerItemID: undefined } }), now: NOW });
    expect(unowned.metadata.ownerReferences).toBeUndefined();
    expect(unowned.spec.uuid).toBe(stableUuid('team-a/clitem-web'));
    expect(unowned.spec.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe("an image's owners", () => {
  const item = { kind: 'ContentLibraryItem', metadata: { name: 'clitem-0123456789abcdef0', uid: 'item-uid' } };
  const ref = { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibraryItem', name: 'clitem-0123456789abcdef0', uid: 'item-uid', controller: true, blockOwnerDeletion: true };

  it('gain its item as controller, and are left as they are once they have it', () => {
    const owners = imageOwners(image(), 'ContentLibraryItem', item);
    expect(owners).toEqual([ref]);
    expect(imageOwners(image({ metadata: { ownerReferences: owners } }), 'ContentLibraryItem', item)).toBeUndefined();
  });

  it('drop an item they no longer name, keeping other owners, and do not take control from another controller', () => {
    const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'cm-uid', controller: true };
    const stale = { ...ref, name: 'clitem-old', uid: 'old-uid' };
    expect(imageOwners(image({ metadata: { ownerReferences: [other, stale] } }), 'ContentLibraryItem', item)).toEqual([other, { ...ref, controller: false }]);
    expect(imageOwners(image({ metadata: { ownerReferences: [other, stale] } }), 'ContentLibraryItem', undefined)).toEqual([other]);
    expect(imageOwners(image({ metadata: { ownerReferences: [other] } }), 'ContentLibraryItem', undefined)).toBeUndefined();
  });
});

describe('the library of a published image', () => {
  const request = (over: any) => ({
    metadata: { name: 'web-1', uid: 'req-uid' },
    status: { targetRef: { item: { name: 'web-golden', description: 'golden web' }, location: { name: 'team-lib', kind: 'ContentLibrary' } }, ...over },
  });

  it("is the target of the request whose image it is, with the item's description", () => {
    expect(publishedLibrary(image({ metadata: { name: 'vmi-aaa' } }), [request({ imageName: 'vmi-aaa' })])).toEqual({ kind: 'ContentLibrary', name: 'team-lib', description: 'golden web' });
  });

  it('is found by the item the upload made before the request reports the image', () => {
    const ids = publishedIds('req-uid', 'team-lib', 'web-golden');
    const published = image({ metadata: { name: ids.imageName }, spec: { providerRef: { kind: 'ContentLibraryItem', name: ids.itemName } } });
    expect(publishedLibrary(published, [request({})])).toMatchObject({ name: 'team-lib' });
  });

  it('is unknown for an image no request made', () => {
    expect(publishedLibrary(image(), [request({ imageName: 'vmi-other' })])).toBeUndefined();
    expect(publishedLibrary(image(), [])).toBeUndefined();
  });
});

describe('the library the system provides', () => {
  it('is a Ready local ClusterContentLibrary named as vSphere names libraries, the same on every start', () => {
    const lib = systemLibrary(NOW);
    expect(SYSTEM_LIBRARY_NAME).toMatch(/^cl-[0-9a-f]{17}$/);
    expect(lib).toMatchObject({ kind: 'ClusterContentLibrary', metadata: { name: SYSTEM_LIBRARY_NAME }, status: { type: 'Local', conditions: [{ type: 'Ready', status: 'True' }] } });
    expect(systemLibrary(LATER).spec).toEqual(lib.spec);
  });
});
