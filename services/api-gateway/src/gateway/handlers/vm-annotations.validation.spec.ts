import { resourceDefinitions } from '@openpacific/contracts';
import { ReadModel } from '@openpacific/objects';
import { StrategyContext, strategyFor } from './kind-strategies';
import { controlPlaneAnnotationCauses, isControlPlaneAnnotation, isControlPlaneWriter } from './vm-annotations.validation';

const HEARTBEAT = 'vmoperator.openpacific.io/guest-heartbeat';
const GUESTINFO = 'vmoperator.openpacific.io/guestinfo';
const PLACEMENT = 'vmoperator.openpacific.io/placement';
const EPOCH = 'infrastructure.openpacific.io/host-epoch';
const APPLY_TIME = 'vmoperator.vmware.com.protected/apply-power-state-time';

const vm = (annotations?: Record<string, string>) => ({
  apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine',
  metadata: { name: 'web', namespace: 'team-a', ...(annotations ? { annotations } : {}) },
  spec: { className: 'small', imageName: 'img', powerState: 'PoweredOn' },
});
/** A VM as the control plane leaves it once placed and running. */
const running = () => vm({ [HEARTBEAT]: 'green', [GUESTINFO]: '{"guestinfo.ready":"true"}', [PLACEMENT]: '{"cpus":1}', [EPOCH]: '3', 'example.com/owner': 'ops' });

