import { objectSchema } from '../object-meta.schema';
import { JsonSchema, ResourceDefinition, ResourceVersionDefinition } from '../resource-definition';
import { ageColumn, VMOPERATOR_GROUP, VMOPERATOR_HUB } from './common';
import { versionedConversion } from './conversion';
import { obj, str } from './schema-helpers';

export const VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE = 'virtualmachinewebconsolerequests.vmoperator.vmware.com';
export const WEB_CONSOLE_REQUESTS_RESOURCE = 'webconsolerequests.vmoperator.vmware.com';
/** Both kinds of request, v1alpha2+ and v1alpha1's: VM Operator answers them alike. */
export const WEB_CONSOLE_RESOURCES = [VIRTUAL_MACHINE_WEB_CONSOLE_REQUESTS_RESOURCE, WEB_CONSOLE_REQUESTS_RESOURCE] as const;

/** Put by VM Operator on a request once its ticket is acquired: the request's uid, which the console proxy checks. */
export const WEB_CONSOLE_UUID_LABEL = 'vmoperator.vmware.com/webconsolerequest-uuid';
/** The SHA-256 (hex) of the request's one-time ticket: how the gateway's console endpoint finds the request of a ticket. */
export const WEB_CONSOLE_TICKET_HASH_ANNOTATION = 'vmoperator.openpacific.io/web-console-ticket-sha256';
/** When the ticket was spent (RFC 3339): a ticket opens one console session. */
export const WEB_CONSOLE_TICKET_USED_ANNOTATION = 'vmoperator.openpacific.io/web-console-ticket-used';

/** Served versions of VirtualMachineWebConsoleRequest, newest first: v1alpha5 stores (v1alpha1 has WebConsoleRequest instead). */
export const VMWCR_VERSIONS = ['v1alpha5', 'v1alpha4', 'v1alpha3', 'v1alpha2'] as const;

const status = obj({ response: str, expiryTime: str, proxyAddr: str });
const webConsoleSchema = objectSchema({ spec: obj({ name: str, publicKey: str }, ['name', 'publicKey']), status });
const v1alpha1Schema = objectSchema({ spec: obj({ virtualMachineName: str, publicKey: str }, ['virtualMachineName', 'publicKey']), status });

/**
 * VirtualMachineWebConsoleRequest (`api/v1alpha5/virtualmachinewebconsolerequest_types.go`): a one-time web console
 * ticket for the VM `spec.name` of the namespace, encrypted with `spec.publicKey` into `status.response`. Served at
 * v1alpha2 to v1alpha5 (storage), every version the same shape; the CRD declares no printer columns.
 */
export const virtualMachineWebConsoleRequestResource: ResourceDefinition = {
  group: VMOPERATOR_GROUP,
  kind: 'VirtualMachineWebConsoleRequest',
  listKind: 'VirtualMachineWebConsoleRequestList',
  plural: 'virtualmachinewebconsolerequests',
  singular: 'virtualmachinewebconsolerequest',
  shortNames: [],
  categories: ['vmoperator', 'all'],
  scope: 'Namespaced',
  versions: VMWCR_VERSIONS.map((name): ResourceVersionDefinition => ({ name, served: true, storage: name === VMOPERATOR_HUB, schema: webConsoleSchema, printerColumns: [ageColumn] })),
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
  conversion: versionedConversion({
    group: VMOPERATOR_GROUP,
    hubVersion: VMOPERATOR_HUB,
    schemas: Object.fromEntries(VMWCR_VERSIONS.map((v) => [v, webConsoleSchema])) as Record<string, JsonSchema>,
    mappings: {},
  }),
};

/**
 * WebConsoleRequest (`api/v1alpha1/webconsolerequest_types.go`): the deprecated v1alpha1 kind, its VM named by
 * `spec.virtualMachineName`. A kind of its own (served and stored at v1alpha1 only), not a version of the one above.
 */
export const webConsoleRequestResource: ResourceDefinition = {
  group: VMOPERATOR_GROUP,
  kind: 'WebConsoleRequest',
  listKind: 'WebConsoleRequestList',
  plural: 'webconsolerequests',
  singular: 'webconsolerequest',
  shortNames: [],
  categories: ['vmoperator', 'all'],
  scope: 'Namespaced',
  versions: [{ name: 'v1alpha1', served: true, storage: true, deprecationWarning: 'This API has been deprecated and is unsupported in future versions', schema: v1alpha1Schema, printerColumns: [ageColumn] }],
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
  conversion: versionedConversion({ group: VMOPERATOR_GROUP, hubVersion: 'v1alpha1', schemas: { v1alpha1: v1alpha1Schema }, mappings: {} }),
};

/** The VM a request of either kind is for. */
export function webConsoleVmName(req: any): string {
  return String((req.kind === 'WebConsoleRequest' ? req.spec?.virtualMachineName : req.spec?.name) ?? '');
}
