import { PrinterColumn, ResourceDefinition } from '../resource-definition';
import { ageColumn, vmopResource } from './common';
import { hostRenamingMapping, virtualMachineV1alpha1Mapping } from './virtualmachine.conversion';
import { virtualMachineSchema, virtualMachineV1alpha1Schema } from './virtualmachine.schema';

const powerStateColumn: PrinterColumn = { name: 'Power-State', type: 'string', jsonPath: '.status.powerState' };
const classColumn: PrinterColumn = { name: 'Class', type: 'string', jsonPath: '.spec.className', priority: 1 };
const primaryIP4Column: PrinterColumn = { name: 'Primary-IP4', type: 'string', jsonPath: '.status.network.primaryIP4', priority: 1 };

function columns(imagePath: string): PrinterColumn[] {
  return [powerStateColumn, classColumn, { name: 'Image', type: 'string', jsonPath: imagePath, priority: 1 }, primaryIP4Column, ageColumn];
}

export const virtualMachineResource: ResourceDefinition = vmopResource({
  kind: 'VirtualMachine',
  plural: 'virtualmachines',
  shortNames: ['vm'],
  schemas: {
    v1alpha5: virtualMachineSchema('v1alpha5'),
    v1alpha3: virtualMachineSchema('v1alpha3'),
    v1alpha2: virtualMachineSchema('v1alpha2'),
    v1alpha1: virtualMachineV1alpha1Schema,
  },
  columns: {
    v1alpha5: columns('.spec.image.name'),
    v1alpha3: columns('.spec.image.name'),
    v1alpha2: columns('.spec.imageName'),
    v1alpha1: [
      { name: 'Power-State', type: 'string', jsonPath: '.status.powerState' },
      { name: 'Class', type: 'string', jsonPath: '.spec.className' },
      { name: 'Image', type: 'string', jsonPath: '.spec.imageName' },
      { name: 'Primary-IP', type: 'string', jsonPath: '.status.vmIp' },
      ageColumn,
    ],
  },
  mappings: {
    v1alpha3: hostRenamingMapping(false),
    v1alpha2: hostRenamingMapping(true),
    v1alpha1: virtualMachineV1alpha1Mapping,
  },
});
