import { nodeMetricsObject, podMetricsObject } from './metrics-objects';

describe('metrics.k8s.io objects', () => {
  const now = '2026-12-01T10:00:12Z';
  const reading = {
    namespace: 'default', name: 'busy', uid: 'u1', host: 'esx-1', timestamp: '2026-12-01T10:00:10.123Z', windowSeconds: 10.004,
    containers: [{ name: 'c', cpuNanoCores: 987_654_321, memoryBytes: 2_097_152 }],
  };
  const pod = { metadata: { name: 'busy', namespace: 'default', uid: 'u1', labels: { app: 'busy' } } };

  it('shapes a pod\'s sample as metrics-server\'s PodMetrics, labelled as the pod', () => {
    expect(podMetricsObject(reading, pod, now)).toEqual({
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'busy', namespace: 'default', creationTimestamp: now, labels: { app: 'busy' } },
      timestamp: '2026-12-01T10:00:10Z',
      window: '10.004s',
      containers: [{ name: 'c', usage: { cpu: '987654321n', memory: '2Mi' } }],
    });
  });

  it('leaves out a pod that is gone or was made again under its name', () => {
    expect(podMetricsObject(reading, undefined, now)).toBeUndefined();
    expect(podMetricsObject(reading, { metadata: { ...pod.metadata, uid: 'u2' } }, now)).toBeUndefined();
  });

  it('shapes a host\'s sample as NodeMetrics, labelled as its Node', () => {
    const sample = { host: 'esx-1', timestamp: '2026-12-01T10:00:10Z', windowSeconds: 10, node: { cpuNanoCores: 1.5e9, memoryBytes: 3 * 1024 ** 3 }, pods: [] };
    expect(nodeMetricsObject(sample, { metadata: { name: 'esx-1', labels: { 'kubernetes.io/hostname': 'esx-1' } } }, now)).toEqual({
      kind: 'NodeMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'esx-1', creationTimestamp: now, labels: { 'kubernetes.io/hostname': 'esx-1' } },
      timestamp: '2026-12-01T10:00:10Z',
      window: '10s',
      usage: { cpu: '1500m', memory: '3Gi' },
    });
    expect(nodeMetricsObject(sample, undefined, now)).toBeUndefined();
  });
});
