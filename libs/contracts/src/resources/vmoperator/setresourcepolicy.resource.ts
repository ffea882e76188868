import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { ageColumn, sameForAll, vmopResource } from './common';
import { VersionMapping } from './conversion';
import { clone } from './json-patch3';
import { defined, mapSection } from './mapping-helpers';
import { list, obj, quantity, str, strList } from './schema-helpers';

const cpuMemory = obj({ cpu: quantity, memory: quantity });
const resourcePool = obj({ name: str, reservations: cpuMemory, limits: cpuMemory });

function policySchema(withResourcePools: boolean) {
  const status = {
    clustermodules: list(obj({ groupName: str, moduleUUID: str, clusterMoID: str }, ['groupName', 'moduleUUID', 'clusterMoID'])),
    ...(withResourcePools ? { resourcePools: list(obj({ clusterMoID: str, childResourcePoolMoID: str })) } : {}),
  };
  return objectSchema({ spec: obj({ resourcePool, folder: str, clusterModuleGroups: strList }), status: obj(status) });
}

/** v1alpha1 spelled the keys in lower case and had `folder` as an object. */
const policyV1alpha1Schema = objectSchema({
  spec: obj({ resourcepool: resourcePool, folder: obj({ name: str }), clustermodules: list(obj({ groupname: str }, ['groupname'])) }),
  status: obj({ clustermodules: list(obj({ groupname: str, moduleUUID: str, clusterMoID: str }, ['groupname', 'moduleUUID', 'clusterMoID'])) }),
});

function renameKeys(item: any, from: string, to: string): any {
  const out = clone(item);
  if (out && from in out) {
    out[to] = out[from];
    delete out[from];
  }
  return out;
}

const policyV1alpha1Mapping: VersionMapping = {
  up: (o) =>
    mapSection(
      mapSection(o, 'spec', (s) =>
        defined({
          resourcePool: s.resourcepool,
          folder: s.folder?.name,
          clusterModuleGroups: Array.isArray(s.clustermodules) ? s.clustermodules.map((m: any) => m.groupname) : undefined,
        }) ?? {},
      ),
      'status',
      (s) => defined({ clustermodules: s.clustermodules?.map((m: any) => renameKeys(m, 'groupname', 'groupName')) }) ?? {},
    ),
  down: (hub) =>
    mapSection(
      mapSection(hub, 'spec', (s) =>
        defined({
          resourcepool: s.resourcePool,
          folder: s.folder !== undefined ? { name: s.folder } : undefined,
          clustermodules: Array.isArray(s.clusterModuleGroups) ? s.clusterModuleGroups.map((groupname: string) => ({ groupname })) : undefined,
        }) ?? {},
      ),
      'status',
      (s) => defined({ clustermodules: s.clustermodules?.map((m: any) => renameKeys(m, 'groupName', 'groupname')) }) ?? {},
    ),
};

export const virtualMachineSetResourcePolicyResource: ResourceDefinition = vmopResource({
  kind: 'VirtualMachineSetResourcePolicy',
  plural: 'virtualmachinesetresourcepolicies',
  schemas: { ...sameForAll(policySchema(false)), v1alpha5: policySchema(true), v1alpha1: policyV1alpha1Schema },
  columns: sameForAll([ageColumn]),
  mappings: { v1alpha1: policyV1alpha1Mapping },
});
