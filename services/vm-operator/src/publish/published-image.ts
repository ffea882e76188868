import { randomUUID } from 'node:crypto';
import type { ReadModel } from '@openpacific/objects';
import { GUEST_PORTS_ANNOTATION, R } from '../vms/vm-resources';

/** The image facts a published item carries over from the image the source VM was deployed from. */
const FACTS = ['capabilities', 'firmware', 'hardwareVersion', 'osInfo', 'ovfProperties', 'vmwareSystemProperties', 'productInfo', 'disks', 'type'];

/** The image the VM was deployed from (`spec.image`, resolved by the VM controller, or `spec.imageName`). */
export function sourceImage(vm: any, images: ReadModel, namespace: string): any | undefined {
  const ref = vm.spec?.image?.name ?? vm.spec?.imageName;
  if (!ref) return undefined;
  const byName = (resource: string, ns: string | undefined) =>
    images.get(resource, ns, ref)?.object ?? images.list(resource, ns).find((i) => i.object.status?.name === ref)?.object;
  if (vm.spec?.image?.kind === 'ClusterVirtualMachineImage') return byName(R.clusterImages, undefined);
  return byName(R.images, namespace) ?? (vm.spec?.image?.kind ? undefined : byName(R.clusterImages, undefined));
}

/**
 * The VirtualMachineImage a published item appears as in the namespace: the source image's facts (firmware, OS,
 * disks...) and guest ports, the item's name as `status.name`, a providerRef to the new ContentLibraryItem, Ready.
 */
export function publishedImage(args: {
  vm: any; images: ReadModel; namespace: string; ids: { imageName: string; itemName: string; itemID: string }; itemName: string; now: string;
}): any {
  const { vm, ids, now } = args;
  const from = sourceImage(vm, args.images, args.namespace);
  const facts = Object.fromEntries(FACTS.filter((k) => from?.status?.[k] !== undefined).map((k) => [k, structuredClone(from.status[k])]));
  const ports = from?.metadata?.annotations?.[GUEST_PORTS_ANNOTATION];

  return {
    apiVersion: 'vmoperator.vmware.com/v1alpha5',
    kind: 'VirtualMachineImage',
    metadata: {
      name: ids.imageName,
      namespace: args.namespace,
      uid: randomUUID(),
      creationTimestamp: now,
      generation: 1,
      ...(ports ? { annotations: { [GUEST_PORTS_ANNOTATION]: ports } } : {}),
    },
    spec: { providerRef: { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibraryItem', name: ids.itemName } },
    status: {
      ...facts,
      name: args.itemName,
      providerItemID: ids.itemID,
      providerContentVersion: '1',
      conditions: [{ type: 'Ready', status: 'True', reason: 'True', message: '', lastTransitionTime: now }],
    },
  };
}
