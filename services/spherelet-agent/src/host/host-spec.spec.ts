import { hostIdentity } from './host-identity';
import { hostDescription, KUBELET_VERSION } from './host-spec';

const config = (extra: Record<string, unknown> = {}) =>
  ({ HOST_NAME: 'h1', HOST_CPU: '4', HOST_MEMORY: '8Gi', HOST_PODS: 50, HOST_LABELS: 'zone=a,disk=ssd', HOST_TAINTS: 'dedicated=db:NoSchedule,gpu:NoExecute', ...extra }) as any;

const BOOT = '0b5c3a6e-2f1d-4c8b-9e7a-5d4c3b2a1f00';

describe('what a host offers', () => {
  it('comes from config: capacity, labels over the well-known ones, and taints', () => {
    const d = hostDescription(config(), { driver: 'process', isolation: 'none', cgroups: '1', podNetwork: { mode: 'loopback', reason: 'POD_CIDR not set' } }, BOOT);
    expect(d.capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '50' });
    expect(d.labels).toMatchObject({ 'kubernetes.io/hostname': 'h1', 'kubernetes.io/os': 'linux', zone: 'a', disk: 'ssd' });
    expect(d.taints).toEqual([{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }, { key: 'gpu', effect: 'NoExecute' }]);
  });

  it('defaults capacity to the machine and says whether containers are isolated', () => {
    const d = hostDescription(config({ HOST_CPU: '', HOST_MEMORY: '', HOST_LABELS: '', HOST_TAINTS: '' }), { driver: 'process', isolation: 'mount+pid namespaces, image rootfs', cgroups: '1', podNetwork: { mode: 'loopback', reason: 'POD_CIDR not set' } }, BOOT);
    expect(Number(d.capacity.cpu)).toBeGreaterThan(0);
    expect(d.capacity.memory).toMatch(/^\d+Ki$/);
    expect(d.isolation).toMatchObject({ type: 'ContainerIsolation', status: 'True', reason: 'ImageRootfs' });
    expect(hostDescription(config(), { driver: 'process', isolation: 'none', cgroups: 'false', podNetwork: { mode: 'loopback' } }, BOOT).isolation).toMatchObject({ status: 'False', reason: 'HostRoot' });
    expect(hostDescription(config(), undefined, BOOT).isolation).toMatchObject({ status: 'Unknown', reason: 'RuntimeNotAnswering' });
  });

  it('says in NetworkUnavailable and an annotation which pod network the host runs', () => {
    const netns = hostDescription(config(), { driver: 'process', isolation: 'none', cgroups: '1', podNetwork: { mode: 'netns', bridge: 'op64h1', gateway: '10.64.0.1' } }, BOOT);
    expect(netns.podNetwork).toBe('netns');
    expect(netns.network).toMatchObject({ type: 'NetworkUnavailable', status: 'False', reason: 'PodNetworkNamespaces' });
    expect(netns.network.message).toContain('op64h1');
    const fallback = hostDescription(config(), { driver: 'process', isolation: 'none', cgroups: '1', podNetwork: { mode: 'loopback', reason: 'not root' } }, BOOT);
    expect(fallback.podNetwork).toBe('loopback');
    expect(fallback.network).toMatchObject({ status: 'False', reason: 'LoopbackFallback' });
    expect(fallback.network.message).toContain('not root');
    expect(hostDescription(config(), undefined, BOOT).network).toMatchObject({ status: 'Unknown', reason: 'RuntimeNotAnswering' });
  });

  it("reports in nodeInfo which machine the host is, from its name, and this start's boot id", () => {
    const { nodeInfo } = hostDescription(config(), undefined, BOOT);
    expect(nodeInfo).toMatchObject({ ...hostIdentity('h1', BOOT), kubeletVersion: KUBELET_VERSION, operatingSystem: 'linux', containerRuntimeVersion: 'crx://unknown' });
    expect(nodeInfo.bootID).toBe(BOOT);
    const other = hostDescription(config({ HOST_NAME: 'h2' }), undefined, BOOT).nodeInfo;
    expect(other.machineID).not.toBe(nodeInfo.machineID);
    expect(other.systemUUID).not.toBe(nodeInfo.systemUUID);
  });
});
