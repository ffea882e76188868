import { type NormalizeInput, scaleLimit, ScalingHistory } from './scaling-history';

const T0 = 1_000_000_000;
const input = (over: Partial<NormalizeInput>): NormalizeInput => ({ key: 'hpa', currentReplicas: 2, desiredReplicas: 2, minReplicas: 1, maxReplicas: 10, now: T0, ...over });
const reasons = (n: { conditions: { reason: string }[] }) => n.conditions.map((c) => c.reason);

describe('the scaling history of an HPA without a behavior', () => {
  it('scales down only to the highest recommendation of the last 5 minutes', () => {
    const h = new ScalingHistory();
    h.start('hpa', 4, T0);
    const down = h.normalize(input({ currentReplicas: 4, desiredReplicas: 1, now: T0 + 60_000 }));
    expect(down.replicas).toBe(4);
    expect(reasons(down)).toEqual(['ScaleDownStabilized', 'DesiredWithinRange']);
    expect(h.normalize(input({ currentReplicas: 4, desiredReplicas: 1, now: T0 + 301_000 })).replicas).toBe(1);
  });

  it('clamps to the bounds and to twice the size (at least 4) at once', () => {
    const h = new ScalingHistory();
    const up = h.normalize(input({ currentReplicas: 2, desiredReplicas: 20 }));
    expect(up.replicas).toBe(4);
    expect(up.conditions[1]).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' });
    const max = h.normalize(input({ key: 'other', currentReplicas: 2, desiredReplicas: 20, maxReplicas: 3 }));
    expect(max.replicas).toBe(3);
    expect(max.conditions[1]).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
    const min = h.normalize(input({ key: 'third', currentReplicas: 2, desiredReplicas: 1, minReplicas: 2 }));
    expect(min.replicas).toBe(2);
    expect(min.conditions[1]).toMatchObject({ status: 'True', reason: 'TooFewReplicas' });
  });
});

describe('the scaling history of an HPA with a behavior', () => {
  const behavior = { scaleDown: { stabilizationWindowSeconds: 0 } };

  it('scales up by the default policies: the bigger of 4 pods and 100 % per 15 s', () => {
    const h = new ScalingHistory();
    const first = input({ behavior, currentReplicas: 2, desiredReplicas: 20 });
    const up = h.normalize(first);
    expect(up.replicas).toBe(6);
    expect(up.conditions[1]).toMatchObject({ reason: 'ScaleUpLimit' });
    h.recordScale(first, 6);
    // Within the same 15 s the period started at 2: no more than 6 yet.
    expect(h.normalize(input({ behavior, currentReplicas: 6, desiredReplicas: 20, now: T0 + 5000 })).replicas).toBe(6);
    expect(h.normalize(input({ behavior, currentReplicas: 6, desiredReplicas: 20, maxReplicas: 20, now: T0 + 16_000 })).replicas).toBe(12);
  });

  it('scales down at once without a window, and keeps the highest recommendation within one', () => {
    const h = new ScalingHistory();
    h.start('hpa', 5, T0);
    expect(h.normalize(input({ behavior, currentReplicas: 5, desiredReplicas: 1, now: T0 + 1000 })).replicas).toBe(1);
    const windowed = new ScalingHistory();
    windowed.start('hpa', 5, T0);
    const held = windowed.normalize(input({ behavior: { scaleDown: { stabilizationWindowSeconds: 60 } }, currentReplicas: 5, desiredReplicas: 1, now: T0 + 1000 }));
    expect(held.replicas).toBe(5);
    expect(held.conditions[0].reason).toBe('ScaleDownStabilized');
  });

  it('holds a scale-up within a scale-up stabilization window', () => {
    const h = new ScalingHistory();
    h.start('hpa', 2, T0);
    const up = h.normalize(input({ behavior: { scaleUp: { stabilizationWindowSeconds: 60 } }, currentReplicas: 2, desiredReplicas: 5, now: T0 + 1000 }));
    expect(up.replicas).toBe(2);
    expect(up.conditions[0].reason).toBe('ScaleUpStabilized');
  });

  it('selects the smallest change with Min and none with Disabled', () => {
    const rules = { policies: [{ type: 'Pods' as const, value: 1, periodSeconds: 15 }, { type: 'Percent' as const, value: 100, periodSeconds: 15 }] };
    expect(scaleLimit('up', 4, [], [], { ...rules, selectPolicy: 'Min' }, T0)).toBe(5);
    expect(scaleLimit('up', 4, [], [], { ...rules, selectPolicy: 'Max' }, T0)).toBe(8);
    expect(scaleLimit('down', 4, [], [], { ...rules, selectPolicy: 'Max' }, T0)).toBe(0);
    expect(scaleLimit('down', 4, [], [], { ...rules, selectPolicy: 'Min' }, T0)).toBe(3);
    expect(scaleLimit('up', 4, [], [], { ...rules, selectPolicy: 'Disabled' }, T0)).toBe(4);
  });
});
