import { validateReadinessProbe, validateVirtualMachineUpdate, validateVmAffinity } from './vm.strategy';

describe('a VM readiness probe', () => {
  it('may name one action at most, as the validating webhook rules', () => {
    expect(validateReadinessProbe({ tcpSocket: { port: 22 }, guestHeartbeat: {} })).toEqual([
      { field: 'spec.readinessProbe', reason: 'FieldValueForbidden', message: 'Forbidden: only one action can be specified' },
    ]);
    expect(validateReadinessProbe({ guestHeartbeat: {}, guestInfo: [{ key: 'ready' }] })).toHaveLength(1);
    expect(validateReadinessProbe({ guestHeartbeat: {}, guestInfo: [] })).toEqual([]);
    expect(validateReadinessProbe({ periodSeconds: 5 })).toEqual([]);
    expect(validateReadinessProbe(undefined)).toEqual([]);
  });

  it('takes a TCP port from 1 to 65535 or an IANA service name', () => {
    expect(validateReadinessProbe({ tcpSocket: { port: 65535 } })).toEqual([]);
    expect(validateReadinessProbe({ tcpSocket: { port: 'ssh' } })).toEqual([]);
    for (const port of [0, 70000, 2.5]) {
      expect(validateReadinessProbe({ tcpSocket: { port } })).toEqual([
        { field: 'spec.readinessProbe.tcpSocket.port', reason: 'FieldValueInvalid', message: `Invalid value: ${port}: must be between 1 and 65535, inclusive` },
      ]);
    }
    expect(validateReadinessProbe({ tcpSocket: { port: 'Not_A-Name' } })[0].field).toBe('spec.readinessProbe.tcpSocket.port');
  });
});

describe('a VM\'s spec.affinity', () => {
  const term = (topologyKey: string, labelSelector: any = { matchLabels: { app: 'web' } }) => ({ labelSelector, topologyKey });
  const HOST = 'kubernetes.io/hostname';
  const ZONE = 'topology.kubernetes.io/zone';

  it('takes zonal VM affinity and zonal or per-host VM anti-affinity, in a group', () => {
    expect(validateVmAffinity({})).toEqual([]);
    expect(validateVmAffinity({
      groupName: 'web',
      affinity: {
        vmAffinity: { requiredDuringSchedulingPreferredDuringExecution: [term(ZONE)], preferredDuringSchedulingPreferredDuringExecution: [term(ZONE)] },
        vmAntiAffinity: { requiredDuringSchedulingPreferredDuringExecution: [term(HOST), term(ZONE)], preferredDuringSchedulingPreferredDuringExecution: [term(HOST)] },
      },
    })).toEqual([]);
  });

  it('refuses, naming the field, what the webhook refuses', () => {
    const causes = validateVmAffinity({
      affinity: {
        vmAffinity: { requiredDuringSchedulingPreferredDuringExecution: [term(HOST)], requiredDuringSchedulingRequiredDuringExecution: [term(ZONE)] },
        vmAntiAffinity: {
          requiredDuringSchedulingPreferredDuringExecution: [term('rack', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['x'] }, { key: 'vmoperator.vmware.com/paused', operator: 'In', values: ['x'] }] })],
          preferredDuringSchedulingPreferredDuringExecution: [term(ZONE, { matchLabels: { 'vmoperator.vmware.com/x': 'y' } })],
        },
      },
    });
    const anti = 'spec.affinity.vmAntiAffinity.requiredDuringSchedulingPreferredDuringExecution[0]';
    expect(causes).toEqual([
      { field: 'spec.groupName', reason: 'FieldValueRequired', message: 'Required value: when setting affinity' },
      { field: 'spec.affinity.vmAffinity.requiredDuringSchedulingPreferredDuringExecution[0].topologyKey', reason: 'FieldValueNotSupported', message: 'Unsupported value: "kubernetes.io/hostname": supported values: "topology.kubernetes.io/zone"' },
      { field: `${anti}.labelSelector.matchExpressions[0].operator`, reason: 'FieldValueNotSupported', message: 'Unsupported value: "NotIn": supported values: "In"' },
      { field: `${anti}.labelSelector.matchExpressions[1].key`, reason: 'FieldValueForbidden', message: 'Forbidden: label selector can not contain VM Operator managed labels (vmoperator.vmware.com)' },
      { field: `${anti}.topologyKey`, reason: 'FieldValueNotSupported', message: 'Unsupported value: "rack": supported values: "topology.kubernetes.io/zone", "kubernetes.io/hostname"' },
      { field: 'spec.affinity.vmAntiAffinity.preferredDuringSchedulingPreferredDuringExecution[0].labelSelector.matchLabels', reason: 'FieldValueForbidden', message: 'Forbidden: label selector can not contain VM Operator managed labels (vmoperator.vmware.com)' },
      { field: 'spec.affinity.vmAffinity.requiredDuringSchedulingRequiredDuringExecution', reason: 'FieldValueForbidden', message: 'Forbidden: VM hard affinity during execution is not enabled' },
    ]);
  });

  it('cannot be changed once the VM exists', () => {
    const vm = (affinity?: any) => ({ spec: { imageName: 'i', affinity } });
    expect(validateVirtualMachineUpdate(vm({ vmAntiAffinity: {} }), vm({ vmAntiAffinity: {} }))).toEqual([]);
    expect(validateVirtualMachineUpdate(vm(), vm({ vmAntiAffinity: {} }))).toEqual([{ field: 'spec.affinity', reason: 'FieldValueForbidden', message: 'Forbidden: updating Affinity is not allowed' }]);
  });
});
