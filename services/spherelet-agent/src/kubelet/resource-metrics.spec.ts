import { goFloat, resourceMetrics } from './resource-metrics';

describe("kubelet's resource metrics text", () => {
  it("writes values as Go's FormatFloat(v, 'g', -1, 64) does", () => {
    const cases: Array<[number, string]> = [
      [0, '0'], [1, '1'], [0.195744, '0.195744'], [123456, '123456'], [1e6, '1e+06'], [8577024, '8.577024e+06'],
      [574291968, '5.74291968e+08'], [0.0001, '0.0001'], [0.00001234, '1.234e-05'], [1.5e21, '1.5e+21'], [-2.5, '-2.5'],
    ];
    for (const [v, text] of cases) expect(goFloat(v)).toBe(text);
  });

  it('orders samples by their label values and escapes them', () => {
    const figures = (at: number) => ({ at, cpuCoreNanoSeconds: 1e9, workingSetBytes: 1 });
    const pod = (namespace: string, name: string) => ({ namespace, name, uid: name, startTime: 0, containers: [{ name: 'c', id: 'c1', ...figures(5) }], usage: figures(5) });
    const text = resourceMetrics({ nodeName: 'h', startTime: 0, node: figures(5), pods: [pod('b', 'x'), pod('a', 'y"\\'), pod('a', 'x')] });
    expect(text.split('\n').filter((l) => l.startsWith('pod_cpu_usage_seconds_total'))).toEqual([
      'pod_cpu_usage_seconds_total{namespace="a",pod="x"} 1 5',
      'pod_cpu_usage_seconds_total{namespace="a",pod="y\\"\\\\"} 1 5',
      'pod_cpu_usage_seconds_total{namespace="b",pod="x"} 1 5',
    ]);
    // A start time of the epoch is none, as kubelet leaves it out.
    expect(text).not.toContain('container_start_time_seconds');
  });
});
