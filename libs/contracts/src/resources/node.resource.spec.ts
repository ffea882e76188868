import { hostToNode, nodeToHost } from './node.resource';

const host = {
  apiVersion: 'infrastructure.openpacific.io/v1alpha1', kind: 'Host', metadata: { name: 'host-1', labels: { a: 'b' } }, spec: {},
  status: { epoch: 3, capacity: { cpu: '2' }, conditions: [{ type: 'Ready', status: 'True', reason: 'HostReady', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
};

describe('the Node view of a Host', () => {
  it("carries a status write's conditions back onto the Host, as node-problem-detector reports them, without the view's heartbeat times", () => {
    const node = hostToNode(host);
    node.status.conditions = [
      { ...node.status.conditions[0], lastHeartbeatTime: '2026-01-01T00:05:00Z' },
      { type: 'KernelDeadlock', status: 'True', reason: 'DockerHung', lastTransitionTime: '2026-01-01T00:04:00Z', lastHeartbeatTime: '2026-01-01T00:05:00Z' },
    ];
    const back = nodeToHost(node, host);
    expect(back.status).toEqual({ ...host.status, conditions: [host.status.conditions[0], { type: 'KernelDeadlock', status: 'True', reason: 'DockerHung', lastTransitionTime: '2026-01-01T00:04:00Z' }] });
  });

  it("keeps the Host's status when the Node written has none", () => {
    expect(nodeToHost({ metadata: { name: 'host-1' } }, host).status).toEqual(host.status);
  });
});
