import { createHash, randomUUID } from 'node:crypto';
import { parseQuantity, validateDns1123Subdomain } from '@openpacific/kube-api';
import { publishedIds } from '../publish/publish-request.status';

export const IMAGEREGISTRY_API_VERSION = 'imageregistry.vmware.com/v1alpha1';
/** Marks the items and the library the vm-operator made: only those it updates and deletes. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'vm-operator';

/** The image kinds and the item kind each one's `spec.providerRef` names. */
export const ITEM_KIND_OF = { VirtualMachineImage: 'ContentLibraryItem', ClusterVirtualMachineImage: 'ClusterContentLibraryItem' } as const;
export type ImageKind = keyof typeof ITEM_KIND_OF;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** A UUID-shaped id, the same for the same seed (vCenter ids of what the system makes). */
export function stableUuid(seed: string): string {
  const h = sha(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The ClusterContentLibrary the system provides for the ClusterVirtualMachineImages: `cl-` and 17 hex characters. */
export const SYSTEM_LIBRARY_UUID = stableUuid('openpacific cluster content library');
export const SYSTEM_LIBRARY_NAME = `cl-${sha(SYSTEM_LIBRARY_UUID).slice(0, 17)}`;

/** The item a cluster image without a providerRef is given, as VM Operator names items: `clitem-` and 17 hex. */
export function clusterItemName(imageUid: string): string {
  return `clitem-${sha(`${imageUid}\nClusterContentLibraryItem`).slice(0, 17)}`;
}

/** The item an image's `spec.providerRef` names, when it is of the kind that image's items are. */
/**
 * The library item an image names as its provider, if it can be one: an item's name is a DNS subdomain. An image
 * whose providerRef named "Not A Name!" or 70,000 characters had an item of that name made, which the API would
 * have refused and no client could then address.
 */
export function itemNameOf(image: any, kind: ImageKind): string | undefined {
  const ref = image.spec?.providerRef;
  if (ref?.kind !== ITEM_KIND_OF[kind] || typeof ref.name !== 'string' || !ref.name) return undefined;
  return validateDns1123Subdomain(ref.name).length === 0 ? ref.name : undefined;
}

export const managed = (obj: any): boolean => obj?.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;

/** An owner reference to `owner` (an object of `apiVersion`). */
export function ownerRef(owner: any, apiVersion: string, controller: boolean): any {
  return { apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller, blockOwnerDeletion: true };
}

/** The library a published image's item belongs to: the publish request whose image it is, and the item's description. */
export interface LibraryOfItem {
  kind: 'ContentLibrary' | 'ClusterContentLibrary';
  name: string;
  description?: string;
}

/** The files of an image's item: one per disk whose size is known, and the item's total when every disk's is. */
export function itemFiles(image: any): { fileInfo?: any[]; sizeInBytes?: string } {
  const disks: any[] = Array.isArray(image.status?.disks) ? image.status.disks : [];
  const sizes = disks.map((d) => (d?.size === undefined ? undefined : parseQuantity(d.size)));
  const fileInfo = disks.flatMap((d, i) => (sizes[i] === undefined ? [] : [{ name: `disk-${i}.vmdk`, cached: true, sizeInBytes: d.size, version: '1' }]));
  const known = sizes.length > 0 && sizes.every((s) => s !== undefined);
  return {
    ...(fileInfo.length ? { fileInfo } : {}),
    ...(known ? { sizeInBytes: String(Math.round(sizes.reduce((a: number, s) => a + (s as number), 0))) } : {}),
  };
}

/** The item's Ready: its image's own Ready condition, True when the image has none. */
export function readyCondition(image: any, previous: any[] | undefined, now: string): any {
  const theirs = (image.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const status = theirs?.status ?? 'True';
  const before = (previous ?? []).find((c: any) => c.type === 'Ready');
  const lastTransitionTime = before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : now;
  if (status === 'True') return { type: 'Ready', status, lastTransitionTime };
  return { type: 'Ready', status, severity: 'Error', reason: theirs.reason || 'VirtualMachineImageNotReady', message: theirs.message ?? '', lastTransitionTime };
}

/** An item's status, from its image and its library: what vCenter would say of the item the image came from. */
export function itemStatus(args: { image: any; itemName: string; library?: LibraryOfItem; previous?: any; now: string }): any {
  const { image, library, previous } = args;
  const type = image.status?.type === 'ISO' ? 'ISO' : 'OVF';
  return {
    name: image.status?.name || args.itemName,
    ...(library?.description ? { description: library.description } : {}),
    ...(library ? { contentLibraryRef: { kind: library.kind, name: library.name } } : {}),
    type,
    contentVersion: image.status?.providerContentVersion || '1',
    creationTime: image.metadata.creationTimestamp,
    cached: true,
    ...itemFiles(image),
    conditions: [readyCondition(image, previous?.conditions, args.now)],
  };
}

/** The item's spec: the image's provider item id when it has one, else an id stable for the item. */
export function itemSpec(image: any, itemName: string, namespace: string | undefined): any {
  return { uuid: image.status?.providerItemID || stableUuid(`${namespace ?? ''}/${itemName}`) };
}

/** A new item for `image`, owned by its library when that is known (the garbage collector deletes it with the library). */
export function newItem(args: { kind: string; name: string; namespace?: string; image: any; library?: LibraryOfItem; libraryObject?: any; now: string }): any {
  const { kind, name, namespace, image, libraryObject, now } = args;
  return {
    apiVersion: IMAGEREGISTRY_API_VERSION,
    kind,
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      uid: randomUUID(),
      creationTimestamp: now,
      generation: 1,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      ...(libraryObject ? { ownerReferences: [ownerRef(libraryObject, IMAGEREGISTRY_API_VERSION, true)] } : {}),
    },
    spec: itemSpec(image, name, namespace),
    status: itemStatus({ image, itemName: name, library: args.library, now }),
  };
}

/**
 * The image's owner references once its item exists, as VM Operator's images are owned by their items (deleting a
 * library deletes its items, and those their images); references to items of its kind that it no longer names go.
 * Undefined when they are already so.
 */
export function imageOwners(image: any, itemKind: string, item: any | undefined): any[] | undefined {
  const refs: any[] = image.metadata.ownerReferences ?? [];
  const others = refs.filter((r) => !(r.kind === itemKind && r.apiVersion?.startsWith('imageregistry.vmware.com/')));
  const ours = item ? refs.find((r) => r.kind === itemKind && r.uid === item.metadata.uid) : undefined;
  const want = item ? [...others, ours ?? ownerRef(item, IMAGEREGISTRY_API_VERSION, !others.some((r) => r.controller))] : others;
  const same = want.length === refs.length && want.every((r) => refs.includes(r));
  return same ? undefined : want;
}

/** The ClusterContentLibrary the system provides, holding an item for every ClusterVirtualMachineImage. */
export function systemLibrary(now: string): any {
  return {
    apiVersion: IMAGEREGISTRY_API_VERSION,
    kind: 'ClusterContentLibrary',
    metadata: { name: SYSTEM_LIBRARY_NAME, uid: randomUUID(), creationTimestamp: now, generation: 1, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
    spec: { uuid: SYSTEM_LIBRARY_UUID },
    status: {
      name: 'Cluster VM Images',
      description: 'The images VMs of every namespace may be deployed from: one item for every ClusterVirtualMachineImage.',
      type: 'Local',
      creationTime: now,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
    },
  };
}

/**
 * The library and description of a namespace's published image, from the publish request that made it (its
 * `status.imageName`, or the item its upload names); undefined when no request says so.
 */
export function publishedLibrary(image: any, requests: any[]): LibraryOfItem | undefined {
  const itemName = image.spec?.providerRef?.name;
  for (const req of requests) {
    const target = req.status?.targetRef;
    const library = target?.location?.name;
    if (!library) continue;
    const made = req.status?.imageName === image.metadata.name || (!!target.item?.name && publishedIds(req.metadata.uid, library, target.item.name).itemName === itemName);
    if (made) return { kind: 'ContentLibrary', name: library, ...(target.item?.description ? { description: target.item.description } : {}) };
  }
  return undefined;
}

