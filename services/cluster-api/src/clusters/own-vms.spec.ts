import { ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { ownVirtualMachines } from './own-vms';
import { CR, LABELS } from './objects';

const vm = (name: string, labels: Record<string, string> = {}) =>
  JSON.stringify({ resource: CR.vms, object: { kind: 'VirtualMachine', metadata: { name, namespace: 'ns', labels }, spec: { className: 'c' } } });
const stream = (name: string) => objectStreamId(CR.vms, 'ns', name);
const { created, updated, deleted } = ObjectEventTypes;

describe("cluster-api's filter of the VMs it follows", () => {
  it("keeps its own machines' VMs from their first event to their deletion, and no other VM", () => {
    const keep = ownVirtualMachines();
    const ask = (name: string, type: string, data: string) => keep({ streamId: stream(name), type, data });
    // A VM made for a machine carries the cluster label; another VM does not.
    expect(ask('tkc-cp-0', created, vm('tkc-cp-0', { [LABELS.vmCluster]: 'tkc' }))).toBe(true);
    expect(ask('web-1', created, vm('web-1'))).toBe(false);
    expect(ask('web-1', updated, vm('web-1', { app: 'web' }))).toBe(false);
    expect(ask('web-1', deleted, vm('web-1'))).toBe(false);
    // Once its own, every later event counts, even one that lost the label (its deletion included).
    expect(ask('tkc-cp-0', updated, vm('tkc-cp-0'))).toBe(true);
    expect(ask('tkc-cp-0', deleted, vm('tkc-cp-0'))).toBe(true);
    // A new VM of the same name is judged afresh.
    expect(ask('tkc-cp-0', created, vm('tkc-cp-0'))).toBe(false);
    // A label added later makes a VM its own from then on.
    expect(ask('web-1', created, vm('web-1'))).toBe(false);
    expect(ask('web-1', updated, vm('web-1', { [LABELS.vmCluster]: 'tkc' }))).toBe(true);
  });

  it('lets every event of the other resources it follows through', () => {
    const keep = ownVirtualMachines();
    for (const resource of Object.values(CR).filter((r) => r !== CR.vms)) {
      expect(keep({ streamId: objectStreamId(resource, 'ns', 'x'), type: created, data: '{}' })).toBe(true);
    }
    expect(keep({ streamId: objectStreamId('secrets', 'ns', 'x'), type: created, data: '{}' })).toBe(true);
  });
});
