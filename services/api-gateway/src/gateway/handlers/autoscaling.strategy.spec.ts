import { defaultHorizontalPodAutoscaler, validateHorizontalPodAutoscaler } from './autoscaling.strategy';

const hpa = (spec: any) => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' }, spec });
const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const causes = (spec: any) => validateHorizontalPodAutoscaler(defaultHorizontalPodAutoscaler(hpa(spec))).map((c) => `${c.field}: ${c.message}`);

describe('HorizontalPodAutoscaler admission', () => {
  it('defaults minReplicas to 1 and a CPU target of 80 %, and completes a behavior given in part', () => {
    const out = defaultHorizontalPodAutoscaler(hpa({ scaleTargetRef: ref, maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } }));
    expect(out.spec.minReplicas).toBe(1);
    expect(out.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(out.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
    expect(defaultHorizontalPodAutoscaler(hpa({ scaleTargetRef: ref, maxReplicas: 3 })).spec.behavior).toBeUndefined();
  });

  it('accepts a valid HPA', () => {
    expect(causes({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3 })).toEqual([]);
  });

  it('refuses bad replica bounds and a target without kind or name, naming the fields', () => {
    expect(causes({ scaleTargetRef: ref, minReplicas: 3, maxReplicas: 1 })).toEqual(['spec.maxReplicas: Invalid value: 1: must be greater than or equal to `minReplicas`']);
    expect(causes({ scaleTargetRef: {}, minReplicas: 0, maxReplicas: 0 })).toEqual([
      'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
      'spec.maxReplicas: Invalid value: 0: must be greater than 0',
      'spec.scaleTargetRef.kind: Required value',
      'spec.scaleTargetRef.name: Required value',
    ]);
  });

  it('checks each metric type has the fields it needs and targets are positive', () => {
    const metrics = [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } },
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } },
      { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue' } } },
      { type: 'External', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
      { type: 'ContainerResource', containerResource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '-1' } } },
      { type: 'Bogus' },
    ];
    expect(causes({ scaleTargetRef: ref, maxReplicas: 3, metrics })).toEqual([
      'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
      'spec.metrics[1].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization',
      'spec.metrics[2].pods.target.averageValue: Required value: must specify a positive target averageValue',
      'spec.metrics[3].external: Required value: must populate information for the given metric source',
      'spec.metrics[4].containerResource.container: Required value: must specify a container',
      'spec.metrics[4].containerResource.target.averageValue: Invalid value: "-1": must be positive',
      'spec.metrics[5].type: Unsupported value: "Bogus": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
    ]);
  });

  it('checks behavior policies, windows and select policies', () => {
    const behavior = {
      scaleUp: { stabilizationWindowSeconds: 3601, selectPolicy: 'Fastest', policies: [{ type: 'Nodes', value: 0, periodSeconds: 1801 }] },
      scaleDown: { stabilizationWindowSeconds: -1, policies: [] },
    };
    expect(causes({ scaleTargetRef: ref, maxReplicas: 3, behavior })).toEqual([
      'spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600',
      'spec.behavior.scaleUp.selectPolicy: Unsupported value: "Fastest": supported values: "Disabled", "Max", "Min"',
      'spec.behavior.scaleUp.policies[0].type: Unsupported value: "Nodes": supported values: "Percent", "Pods"',
      'spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero',
      'spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800',
      'spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: -1: must be greater than or equal to zero',
      'spec.behavior.scaleDown.policies: Required value: must specify at least one Policy',
    ]);
  });
});
