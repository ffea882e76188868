import { groupExpiresAt, groupPublishStatus, ownedRequests, publishRequestFor } from './group-publish-request.status';

const MANAGED_BY = 'vmoperator.vmware.com/virtualmachinepublishrequest-managed-by';
const groupReq = (status?: any, spec: any = { source: 'app', target: 'lib', virtualMachines: ['web-1', 'db-1'] }) => ({
  metadata: { name: 'app', namespace: 'ns', uid: 'g-1', generation: 1 },
  spec,
  ...(status ? { status } : {}),
});
const child = (vm: string, name: string, status?: any) => ({ ...publishRequestFor(groupReq(), vm, name, `u-${name}`, 'T0'), ...(status ? { status } : {}) });
const done = (image: string) => ({ ready: true, imageName: image, conditions: [{ type: 'Complete', status: 'True', reason: 'True', message: '' }] });
const owned = (...children: any[]) => ownedRequests(groupReq(), children);

describe('a VirtualMachineGroupPublishRequest', () => {
  it('makes each VM a publish request named after it, labelled with and controlled by it, into the target library', () => {
    const req = publishRequestFor(groupReq(), 'web-1', 'app-x7k2q', 'u-1', 'T0');
    expect(req.metadata).toMatchObject({
      name: 'app-x7k2q', namespace: 'ns', uid: 'u-1', labels: { [MANAGED_BY]: 'app' },
      ownerReferences: [{ apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineGroupPublishRequest', name: 'app', uid: 'g-1', controller: true, blockOwnerDeletion: true }],
    });
    expect(req.spec).toEqual({
      source: { name: 'web-1', kind: 'VirtualMachine', apiVersion: 'vmoperator.vmware.com/v1alpha5' },
      target: { item: { name: 'app-web-1' }, location: { name: 'lib', kind: 'ContentLibrary', apiVersion: 'imageregistry.vmware.com/v1alpha1' } },
    });
  });

  it('counts as its own only the requests it controls: not an earlier request of the same name, nor an unlabelled one', () => {
    const earlier = { ...child('web-1', 'app-old'), metadata: { ...child('web-1', 'app-old').metadata, ownerReferences: [{ kind: 'VirtualMachineGroupPublishRequest', name: 'app', uid: 'g-0', controller: true }] } };
    const unlabelled = { ...child('db-1', 'app-nolabel'), metadata: { ...child('db-1', 'app-nolabel').metadata, labels: {} } };
    expect([...owned(earlier, unlabelled, child('web-1', 'app-new')).keys()]).toEqual(['web-1']);
  });

  it('is pending while its requests are not all ready, counting those not ready, and lists them by VM', () => {
    const status = groupPublishStatus(groupReq(), owned(child('web-1', 'app-b'), child('db-1', 'app-a', done('vmi-1'))), 'T1');
    expect(status).toMatchObject({ source: 'app', target: 'lib', startTime: 'T1' });
    expect(status.conditions).toEqual([
      { type: 'Complete', status: 'False', reason: 'VirtualMachinePublishRequestsPending', message: 'waiting 1 more vm publish requests to be completed', observedGeneration: 1, lastTransitionTime: 'T1' },
    ]);
    expect(status.images).toEqual([
      { source: 'db-1', publishRequestName: 'app-a', imageName: 'vmi-1', conditions: done('vmi-1').conditions },
      { source: 'web-1', publishRequestName: 'app-b' },
    ]);
    expect(status.completionTime).toBeUndefined();
  });

  it('is not complete while a VM has no request yet, though every request made is ready', () => {
    const status = groupPublishStatus(groupReq(), owned(child('db-1', 'app-a', done('vmi-1'))), 'T1');
    expect(status.conditions[0]).toMatchObject({ status: 'False', message: 'waiting 0 more vm publish requests to be completed' });
  });

  it('is complete once every VM is published, completed when Complete turned True, keeping its start time', () => {
    const before = groupPublishStatus(groupReq(), owned(child('web-1', 'app-b'), child('db-1', 'app-a')), 'T1');
    const status = groupPublishStatus(groupReq(before), owned(child('web-1', 'app-b', done('vmi-2')), child('db-1', 'app-a', done('vmi-1'))), 'T2');
    expect(status.conditions).toEqual([{ type: 'Complete', status: 'True', reason: 'True', message: '', observedGeneration: 1, lastTransitionTime: 'T2' }]);
    expect(status).toMatchObject({ startTime: 'T1', completionTime: 'T2' });
    expect(status.images.map((i: any) => i.imageName)).toEqual(['vmi-1', 'vmi-2']);
  });

  it('reports a spec the webhooks did not fill in VM Operator’s words, and publishes nothing', () => {
    const status = groupPublishStatus(groupReq(undefined, { source: 'app' }), owned(), 'T1');
    expect(status.conditions).toEqual([{
      type: 'Complete', status: 'False', reason: 'webhooks failed to mutate/validate spec. please delete and create again.',
      message: 'spec.target is undefined\nspec.virtualMachines is undefined', observedGeneration: 1, lastTransitionTime: 'T1',
    }]);
    expect(status.startTime).toBeUndefined();
  });

  it('expires ttlSecondsAfterFinished after completion, only once complete, and never without a TTL', () => {
    const complete = { conditions: [{ type: 'Complete', status: 'True' }], completionTime: '2026-01-01T00:00:00Z' };
    const withTtl = (ttl: number | undefined, status: any) => groupReq(status, { source: 'app', target: 'lib', virtualMachines: ['web-1'], ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }) });
    expect(groupExpiresAt(withTtl(30, complete))).toBe(Date.parse('2026-01-01T00:00:30Z'));
    expect(groupExpiresAt(withTtl(0, complete))).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(groupExpiresAt(withTtl(undefined, complete))).toBeUndefined();
    expect(groupExpiresAt(withTtl(30, { ...complete, conditions: [{ type: 'Complete', status: 'False' }] }))).toBeUndefined();
  });
});
