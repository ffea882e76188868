import { tokenFromKubeconfig } from './kubeconfig';
import { formatQuantity, parseQuantity, podRequest } from './quantity';
import { parseObjectPath, refPath, splitApiVersion } from './discovery';
import { compareObjects, listTotal } from './watch';
import { usageByName, usageOf } from './usage';

const kubeconfig = (user: Record<string, unknown>, current = 'dev') => `
apiVersion: v1
kind: Config
current-context: ${current}
clusters: [{ name: local, cluster: { server: "https://127.0.0.1:6443" } }]
contexts:
  - { name: admin, context: { cluster: local, user: admin } }
  - { name: dev, context: { cluster: local, user: developer } }
users:
  - { name: admin, user: { token: admin-token } }
  - { name: developer, user: ${JSON.stringify(user)} }
`;

describe('signing in with a kubeconfig', () => {
  it("takes the token of the current context's user", () => {
    expect(tokenFromKubeconfig(kubeconfig({ token: ' dev-token\n' }))).toBe('dev-token');
    expect(tokenFromKubeconfig(kubeconfig({ token: 'x' }, 'admin'))).toBe('admin-token');
  });

  it('says that a browser cannot use client certificates', () => {
    expect(() => tokenFromKubeconfig(kubeconfig({ 'client-certificate-data': 'AAAA', 'client-key-data': 'BBBB' }))).toThrow(/client certificate.*token instead/);
  });

  it('names what is missing', () => {
    expect(() => tokenFromKubeconfig(kubeconfig({ token: 'x' }, 'nowhere'))).toThrow('no context "nowhere"');
    expect(() => tokenFromKubeconfig(kubeconfig({ username: 'u' }))).toThrow('user "developer" has no token');
    expect(() => tokenFromKubeconfig('kind: Pod')).toThrow('no "kind: Config"');
    expect(() => tokenFromKubeconfig('a: [')).toThrow(/not a kubeconfig \(YAML\)/);
  });
});

describe('quantities', () => {
  it('parses decimal and binary suffixes', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity(3)).toBe(3);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('24683548Ki')).toBe(24683548 * 1024);
    expect(parseQuantity('1.5G')).toBe(1.5e9);
    expect(parseQuantity('nonsense')).toBe(0);
  });

  it('formats per resource', () => {
    expect(formatQuantity(0.25, 'cpu')).toBe('250m');
    expect(formatQuantity(2, 'requests.cpu')).toBe('2');
    expect(formatQuantity(24683548 * 1024, 'memory')).toBe('23.54Gi');
    expect(formatQuantity(10, 'pods')).toBe('10');
  });

  it("sums a pod's container requests", () => {
    const pod = { spec: { containers: [{ resources: { requests: { cpu: '100m' } } }, { resources: { requests: { cpu: '1', memory: '64Mi' } } }, {}] } };
    expect(podRequest(pod, 'cpu')).toBeCloseTo(1.1);
    expect(podRequest(pod, 'memory')).toBe(64 * 2 ** 20);
  });
});

describe('object paths', () => {
  it('reads and writes namespaced, cluster-scoped and core paths', () => {
    const vm = '/apis/vmoperator.vmware.com/v1alpha5/namespaces/vm-team/virtualmachines/web-1';
    expect(parseObjectPath(vm)).toEqual({ group: 'vmoperator.vmware.com', version: 'v1alpha5', plural: 'virtualmachines', namespace: 'vm-team', name: 'web-1' });
    expect(parseObjectPath('/api/v1/nodes/host-1')).toEqual({ group: '', version: 'v1', plural: 'nodes', namespace: undefined, name: 'host-1' });
    expect(parseObjectPath('/api/v1/namespaces/team-a')).toEqual({ group: '', version: 'v1', plural: 'namespaces', namespace: undefined, name: 'team-a' });
    for (const p of [vm, '/api/v1/nodes/host-1', '/api/v1/namespaces/team-a/pods/web']) expect(refPath(parseObjectPath(p)!)).toBe(p);
  });

  it('refuses what is not an object path', () => {
    expect(parseObjectPath('/api/v1/pods')).toBeUndefined();
    expect(parseObjectPath('/healthz')).toBeUndefined();
    expect(parseObjectPath('/api/v1/namespaces/a/pods/b/log')).toBeUndefined();
  });

  it('splits apiVersion into group and version', () => {
    expect(splitApiVersion('v1')).toEqual({ group: '', version: 'v1' });
    expect(splitApiVersion('run.tanzu.vmware.com/v1alpha3')).toEqual({ group: 'run.tanzu.vmware.com', version: 'v1alpha3' });
  });
});

