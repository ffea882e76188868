import { ObjectEventTypes, objectStreamId, SERVICES_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { KubeApiError } from '@openpacific/kube-api';
import { ReadModel } from '@openpacific/objects';
import { defaultService } from './service.strategy';
import { defaultVirtualMachineService, validateReadinessProbe, validateVirtualMachineServiceUpdate, validateVirtualMachineUpdate, validateVmAffinity } from './vm.strategy';

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

describe('a VirtualMachineService\'s cluster IP', () => {
  const VM_SERVICES = 'virtualmachineservices.vmoperator.vmware.com';
  const range = '10.97.0.0/16';
  const vmService = (spec: any, name = 'web', namespace = 'vm-team') => ({ apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineService', metadata: { name, namespace }, spec: { type: 'ClusterIP', ports: [{ name: 'ssh', protocol: 'TCP', port: 22, targetPort: 22 }], ...spec } });
  const service = (clusterIP: string, name: string) => ({ metadata: { name, namespace: 'other' }, spec: { clusterIP, clusterIPs: [clusterIP], ports: [{ port: 80 }] } });
  let position = 0n;
  /** A read model holding these objects (resource, object), as the gateway's would after following the log. */
  const modelWith = (...objects: [string, any][]): ReadModel => {
    const model = new ReadModel();
    for (const [resource, object] of objects) {
      position += 1n;
      model.apply({
        id: `e${position}`, streamId: objectStreamId(resource, object.metadata.namespace, object.metadata.name), streamVersion: 1, type: ObjectEventTypes.created,
        data: { resource, object }, metadata: { actor: 'admin', source: 'test' }, position, transactionId: 100n, createdAt: new Date(),
      } as RecordedEvent);
    }
    return model;
  };
  /** The causes of the 422 the create is refused with; [] when it is accepted. */
  const refusal = (svc: any, ctx: { readModel: ReadModel; serviceCIDR: string }) => {
    try {
      defaultVirtualMachineService(svc, ctx);
      return [];
    } catch (err) {
      if (!(err instanceof KubeApiError) || err.code !== 422) throw err;
      expect(err.status.details).toMatchObject({ kind: 'VirtualMachineService', group: 'vmoperator.vmware.com', name: svc.metadata.name });
      return err.status.details?.causes;
    }
  };

  it('is allocated from the service range on create, as a core Service\'s, but for ExternalName and headless services', () => {
    const ctx = { readModel: new ReadModel(), serviceCIDR: range };
    for (let i = 0; i < 100; i++) {
      const ip = defaultVirtualMachineService(vmService({}), ctx).spec.clusterIp;
      expect(ip).toMatch(/^10\.97\.\d+\.\d+$/);
      expect(['10.97.0.0', '10.97.0.1', '10.97.0.10', '10.97.255.255']).not.toContain(ip);
    }
    expect(defaultVirtualMachineService(vmService({ clusterIp: 'None' }), ctx).spec.clusterIp).toBe('None');
    expect(defaultVirtualMachineService(vmService({ type: 'ExternalName', externalName: 'db.example.com', ports: undefined }), ctx).spec.clusterIp).toBeUndefined();
  });

  it('never goes to two creates in flight at once, of either kind, nor to an address a Service or VMService holds', () => {
    // A range of six addresses, .1 the kubernetes Service's: .2 and .3 held, three free. Nothing created here is written,
    // as while the creates are in flight: each still gets its own address, and the next finds the range full.
    const readModel = modelWith([SERVICES_RESOURCE, service('10.97.0.2', 'db')], [VM_SERVICES, vmService({ clusterIp: '10.97.0.3' }, 'old')]);
    const ctx = { readModel, serviceCIDR: '10.97.0.0/29' };
    const given = [
      defaultVirtualMachineService(vmService({}, 'a'), ctx).spec.clusterIp,
      defaultService({ metadata: { name: 'b', namespace: 'vm-team' }, spec: { ports: [{ port: 80 }] } }, ctx).spec.clusterIP,
      defaultVirtualMachineService(vmService({}, 'c'), ctx).spec.clusterIp,
    ];
    expect([...given].sort()).toEqual(['10.97.0.4', '10.97.0.5', '10.97.0.6']);
    expect(refusal(vmService({}, 'd'), ctx)).toEqual([{ field: 'spec.clusterIp', reason: 'FieldValueInvalid', message: 'Invalid value: "": failed to allocate a serviceIP: range is full' }]);
  });

  it('may be chosen by the author: a free address of the range is kept', () => {
    const ctx = { readModel: modelWith([SERVICES_RESOURCE, service('10.97.0.5', 'db')]), serviceCIDR: range };
    expect(refusal(vmService({ clusterIp: '10.97.0.6' }), ctx)).toEqual([]);
    expect(defaultVirtualMachineService(vmService({ clusterIp: '10.97.0.6' }), ctx).spec.clusterIp).toBe('10.97.0.6');
  });

  it('refuses a chosen address outside the range, or not an address, as kube-apiserver words a Service\'s', () => {
    const ctx = { readModel: new ReadModel(), serviceCIDR: range };
    for (const ip of ['127.201.1.1', '10.97.0.0', '10.97.255.255']) {
      expect(refusal(vmService({ clusterIp: ip }), ctx)).toEqual([{
        field: 'spec.clusterIp', reason: 'FieldValueInvalid',
        message: `Invalid value: "${ip}": failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is 10.97.0.0/16`,
      }]);
    }
    expect(refusal(vmService({ clusterIp: 'web.local' }), ctx)).toEqual([
      { field: 'spec.clusterIp', reason: 'FieldValueInvalid', message: 'Invalid value: "web.local": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' },
    ]);
  });

  it('refuses a chosen address a Service or VMService of any namespace holds, or the kubernetes Service\'s and the DNS server\'s', () => {
    const readModel = modelWith([SERVICES_RESOURCE, service('10.97.3.4', 'db')], [VM_SERVICES, vmService({ clusterIp: '10.97.3.5' }, 'ssh', 'elsewhere')]);
    const ctx = { readModel, serviceCIDR: range };
    for (const ip of ['10.97.3.4', '10.97.3.5', '10.97.0.1', '10.97.0.10']) {
      expect(refusal(vmService({ clusterIp: ip }), ctx)).toEqual([{
        field: 'spec.clusterIp', reason: 'FieldValueInvalid', message: `Invalid value: "${ip}": failed to allocate IP ${ip}: provided IP is already allocated`,
      }]);
    }
    // Named kubernetes in default, a VMService is still no kubernetes Service.
    expect(refusal(vmService({ clusterIp: '10.97.0.1' }, 'kubernetes', 'default'), ctx)).toHaveLength(1);
    // And a core Service may not take a VMService's.
    expect(() => defaultService(service('10.97.3.5', 'late'), ctx)).toThrow('failed to allocate IP 10.97.3.5: provided IP is already allocated');
  });

  it('is immutable once set, and checked when an update sets it on a service that had none', () => {
    const ctx = { readModel: modelWith([SERVICES_RESOURCE, service('10.97.3.4', 'db')]), serviceCIDR: range };
    const immutable = [{ field: 'spec.clusterIp', reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable' }];
    expect(validateVirtualMachineServiceUpdate(vmService({ clusterIp: '10.97.0.7' }), vmService({ clusterIp: '10.97.0.8' }), undefined, ctx)).toEqual(immutable);
    expect(validateVirtualMachineServiceUpdate(vmService({ clusterIp: '10.97.0.7' }), vmService({ clusterIp: '10.97.0.7' }), undefined, ctx)).toEqual([]);
    expect(validateVirtualMachineServiceUpdate(vmService({}), vmService({ clusterIp: '10.97.0.8' }), undefined, ctx)).toEqual([]);
    expect(validateVirtualMachineServiceUpdate(vmService({}), vmService({ clusterIp: '10.97.3.4' }), undefined, ctx)).toEqual([
      { field: 'spec.clusterIp', reason: 'FieldValueInvalid', message: 'Invalid value: "10.97.3.4": failed to allocate IP 10.97.3.4: provided IP is already allocated' },
    ]);
  });
});
