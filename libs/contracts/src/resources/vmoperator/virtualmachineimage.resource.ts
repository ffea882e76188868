import { objectSchema } from '../object-meta.schema';
import { PrinterColumn, ResourceDefinition } from '../resource-definition';
import { ageColumn, VmopVersion, vmopResource } from './common';
import { VersionMapping } from './conversion';
import { clone } from './json-patch3';
import { defined, pick } from './mapping-helpers';
import { bool, capiCondition, int, list, metaCondition, obj, quantity, str, strList, typedRef } from './schema-helpers';
import { conditionDown, conditionUp } from './virtualmachine.conversion';

const productInfo = obj({ product: str, vendor: str, version: str, fullVersion: str });

/** v1alpha2 and later (the content library publishes these fields). */
const imageSchema = objectSchema({
  spec: obj({ providerRef: typedRef }),
  status: obj({
    name: str,
    capabilities: strList,
    firmware: str,
    hardwareVersion: int,
    osInfo: obj({ id: str, type: str, version: str }),
    ovfProperties: list(obj({ key: str, type: str, default: str }, ['key', 'type'])),
    vmwareSystemProperties: list(obj({ key: str, value: str }, ['key'])),
    productInfo,
    disks: list(obj({ capacity: quantity, size: quantity })),
    providerContentVersion: str,
    providerItemID: str,
    conditions: list(metaCondition),
    type: str,
  }),
});

const ovfEnvEntry = obj({ key: str, type: str, default: str, description: str, label: str }, ['key', 'type']);

/** v1alpha1 kept the image facts in spec and a few deprecated status fields. */
const imageV1alpha1Schema = objectSchema({
  spec: obj({
    type: str,
    imageSourceType: str,
    imageID: str,
    providerRef: obj({ apiVersion: str, kind: str, name: str, namespace: str }, ['kind', 'name']),
    productInfo,
    osInfo: obj({ type: str, version: str }),
    ovfEnv: { type: 'object', additionalProperties: ovfEnvEntry },
    hwVersion: int,
  }),
  status: obj({
    uuid: str,
    internalId: str,
    powerState: str,
    imageName: str,
    imageSupported: bool,
    conditions: list(capiCondition),
    contentLibraryRef: obj({ apiGroup: str, kind: str, name: str }, ['kind', 'name']),
    contentVersion: str,
    firmware: str,
  }),
});

function ovfPropertiesUp(env: any): any[] | undefined {
  return env && typeof env === 'object' ? Object.values(env).map((p: any) => pick(p, ['key', 'type', 'default'])) : undefined;
}

function ovfEnvDown(props: any[] | undefined): any {
  return Array.isArray(props) ? Object.fromEntries(props.map((p) => [p.key, pick(p, ['key', 'type', 'default'])])) : undefined;
}

function imageUp(obj: any): any {
  const out = clone(obj);
  const spec = obj.spec ?? {};
  const st = obj.status ?? {};
  const status = defined({
    name: st.imageName,
    firmware: st.firmware,
    conditions: Array.isArray(st.conditions) ? st.conditions.map(conditionUp) : undefined,
    providerContentVersion: st.contentVersion,
    providerItemID: spec.imageID,
    type: spec.type,
    productInfo: spec.productInfo,
    osInfo: spec.osInfo,
    hardwareVersion: spec.hwVersion,
    ovfProperties: ovfPropertiesUp(spec.ovfEnv),
  });
  if (obj.spec) out.spec = spec.providerRef ? { providerRef: pick(spec.providerRef, ['apiVersion', 'kind', 'name']) } : {};
  if (status) out.status = clone(status);
  else delete out.status;
  return out;
}

function imageDown(hub: any): any {
  const out = clone(hub);
  const st = hub.status ?? {};
  const spec = defined({
    type: st.type,
    imageID: st.providerItemID,
    providerRef: hub.spec?.providerRef,
    productInfo: st.productInfo,
    osInfo: st.osInfo ? pick(st.osInfo, ['type', 'version']) : undefined,
    hwVersion: st.hardwareVersion,
    ovfEnv: ovfEnvDown(st.ovfProperties),
  });
  if (spec || hub.spec) out.spec = clone(spec ?? {});
  if (hub.status) {
    out.status = clone(
      defined({
        imageName: st.name,
        firmware: st.firmware,
        contentVersion: st.providerContentVersion,
        conditions: Array.isArray(st.conditions) ? st.conditions.map(conditionDown) : undefined,
      }) ?? {},
    );
  }
  return out;
}

const imageV1alpha1Mapping: VersionMapping = { up: imageUp, down: imageDown };

/** As the CRD prints v1alpha2 and later (header names with spaces), plus Age. */
const columns: PrinterColumn[] = [
  { name: 'Image Name', type: 'string', jsonPath: '.status.name' },
  { name: 'Image Version', type: 'string', jsonPath: '.status.productInfo.version' },
  { name: 'OS Name', type: 'string', jsonPath: '.status.osInfo.type' },
  { name: 'OS Version', type: 'string', jsonPath: '.status.osInfo.version' },
  { name: 'Hardware Version', type: 'string', jsonPath: '.status.hardwareVersion' },
  { name: 'Capabilities', type: 'string', jsonPath: '.status.capabilities' },
  ageColumn,
];

const v1alpha1Columns: PrinterColumn[] = [
  { name: 'Provider-Name', type: 'string', jsonPath: '.spec.providerRef.name' },
  { name: 'Content-Library-Name', type: 'string', jsonPath: '.status.contentLibraryRef.name' },
  { name: 'Image-Name', type: 'string', jsonPath: '.status.imageName' },
  { name: 'Version', type: 'string', jsonPath: '.spec.productInfo.version' },
  { name: 'Os-Type', type: 'string', jsonPath: '.spec.osInfo.type' },
  { name: 'Format', type: 'string', jsonPath: '.spec.type' },
  { name: 'Image-Supported', type: 'boolean', jsonPath: '.status.imageSupported', priority: 1 },
  ageColumn,
];

const schemas: Record<VmopVersion, any> = { v1alpha5: imageSchema, v1alpha3: imageSchema, v1alpha2: imageSchema, v1alpha1: imageV1alpha1Schema };
const allColumns: Record<VmopVersion, PrinterColumn[]> = { v1alpha5: columns, v1alpha3: columns, v1alpha2: columns, v1alpha1: v1alpha1Columns };

export const virtualMachineImageResource: ResourceDefinition = vmopResource({
  kind: 'VirtualMachineImage',
  plural: 'virtualmachineimages',
  shortNames: ['vmi', 'vmimage'],
  schemas,
  columns: allColumns,
  mappings: { v1alpha1: imageV1alpha1Mapping },
});

export const clusterVirtualMachineImageResource: ResourceDefinition = vmopResource({
  kind: 'ClusterVirtualMachineImage',
  plural: 'clustervirtualmachineimages',
  shortNames: ['cvmi', 'cvmimage', 'clustervmi', 'clustervmimage'],
  scope: 'Cluster',
  schemas,
  columns: allColumns,
  mappings: { v1alpha1: imageV1alpha1Mapping },
});