describe('lists arriving in pages', () => {
  const obj = (namespace: string, name: string) => ({ metadata: { namespace, name } });

  it("orders objects as the API serves its pages (its sort key: namespace, NUL, name), so pages append in place", () => {
    const names = ['pod-10', 'pod-1', 'Pod-2', 'pod-1a', 'pod.1', 'pod-01', 'a', 'z-9', 'Z'];
    const objects = ['team-b', 'team-a', 'team-a-1'].flatMap((ns) => names.map((n) => obj(ns, n)));
    const serverKey = (o: any) => `${o.metadata.namespace}\0${o.metadata.name}`;
    const byServer = [...objects].sort((a, b) => (serverKey(a) < serverKey(b) ? -1 : serverKey(a) > serverKey(b) ? 1 : 0));
    expect([...objects].reverse().sort(compareObjects).map(serverKey)).toEqual(byServer.map(serverKey));
    // the namespace decides first: "team-a-1" comes after every object of "team-a"
    expect(compareObjects(obj('team-a', 'zzz'), obj('team-a-1', 'a'))).toBeLessThan(0);
    expect(compareObjects(obj('x', 'same'), obj('x', 'same'))).toBe(0);
  });

  it("counts the whole list from a page's remainingItemCount", () => {
    expect(listTotal(500, { remainingItemCount: 9500 })).toBe(10_000);
    expect(listTotal(500, { remainingItemCount: 0 })).toBe(500);
    expect(listTotal(500, {})).toBeUndefined();
    expect(listTotal(500, undefined)).toBeUndefined();
  });
});

describe('usage from metrics.k8s.io', () => {
  it("reads a node's usage, and a pod's as the sum of its containers', in cores and bytes", () => {
    const node = usageOf({ metadata: { name: 'host-1' }, usage: { cpu: '1001m', memory: '3Gi' } });
    expect(node.cpu).toBeCloseTo(1.001, 9);
    expect(node.memory).toBe(3 * 2 ** 30);
    const pod = usageOf({ metadata: { name: 'p', namespace: 'ns' }, containers: [{ usage: { cpu: '250000n', memory: '1Mi' } }, { usage: { cpu: '2m', memory: '512Ki' } }] });
    expect(pod.cpu).toBeCloseTo(0.00225, 9);
    expect(pod.memory).toBe(1.5 * 2 ** 20);
    expect(usageOf({ metadata: { name: 'p', namespace: 'ns' }, containers: [] })).toEqual({ cpu: 0, memory: 0 });
  });

  it('files pods by namespace and name, nodes by name', () => {
    const pods = usageByName({ items: [{ metadata: { name: 'web', namespace: 'a' }, containers: [{ usage: { cpu: '1m', memory: '1Ki' } }] }, { metadata: { name: 'web', namespace: 'b' }, containers: [] }] });
    expect([...pods.keys()]).toEqual(['a/web', 'b/web']);
    expect(usageByName({ items: [{ metadata: { name: 'host-2' }, usage: { cpu: '0', memory: '0' } }] }).get('host-2')).toEqual({ cpu: 0, memory: 0 });
    expect(usageByName({}).size).toBe(0);
  });
});
