import {
  CLUSTER_CONTENT_LIBRARIES_RESOURCE,
  CLUSTER_CONTENT_LIBRARY_ITEMS_RESOURCE,
  CONTENT_LIBRARIES_RESOURCE,
  CONTENT_LIBRARY_ITEMS_RESOURCE,
  ObjectEventTypes,
  objectStreamId,
  rfc3339,
} from '@openpacific/contracts';
import { EventStore } from '@openpacific/event-store';
import { controllerReadModel, feedPassLoop, PassLoop, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { PUBLISH_REQUESTS_RESOURCE } from '../publish/publish-request-controller';
import { PassSteps } from '../pass-steps';
import { R } from '../vms/vm-resources';
import {
  clusterItemName,
  IMAGEREGISTRY_API_VERSION,
  ImageKind,
  imageOwners,
  ITEM_KIND_OF,
  itemNameOf,
  itemStatus,
  LibraryOfItem,
  managed,
  newItem,
  ownerRef,
  publishedLibrary,
  SYSTEM_LIBRARY_NAME,
  systemLibrary,
} from './library-items';

const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };
const LIBRARY_KINDS = new Set(['ContentLibrary', 'ClusterContentLibrary']);

/** Where each image kind's items and libraries live. */
const PLACES: Record<ImageKind, { images: string; items: string; libraries: string }> = {
  VirtualMachineImage: { images: R.images, items: CONTENT_LIBRARY_ITEMS_RESOURCE, libraries: CONTENT_LIBRARIES_RESOURCE },
  ClusterVirtualMachineImage: { images: R.clusterImages, items: CLUSTER_CONTENT_LIBRARY_ITEMS_RESOURCE, libraries: CLUSTER_CONTENT_LIBRARIES_RESOURCE },
};

/**
 * Content library items (in the elected vm-operator), kept in step with the images that name them, as the image
 * registry keeps vSphere's: every VirtualMachineImage whose providerRef names a ContentLibraryItem has that item
 * (owned by the ContentLibary it was published into, when a publish request says which), and every
 * ClusterVirtualMachineImage a ClusterContentLibraryItem of the ClusterContentLibrary the system provides (an image
 * without a providerRef is given one). Images are owned by their items, so deleting a library deletes its items and
 * their images; deleting an image deletes its item. Items this controller did not make are left alone.
 */
export class LibraryItemController {
  private readonly model = controllerReadModel([
    R.images,
    R.clusterImages,
    CONTENT_LIBRARY_ITEMS_RESOURCE,
    CLUSTER_CONTENT_LIBRARY_ITEMS_RESOURCE,
    CONTENT_LIBRARIES_RESOURCE,
    CLUSTER_CONTENT_LIBRARIES_RESOURCE,
    PUBLISH_REQUESTS_RESOURCE,
  ]);
  private readonly loop: PassLoop;
  private readonly steps: PassSteps;

  constructor(private readonly deps: { store: EventStore; feed: SharedFollower; logger: Logger }) {
    this.loop = feedPassLoop(deps.feed, this.model, () => this.pass(), { what: 'content library item', logger: deps.logger });
    this.steps = new PassSteps(deps.logger, 'content library');
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    const now = rfc3339();
    await this.steps.attempt('library', SYSTEM_LIBRARY_NAME, () => this.provideLibrary(now));
    for (const kind of Object.keys(PLACES) as ImageKind[]) {
      for (const stored of this.model.list(PLACES[kind].images)) {
        if (!stored.object.metadata.deletionTimestamp) await this.steps.attempt('image', stored.object.metadata.name, () => this.reconcileImage(kind, stored, now));
      }
      for (const stored of this.model.list(PLACES[kind].items)) {
        if (managed(stored.object)) await this.steps.attempt('item', stored.object.metadata.name, () => this.collectItem(kind, stored));
      }
    }
    this.steps.finish(() => this.loop.schedule());
  }


  private async provideLibrary(now: string): Promise<void> {
    if (this.model.get(CLUSTER_CONTENT_LIBRARIES_RESOURCE, undefined, SYSTEM_LIBRARY_NAME)) return;
    await this.write(CLUSTER_CONTENT_LIBRARIES_RESOURCE, undefined, SYSTEM_LIBRARY_NAME, systemLibrary(now), ObjectEventTypes.created);
  }

  /** The library an image's item belongs to, and that library's object when it exists. */
  private libraryOf(kind: ImageKind, image: any, item: any | undefined): { library?: LibraryOfItem; object?: any } {
    const ns = image.metadata.namespace;
    const library: LibraryOfItem | undefined =
      kind === 'ClusterVirtualMachineImage'
        ? { kind: 'ClusterContentLibrary', name: SYSTEM_LIBRARY_NAME }
        : (publishedLibrary(image, this.model.list(PUBLISH_REQUESTS_RESOURCE, ns).map((s) => s.object)) ??
          (item?.status?.contentLibraryRef?.name ? { kind: 'ContentLibrary', name: item.status.contentLibraryRef.name, description: item.status.description } : undefined));
    const object = library ? this.model.get(PLACES[kind].libraries, ns, library.name)?.object : undefined;
    return { library, object: object?.metadata.deletionTimestamp ? undefined : object };
  }

