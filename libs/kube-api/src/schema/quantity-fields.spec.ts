import { resourceDefinitions } from '@openpacific/contracts';
import { validateAgainstSchema } from './validate';

describe('VM Operator\'s quantity fields', () => {
  const vmClass = resourceDefinitions.find((d) => d.kind === 'VirtualMachineClass' && d.group === 'vmoperator.vmware.com')!;
  const version = vmClass.versions.find((v) => v.storage)!.name;
  const classWith = (memory: unknown) =>
    validateAgainstSchema(vmClass, version, { apiVersion: `vmoperator.vmware.com/${version}`, kind: 'VirtualMachineClass', metadata: { name: 'c', namespace: 'n' }, spec: { hardware: { cpus: 2, memory } } }, 'Strict');

  it('take a quantity, as a string or an integer, and refuse any other string (memory: x ran a VM with 1 GiB)', () => {
    expect(classWith('4Gi').causes).toEqual([]);
    expect(classWith(2048).causes).toEqual([]);
    for (const bad of ['x', '', 'Not A Name!']) {
      expect(classWith(bad).causes.map((c) => c.field)).toEqual(['spec.hardware.memory']);
      expect(classWith(bad).causes[0].message).toContain('should match');
    }
  });
});
