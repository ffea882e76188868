import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { ageColumn, sameForAll, VmopVersion, vmopResource } from './common';
import { VersionMapping } from './conversion';
import { clone } from './json-patch3';
import { bool, capiCondition, int, list, metaCondition, obj, str } from './schema-helpers';
import { conditionDown, conditionUp } from './virtualmachine.conversion';

const source = obj({ name: str, apiVersion: str, kind: str });
const target = obj({ item: obj({ name: str, description: str }), location: obj({ name: str, apiVersion: str, kind: str }) });
const ttlSecondsAfterFinished: any = { type: 'integer', minimum: 0 };

function publishSchema(condition: any): any {
  return objectSchema({
    spec: obj({ source, target, ttlSecondsAfterFinished, backoffLimit: { type: 'integer', minimum: 0 } }),
    status: obj({
      sourceRef: source,
      targetRef: target,
      startTime: str,
      completionTime: str,
      attempts: int,
      lastAttemptTime: str,
      imageName: str,
      ready: bool,
      conditions: list(condition),
    }),
  });
}

/** v1alpha1 has the same spec and status, with Cluster API style conditions (severity). */
function mapConditions(obj: any, map: (c: any) => any): any {
  const out = clone(obj);
  if (Array.isArray(obj.status?.conditions)) out.status.conditions = obj.status.conditions.map(map);
  return out;
}

const v1alpha1Mapping: VersionMapping = { up: (o) => mapConditions(o, conditionUp), down: (o) => mapConditions(o, conditionDown) };

const hubSchema = publishSchema(metaCondition);
const schemas: Record<VmopVersion, any> = { v1alpha5: hubSchema, v1alpha3: hubSchema, v1alpha2: hubSchema, v1alpha1: publishSchema(capiCondition) };

/** The CRD declares no printer columns: kubectl prints NAME and AGE. */
export const virtualMachinePublishRequestResource: ResourceDefinition = vmopResource({
  kind: 'VirtualMachinePublishRequest',
  plural: 'virtualmachinepublishrequests',
  shortNames: ['vmpub'],
  schemas,
  columns: sameForAll([ageColumn]),
  mappings: { v1alpha1: v1alpha1Mapping },
});
