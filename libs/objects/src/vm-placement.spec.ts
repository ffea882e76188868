import { byConditionType } from './conditions';
import { VM_PLACEMENT_ANNOTATION, vmPlacement } from './vm-placement';

const placement = { className: 'small', cpus: 2, memoryBytes: 2 ** 31, requests: { cpuMillis: 0, memoryBytes: 0 }, image: { kind: 'VirtualMachineImage', name: 'vmi-1' }, ports: [22], ip: '10.1.0.2' };
const vm = (raw: unknown) => ({ metadata: { name: 'vm-1', annotations: { [VM_PLACEMENT_ANNOTATION]: raw } } });

describe('vmPlacement', () => {
  it('parses the annotation once per object, and again when the annotation it was parsed from changed', () => {
    const a = vm(JSON.stringify(placement));
    const first = vmPlacement(a);
    expect(first).toEqual(placement);
    expect(vmPlacement(a)).toBe(first);
    // The same text on another object (another version of the VM) is parsed for that object.
    expect(vmPlacement(vm(JSON.stringify(placement)))).toEqual(placement);
    a.metadata.annotations[VM_PLACEMENT_ANNOTATION] = JSON.stringify({ ...placement, ip: '10.1.0.3' });
    expect(vmPlacement(a)?.ip).toBe('10.1.0.3');
  });

  it('gives nothing for a VM without the annotation or with one that is not JSON', () => {
    expect(vmPlacement({ metadata: {} })).toBeUndefined();
    expect(vmPlacement(undefined)).toBeUndefined();
    const broken = vm('{not json');
    expect(vmPlacement(broken)).toBeUndefined();
    expect(vmPlacement(broken)).toBeUndefined();
  });
});

describe('byConditionType', () => {
  it('orders conditions by type as every writer of a VM orders them', () => {
    const types = ['VirtualMachineCreated', 'Ready', 'VirtualMachineClassReady', 'GuestCustomization', 'VirtualMachineConditionPlacementReady'];
    expect(types.map((type) => ({ type })).sort(byConditionType).map((c) => c.type)).toEqual([
      'GuestCustomization',
      'Ready',
      'VirtualMachineClassReady',
      'VirtualMachineConditionPlacementReady',
      'VirtualMachineCreated',
    ]);
  });
});
