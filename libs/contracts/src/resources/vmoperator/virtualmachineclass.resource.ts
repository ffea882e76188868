import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { ageColumn, sameForAll, vmopResource } from './common';
import { freeForm, int, list, obj, quantity, str } from './schema-helpers';

const cpuMemory = obj({ cpu: quantity, memory: quantity });

const classSpec = obj({
  controllerName: str,
  hardware: obj({
    cpus: int,
    memory: quantity,
    devices: obj({
      vgpuDevices: list(obj({ profileName: str }, ['profileName'])),
      dynamicDirectPathIODevices: list(obj({ vendorID: int, deviceID: int, customLabel: str }, ['vendorID', 'deviceID'])),
    }),
    instanceStorage: obj({ storageClass: str, volumes: list(obj({ size: quantity }, ['size'])) }),
  }),
  policies: obj({ resources: obj({ requests: cpuMemory, limits: cpuMemory }) }),
  description: str,
  // vSphere VirtualMachineConfigSpec JSON (`_typeName`/`_value`): not modelled field by field.
  configSpec: freeForm,
  reservedProfileID: str,
  reservedSlots: int,
});

/** VirtualMachineClass has one shape in every version; its status is empty. */
export const virtualMachineClassResource: ResourceDefinition = vmopResource({
  kind: 'VirtualMachineClass',
  plural: 'virtualmachineclasses',
  shortNames: ['vmclass'],
  schemas: sameForAll(objectSchema({ spec: classSpec, status: obj({}) })),
  columns: sameForAll([
    { name: 'CPU', type: 'string', jsonPath: '.spec.hardware.cpus' },
    { name: 'Memory', type: 'string', jsonPath: '.spec.hardware.memory' },
    ageColumn,
  ]),
});
