import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { ageColumn, sameForAll, vmopResource } from './common';
import { int, list, obj, oneOfStrings, str, strList, strMap } from './schema-helpers';

/** Same shape in every version; note `clusterIp` (not `clusterIP`) and the int32 targetPort. */
const serviceSchema = objectSchema({
  spec: obj(
    {
      type: oneOfStrings('ClusterIP', 'LoadBalancer', 'ExternalName'),
      ports: list(obj({ name: str, protocol: str, port: int, targetPort: int }, ['name', 'protocol', 'port', 'targetPort'])),
      selector: strMap,
      loadBalancerIP: str,
      loadBalancerSourceRanges: strList,
      clusterIp: str,
      externalName: str,
    },
    ['type'],
  ),
  status: obj({ loadBalancer: obj({ ingress: list(obj({ ip: str, hostname: str })) }) }),
});

export const virtualMachineServiceResource: ResourceDefinition = vmopResource({
  kind: 'VirtualMachineService',
  plural: 'virtualmachineservices',
  shortNames: ['vmservice'],
  schemas: sameForAll(serviceSchema),
  columns: sameForAll([{ name: 'Type', type: 'string', jsonPath: '.spec.type' }, ageColumn]),
});
