import { GuestApi, startGuestApi } from './guest-api.spec-support';
import { nodeVolumesDetached } from './node-volumes';

describe("waiting for a drained node's volumes to be detached", () => {
  let api: GuestApi;
  beforeEach(async () => {
    api = await startGuestApi();
    api.nodes.set('w-1', [{ type: 'Ready', status: 'True' }]);
  });
  afterEach(() => api.stop());

  it('waits while the Node lists volumes in status.volumesAttached, and not once it lists none', async () => {
    api.volumesAttached.set('w-1', ['kubernetes.io/csi/csi.vsphere.vmware.com^disk-2', 'kubernetes.io/csi/csi.vsphere.vmware.com^disk-1']);
    expect(await nodeVolumesDetached(api.access, 'w-1')).toEqual({ done: false, failed: false, attached: ['kubernetes.io/csi/csi.vsphere.vmware.com^disk-2', 'kubernetes.io/csi/csi.vsphere.vmware.com^disk-1'] });
    api.volumesAttached.set('w-1', []);
    expect(await nodeVolumesDetached(api.access, 'w-1')).toEqual({ done: true });
  });

  it('does not wait on an unreachable Node (Ready Unknown), nor on one the guest no longer has', async () => {
    api.volumesAttached.set('w-1', ['kubernetes.io/csi/csi.vsphere.vmware.com^disk-1']);
    api.nodes.set('w-1', [{ type: 'Ready', status: 'Unknown' }]);
    expect(await nodeVolumesDetached(api.access, 'w-1')).toEqual({ done: true });
    expect(await nodeVolumesDetached(api.access, 'gone')).toEqual({ done: true });
  });

  it('reports a guest that refuses the read as a failure, not as detached', async () => {
    api.volumesAttached.set('w-1', ['kubernetes.io/csi/csi.vsphere.vmware.com^disk-1']);
    expect(await nodeVolumesDetached({ ...api.access, token: 'nope' }, 'w-1')).toEqual({ done: false, failed: true, message: 'unable to get Node w-1: Unauthorized' });
  });
});
