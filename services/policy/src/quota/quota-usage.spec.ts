import { amountOf, exceededMessage, formatAmount, hardOf, podCompute, podMissingCompute, usageDelta, usageOf, usedStatus } from './quota-usage';

const pod = (containers: any[], extra: any = {}) => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers, ...extra } });

describe('quota usage', () => {
  it('amounts are exact integers: millicores for cpu, units otherwise', () => {
    expect(amountOf('requests.cpu', '100m')).toBe(100);
    expect(amountOf('requests.cpu', '0.1')).toBe(100);
    expect(amountOf('limits.cpu', 2)).toBe(2000);
    expect(amountOf('requests.memory', '1Gi')).toBe(2 ** 30);
    expect(amountOf('pods', '10')).toBe(10);
    expect(amountOf('pods', 'ten')).toBeUndefined();
  });

  it('formats amounts back as kube prints quantities', () => {
    expect(formatAmount('requests.cpu', 1500)).toBe('1500m');
    expect(formatAmount('requests.cpu', 2000)).toBe('2');
    expect(formatAmount('requests.memory', 3 * 2 ** 30)).toBe('3Gi');
    expect(formatAmount('requests.memory', 1000)).toBe('1000');
    expect(formatAmount('pods', 10)).toBe('10');
  });

  it('a pod uses the sum of its containers or its largest init container, requests defaulting to limits', () => {
    const p = pod(
      [
        { name: 'a', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m' } } },
        { name: 'b', resources: { limits: { cpu: '300m', memory: '128Mi' } } },
      ],
      { initContainers: [{ name: 'i', resources: { requests: { cpu: '1' } } }] },
    );
    expect(podCompute(p)).toEqual({
      'requests.cpu': 1000, cpu: 1000, 'requests.memory': 192 * 2 ** 20, memory: 192 * 2 ** 20, 'limits.cpu': 500, 'limits.memory': 128 * 2 ** 20,
    });
    expect(usageOf('pods', p)).toMatchObject({ pods: 1, 'count/pods': 1, 'requests.cpu': 1000 });
  });

  it("a pod's overhead (its RuntimeClass's) adds to its requests, and to its limits where it has them", () => {
    const p = pod([{ name: 'a', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m' } } }], { overhead: { cpu: '250m', memory: '32Mi' } });
    expect(podCompute(p)).toEqual({ 'requests.cpu': 350, cpu: 350, 'requests.memory': 96 * 2 ** 20, memory: 96 * 2 ** 20, 'limits.cpu': 450 });
  });

  it('a pod that ended uses nothing', () => {
    expect(usageOf('pods', { ...pod([{ name: 'a' }]), status: { phase: 'Succeeded' } })).toEqual({});
  });

  it('names the compute resources a quota constrains that a container leaves unset', () => {
    expect(podMissingCompute(pod([{ name: 'a', resources: { requests: { cpu: '1' } } }]), ['pods', 'requests.cpu', 'limits.memory', 'memory'])).toEqual(['limits.memory', 'memory']);
  });

  it('a claim uses storage overall and of its storage class', () => {
    const pvc = { metadata: { name: 'c', namespace: 'ns' }, spec: { storageClassName: 'gold', resources: { requests: { storage: '5Gi' } } } };
    expect(usageOf('persistentvolumeclaims', pvc)).toEqual({
      'count/persistentvolumeclaims': 1,
      persistentvolumeclaims: 1,
      'requests.storage': 5 * 2 ** 30,
      'gold.storageclass.storage.k8s.io/requests.storage': 5 * 2 ** 30,
      'gold.storageclass.storage.k8s.io/persistentvolumeclaims': 1,
    });
  });

  it('a Service uses a node port per port when NodePort or LoadBalancer, a LoadBalancer one load balancer', () => {
    const svc = (spec: any) => ({ metadata: { name: 's', namespace: 'ns' }, spec });
    const ports = [{ port: 80 }, { port: 443 }];
    expect(usageOf('services', svc({ type: 'ClusterIP', ports }))).toEqual({ 'count/services': 1, services: 1, 'services.nodeports': 0, 'services.loadbalancers': 0 });
    expect(usageOf('services', svc({ type: 'NodePort', ports }))).toMatchObject({ 'services.nodeports': 2, 'services.loadbalancers': 0 });
    expect(usageOf('services', svc({ type: 'LoadBalancer', ports }))).toMatchObject({ 'services.nodeports': 2, 'services.loadbalancers': 1 });
    expect(usageOf('services', svc({ type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80, nodePort: 30080 }, { port: 443 }] }))).toMatchObject({ 'services.nodeports': 1 });
    // As kube's service evaluator: the health check node port of externalTrafficPolicy Local is not counted.
    expect(usageOf('services', svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 31300, ports }))).toMatchObject({ 'services.nodeports': 2, 'services.loadbalancers': 1 });
    // ClusterIP to NodePort asks for the node ports; quota refuses past the limit in kube's words.
    const requested = usageDelta(usageOf('services', svc({ type: 'ClusterIP', ports })), usageOf('services', svc({ type: 'NodePort', ports })));
    expect(requested).toEqual({ 'services.nodeports': 2 });
    expect(exceededMessage('q', { 'services.nodeports': 1 }, { 'services.nodeports': 0 }, requested)).toBe('exceeded quota: q, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1');
  });

  it('any kind counts as count/<resource>.<group>', () => {
    expect(usageOf('virtualmachines.vmoperator.vmware.com', { metadata: { name: 'v' } })).toEqual({ 'count/virtualmachines.vmoperator.vmware.com': 1 });
  });

  it("words a refusal as kube-apiserver, only with the exceeded resources", () => {
    const hard = hardOf({ spec: { hard: { pods: '10', 'requests.cpu': '2' } } });
    expect(exceededMessage('compute', hard, { pods: 10, 'requests.cpu': 500 }, { pods: 1, 'requests.cpu': 100 })).toBe(
      'exceeded quota: compute, requested: pods=1, used: pods=10, limited: pods=10',
    );
    expect(exceededMessage('compute', hard, { pods: 10, 'requests.cpu': 1900 }, { pods: 1, 'requests.cpu': 200 })).toBe(
      'exceeded quota: compute, requested: pods=1,requests.cpu=200m, used: pods=10,requests.cpu=1900m, limited: pods=10,requests.cpu=2',
    );
    expect(exceededMessage('compute', hard, { pods: 9 }, { pods: 1 })).toBeUndefined();
  });

  it('an update asks only for what it adds', () => {
    expect(usageDelta({ 'requests.storage': 10, persistentvolumeclaims: 1 }, { 'requests.storage': 15, persistentvolumeclaims: 1 })).toEqual({ 'requests.storage': 5 });
  });

  it('status.used lists every hard resource', () => {
    expect(usedStatus({ pods: '10', 'requests.memory': '1Gi' }, { pods: 3 })).toEqual({ pods: '3', 'requests.memory': '0' });
  });
});