const developer = { username: 'developer', groups: ['system:authenticated'] };
const admin = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
const vmOperator = { username: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', groups: ['system:serviceaccounts', 'system:serviceaccounts:vmware-system-vmop', 'system:authenticated'] };
const host = { username: 'system:node:host-1', groups: ['system:nodes', 'system:authenticated'] };

const forbidden = (key: string, verb: 'adding' | 'modifying' | 'removing') => ({
  field: `metadata.annotations[${key}]`, reason: 'FieldValueForbidden', message: `Forbidden: ${verb} this annotation is restricted to privileged users`,
});

describe("the control plane's VM annotations", () => {
  const strategy = strategyFor(resourceDefinitions.find((d) => d.kind === 'VirtualMachine' && d.group === 'vmoperator.vmware.com')!);
  const ctx = (user?: { username: string; groups: string[] }): StrategyContext => ({ readModel: new ReadModel(), serviceCIDR: '127.202.0.0/16', user });
  const update = (old: any, next: any, user?: { username: string; groups: string[] }) => strategy.validateUpdate!(old, next, undefined, ctx(user));

  it("are the vm-operator's, the hosts', the scheduler's and VM Operator's protected ones, not a user's", () => {
    for (const key of [HEARTBEAT, GUESTINFO, PLACEMENT, 'vmoperator.openpacific.io/ip', EPOCH, APPLY_TIME, 'vmoperator.vmware.com.protected']) {
      expect(isControlPlaneAnnotation(key)).toBe(true);
    }
    for (const key of ['example.com/owner', 'kubectl.kubernetes.io/last-applied-configuration', 'vsphere-cluster-module-group', 'conversion.openpacific.io/v1alpha3', 'vmoperator.openpacific.io.example/x', '.protected/x', 'protected.example.com/x']) {
      expect(isControlPlaneAnnotation(key)).toBe(false);
    }
  });

  it('may not be added by a user, on create or on update', () => {
    expect(strategy.validateCreate!(vm({ [GUESTINFO]: '{"guestinfo.ready":"true"}', 'example.com/owner': 'ops' }), ctx(developer))).toEqual([forbidden(GUESTINFO, 'adding')]);
    expect(update(vm(), vm({ [HEARTBEAT]: 'green' }), developer)).toEqual([forbidden(HEARTBEAT, 'adding')]);
    expect(update(vm({ 'example.com/owner': 'ops' }), vm({ 'example.com/owner': 'ops', [APPLY_TIME]: '2026-01-01T00:00:00Z' }), developer)).toEqual([forbidden(APPLY_TIME, 'adding')]);
  });

  it('may not be changed or removed by a user, each named', () => {
    const forged = running();
    forged.metadata.annotations![GUESTINFO] = '{"guestinfo.ready":"true","guestinfo.role":"db"}';
    delete forged.metadata.annotations![EPOCH];
    expect(update(running(), forged, developer)).toEqual([forbidden(GUESTINFO, 'modifying'), forbidden(EPOCH, 'removing')]);
    // Dropping every annotation (a PUT without them, say) removes each of the control plane's.
    expect(update(running(), vm(), developer)).toEqual([forbidden(HEARTBEAT, 'removing'), forbidden(GUESTINFO, 'removing'), forbidden(PLACEMENT, 'removing'), forbidden(EPOCH, 'removing')]);
  });

  it('may be written by the control plane and by the cluster admin', () => {
    const forged = running();
    forged.metadata.annotations![HEARTBEAT] = 'red';
    delete forged.metadata.annotations![EPOCH];
    for (const user of [admin, vmOperator, host, { username: 'system:serviceaccount:kube-system:default-scheduler', groups: ['system:serviceaccounts'] }, { username: 'kubernetes-admin', groups: [] }]) {
      expect(update(running(), forged, user)).toEqual([]);
      expect(strategy.validateCreate!(running(), ctx(user))).toEqual([]);
    }
  });

  it('are not the writer\'s to claim by a name alone: a node must be in system:nodes, the service account in its namespace', () => {
    expect(isControlPlaneWriter({ username: 'system:node:host-1', groups: ['system:authenticated'] })).toBe(false);
    expect(isControlPlaneWriter({ username: 'system:serviceaccount:team-a:vmware-system-vmop-controller-manager', groups: ['system:serviceaccounts'] })).toBe(false);
    expect(isControlPlaneWriter({ username: 'system:masters', groups: ['system:authenticated'] })).toBe(false);
    expect(isControlPlaneWriter(undefined)).toBe(false);
    // Without a known writer (no context) a change is refused.
    expect(controlPlaneAnnotationCauses(vm(), vm({ [HEARTBEAT]: 'green' }), undefined)).toEqual([forbidden(HEARTBEAT, 'adding')]);
  });

  it("leave a user's own annotations to the user", () => {
    const mine = running();
    mine.metadata.annotations!['example.com/owner'] = 'dev';
    mine.metadata.annotations!['vsphere-cluster-module-group'] = 'workers';
    mine.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration'] = '{}';
    expect(update(running(), mine, developer)).toEqual([]);
    expect(strategy.validateCreate!(vm({ 'example.com/owner': 'dev' }), ctx(developer))).toEqual([]);
    expect(update(vm({ 'example.com/owner': 'dev' }), vm(), developer)).toEqual([]);
  });

  it('pass a copy of the VM written back unchanged, as kubectl apply, edit and replace send it', () => {
    const old = running();
    const copy = structuredClone(old);
    copy.spec.powerState = 'PoweredOff';
    expect(update(old, copy, developer)).toEqual([]);
    expect(update(old, structuredClone(old), developer)).toEqual([]);
  });

  it("may not be put in a VirtualMachineReplicaSet's template, whose VMs are made past admission", () => {
    const rsStrategy = strategyFor(resourceDefinitions.find((d) => d.kind === 'VirtualMachineReplicaSet')!);
    const rs = (annotations: Record<string, string>) => ({
      apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineReplicaSet', metadata: { name: 'web', namespace: 'team-a' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' }, annotations }, spec: vm().spec } },
    });
    expect(rsStrategy.validateCreate!(rs({ [GUESTINFO]: '{}' }), ctx(developer))).toEqual([{ ...forbidden(GUESTINFO, 'adding'), field: `spec.template.metadata.annotations[${GUESTINFO}]` }]);
    expect(rsStrategy.validateUpdate!(rs({ 'example.com/owner': 'ops' }), rs({ 'example.com/owner': 'ops', [HEARTBEAT]: 'green' }), undefined, ctx(developer))).toEqual([
      { ...forbidden(HEARTBEAT, 'adding'), field: `spec.template.metadata.annotations[${HEARTBEAT}]` },
    ]);
    expect(rsStrategy.validateCreate!(rs({ 'example.com/owner': 'ops' }), ctx(developer))).toEqual([]);
    expect(rsStrategy.validateCreate!(rs({ [GUESTINFO]: '{}' }), ctx(admin))).toEqual([]);
  });
});