  private async reconcileImage(kind: ImageKind, stored: StoredObject, now: string): Promise<void> {
    const image = stored.object;
    const ns: string | undefined = image.metadata.namespace;
    const places = PLACES[kind];
    const itemKind = ITEM_KIND_OF[kind];
    if (kind === 'ClusterVirtualMachineImage' && !image.spec?.providerRef) {
      // As vSphere gives every cluster image: a providerRef to its item. The image keeps its name.
      const next = { ...image, metadata: { ...image.metadata, generation: (image.metadata.generation ?? 1) + 1 }, spec: { ...image.spec, providerRef: { apiVersion: IMAGEREGISTRY_API_VERSION, kind: itemKind, name: clusterItemName(image.metadata.uid) } } };
      await this.write(places.images, ns, image.metadata.name, next, ObjectEventTypes.updated, stored.streamVersion);
      return;
    }
    const name = itemNameOf(image, kind);
    if (!name) return;
    const itemStored = this.model.get(places.items, ns, name);
    const item = itemStored?.object;
    if (item && !managed(item)) return;
    // Owned by an item that is gone (its library was deleted): the garbage collector is deleting the image.
    const orphaned = (image.metadata.ownerReferences ?? []).some((r: any) => r.kind === itemKind && r.uid !== item?.metadata.uid && !this.model.findByUid(r.uid));
    if (orphaned) return;
    const { library, object: libraryObject } = this.libraryOf(kind, image, item);
    if (!item) {
      if (kind === 'ClusterVirtualMachineImage' && !libraryObject) return;
      await this.write(places.items, ns, name, newItem({ kind: itemKind, name, namespace: ns, image, library, libraryObject, now }), ObjectEventTypes.created);
      return;
    }
    await this.updateItem(places.items, itemStored!, image, library, libraryObject, now);
    const owners = imageOwners(image, itemKind, item);
    if (owners) await this.write(places.images, ns, image.metadata.name, { ...image, metadata: { ...image.metadata, ownerReferences: owners } }, ObjectEventTypes.updated, stored.streamVersion);
  }

  private async updateItem(resource: string, stored: StoredObject, image: any, library: LibraryOfItem | undefined, libraryObject: any, now: string): Promise<void> {
    const item = stored.object;
    const status = JSON.parse(JSON.stringify(itemStatus({ image, itemName: item.metadata.name, library, previous: item.status, now })));
    const refs: any[] = item.metadata.ownerReferences ?? [];
    const owned = !libraryObject || refs.some((r) => r.uid === libraryObject.metadata.uid);
    const metadata = owned ? item.metadata : { ...item.metadata, ownerReferences: [...refs.filter((r) => !LIBRARY_KINDS.has(r.kind)), ownerRef(libraryObject, IMAGEREGISTRY_API_VERSION, true)] };
    if (owned && sameJson(status, item.status ?? {})) return;
    await this.write(resource, item.metadata.namespace, item.metadata.name, { ...item, metadata, status }, owned ? ObjectEventTypes.statusUpdated : ObjectEventTypes.updated, stored.streamVersion);
  }

  /** An item no live image names any more: images still owned by it are released first, then it is deleted. */
  private async collectItem(kind: ImageKind, stored: StoredObject): Promise<void> {
    const item = stored.object;
    const ns = item.metadata.namespace;
    const images = this.model.list(PLACES[kind].images, ns);
    if (images.some((i) => !i.object.metadata.deletionTimestamp && itemNameOf(i.object, kind) === item.metadata.name)) return;
    for (const i of images) {
      if (i.object.metadata.deletionTimestamp || !(i.object.metadata.ownerReferences ?? []).some((r: any) => r.uid === item.metadata.uid)) continue;
      const owners = imageOwners(i.object, item.kind, undefined) ?? [];
      await this.write(PLACES[kind].images, ns, i.object.metadata.name, { ...i.object, metadata: { ...i.object.metadata, ownerReferences: owners } }, ObjectEventTypes.updated, i.streamVersion);
    }
    await this.write(PLACES[kind].items, ns, item.metadata.name, item, ObjectEventTypes.deleted, stored.streamVersion);
  }

  private async write(resource: string, namespace: string | undefined, name: string, object: any, type: string, expectedVersion?: number): Promise<void> {
    const next = { ...object, metadata: { ...object.metadata } };
    delete next.metadata.resourceVersion;
    if (Array.isArray(next.metadata.ownerReferences) && next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
    await this.deps.store.append(objectStreamId(resource, namespace, name), [{ type, data: { resource, object: next }, metadata: ACTOR }], {
      expectedVersion: expectedVersion ?? this.model.streamVersion(resource, namespace, name),
    });
  }
}
