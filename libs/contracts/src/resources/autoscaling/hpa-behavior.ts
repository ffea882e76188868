/**
 * autoscaling/v2 scaling behavior defaults (kube-apiserver's GenerateHPAScaleUpRules/ScaleDownRules). A behavior
 * given in part is completed with them when stored, as kube-apiserver does; an HPA without one is scaled by the
 * controller's own rules (the scale-up limit and a 5-minute scale-down stabilization window).
 */
export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
}

export const DEFAULT_SCALE_UP: Required<ScalingRules> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};

/** No stabilization window: the controller's (300 s) applies when none is given. */
export const DEFAULT_SCALE_DOWN: ScalingRules = { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

/** The controller's scale-down stabilization window (kube-controller-manager's --horizontal-pod-autoscaler-downscale-stabilization). */
export const DOWNSCALE_STABILIZATION_SECONDS = 300;

export function completeScalingRules(given: ScalingRules | undefined, defaults: ScalingRules): ScalingRules {
  const rules = structuredClone(defaults);
  if (!given) return rules;
  if (given.stabilizationWindowSeconds !== undefined) rules.stabilizationWindowSeconds = given.stabilizationWindowSeconds;
  if (given.selectPolicy !== undefined) rules.selectPolicy = given.selectPolicy;
  if (given.policies !== undefined) rules.policies = structuredClone(given.policies);
  return rules;
}

/** A given behavior with both directions completed (what is stored); none stays none. */
export function completeBehavior(behavior: any): any {
  if (!behavior) return behavior;
  return { scaleUp: completeScalingRules(behavior.scaleUp, DEFAULT_SCALE_UP), scaleDown: completeScalingRules(behavior.scaleDown, DEFAULT_SCALE_DOWN) };
}
