import { DEFAULT_SCALE_DOWN, DEFAULT_SCALE_UP, DOWNSCALE_STABILIZATION_SECONDS, completeScalingRules, type ScalingRules } from '@openpacific/contracts';

/**
 * What kube-controller-manager keeps in memory per HPA between its syncs: the recent recommendations (for the
 * stabilization windows) and the recent scale changes (for the behavior's rate policies), and how it turns a
 * metrics' recommendation into the replicas to set (normalizeDesiredReplicas[WithBehaviors]). A new leader starts
 * with none, as a restarted kube-controller-manager does: its first recommendation is the current size.
 */

export interface Condition {
  type: 'AbleToScale' | 'ScalingLimited';
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface Normalized {
  replicas: number;
  conditions: Condition[];
}

interface Recommendation {
  replicas: number;
  at: number;
}

interface ScaleChange {
  change: number;
  at: number;
}

export interface NormalizeInput {
  key: string;
  behavior?: { scaleUp?: ScalingRules; scaleDown?: ScalingRules };
  currentReplicas: number;
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  now: number;
}

const STABILIZED_DOWN = 'recent recommendations were higher than current one, applying the highest recent recommendation';
const STABILIZED_UP = 'recent recommendations were lower than current one, applying the lowest recent recommendation';
const READY: Condition = { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const WITHIN: [string, string] = ['DesiredWithinRange', 'the desired count is within the acceptable range'];
const TOO_MANY: [string, string] = ['TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
const TOO_FEW: [string, string] = ['TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
const UP_LIMIT: [string, string] = ['ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate'];
const DOWN_LIMIT: [string, string] = ['ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate'];

function limited(limit: [string, string], replicas: number, recommended: number): Condition {
  return { type: 'ScalingLimited', status: replicas === recommended ? 'False' : 'True', reason: limit[0], message: limit[1] };
}

/** The change of the replicas within the last `periodSeconds`. */
function changeWithin(periodSeconds: number, changes: ScaleChange[], now: number): number {
  return changes.filter((c) => c.at > now - periodSeconds * 1000).reduce((sum, c) => sum + c.change, 0);
}

/** calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors. */
export function scaleLimit(direction: 'up' | 'down', current: number, ups: ScaleChange[], downs: ScaleChange[], rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const proposals = (rules.policies ?? []).map((p) => {
    const start = current - changeWithin(p.periodSeconds, ups, now) + changeWithin(p.periodSeconds, downs, now);
    if (direction === 'up') return p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    return p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
  });
  // Max selects the biggest change: the highest limit up, the lowest down.
  const biggest = (rules.selectPolicy ?? 'Max') === 'Max';
  return direction === 'up' === biggest ? Math.max(...proposals) : Math.min(...proposals);
}

export class ScalingHistory {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly ups = new Map<string, ScaleChange[]>();
  private readonly downs = new Map<string, ScaleChange[]>();

  /** recordInitialRecommendation: a first sync remembers the current size as a recommendation. */
  start(key: string, currentReplicas: number, now: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas: currentReplicas, at: now }]);
  }

  forget(key: string): void {
    this.recommendations.delete(key);
    this.ups.delete(key);
    this.downs.delete(key);
  }

  keys(): string[] {
    return [...this.recommendations.keys()];
  }

  normalize(input: NormalizeInput): Normalized {
    return input.behavior ? this.withBehavior(input) : this.withoutBehavior(input);
  }

  /** storeScaleEvent: only HPAs with a behavior keep their changes, for its rate policies. */
  recordScale(input: NormalizeInput, newReplicas: number): void {
    if (!input.behavior) return;
    const longest = (r: ScalingRules | undefined) => Math.max(0, ...(r?.policies ?? []).map((p) => p.periodSeconds));
    const up = newReplicas > input.currentReplicas;
    const map = up ? this.ups : this.downs;
    const keepSeconds = longest(up ? input.behavior.scaleUp : input.behavior.scaleDown);
    const kept = (map.get(input.key) ?? []).filter((c) => c.at > input.now - keepSeconds * 1000);
    kept.push({ change: Math.abs(newReplicas - input.currentReplicas), at: input.now });
    map.set(input.key, kept);
  }

  /** normalizeDesiredReplicas: a 5-minute scale-down stabilization, then the bounds and the scale-up limit. */
  private withoutBehavior(input: NormalizeInput): Normalized {
    const { key, desiredReplicas, currentReplicas, minReplicas, maxReplicas, now } = input;
    const history = this.recommendations.get(key) ?? [];
    const cutoff = now - DOWNSCALE_STABILIZATION_SECONDS * 1000;
    let stabilized = desiredReplicas;
    for (const r of history) if (r.at >= cutoff) stabilized = Math.max(stabilized, r.replicas);
    this.remember(key, desiredReplicas, now, (r) => r.at < cutoff);
    const able: Condition = stabilized !== desiredReplicas ? { type: 'AbleToScale', status: 'True', reason: 'ScaleDownStabilized', message: STABILIZED_DOWN } : READY;
    // calculateScaleUpLimit: no more than twice the current size (at least 4) at once.
    const upLimit = Math.max(2 * currentReplicas, 4);
    const [maxAllowed, maxReason] = maxReplicas > upLimit ? [upLimit, UP_LIMIT] : [maxReplicas, TOO_MANY];
    let replicas = stabilized;
    let reason = WITHIN;
    if (stabilized < minReplicas) [replicas, reason] = [minReplicas, TOO_FEW];
    else if (stabilized > maxAllowed) [replicas, reason] = [maxAllowed, maxReason];
    return { replicas, conditions: [able, limited(reason, replicas, stabilized)] };
  }

  /** normalizeDesiredReplicasWithBehaviors: both stabilization windows, then the behavior's rate and the bounds. */
  private withBehavior(input: NormalizeInput): Normalized {
    const { key, desiredReplicas, currentReplicas, minReplicas, maxReplicas, now } = input;
    const up = completeScalingRules(input.behavior?.scaleUp, DEFAULT_SCALE_UP);
    const down = completeScalingRules(input.behavior?.scaleDown, { ...DEFAULT_SCALE_DOWN, stabilizationWindowSeconds: DOWNSCALE_STABILIZATION_SECONDS });
    down.stabilizationWindowSeconds ??= DOWNSCALE_STABILIZATION_SECONDS;
    const upCutoff = now - (up.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = now - down.stabilizationWindowSeconds * 1000;
    let upRecommendation = desiredReplicas;
    let downRecommendation = desiredReplicas;
    for (const r of this.recommendations.get(key) ?? []) {
      if (r.at > upCutoff) upRecommendation = Math.min(upRecommendation, r.replicas);
      if (r.at > downCutoff) downRecommendation = Math.max(downRecommendation, r.replicas);
    }
    const stabilized = Math.min(Math.max(currentReplicas, upRecommendation), downRecommendation);
    this.remember(key, desiredReplicas, now, (r) => r.at < upCutoff && r.at < downCutoff);
    const able: Condition =
      stabilized === desiredReplicas ? READY
        : desiredReplicas >= currentReplicas ? { type: 'AbleToScale', status: 'True', reason: 'ScaleUpStabilized', message: STABILIZED_UP }
          : { type: 'AbleToScale', status: 'True', reason: 'ScaleDownStabilized', message: STABILIZED_DOWN };
    const ups = this.ups.get(key) ?? [];
    const downs = this.downs.get(key) ?? [];
    let replicas = stabilized;
    let reason = WITHIN;
    if (stabilized > currentReplicas) {
      const limit = Math.max(scaleLimit('up', currentReplicas, ups, downs, up, now), currentReplicas);
      const [allowed, why] = maxReplicas > limit ? [limit, UP_LIMIT] : [maxReplicas, TOO_MANY];
      if (stabilized > allowed) [replicas, reason] = [allowed, why];
    } else if (stabilized < currentReplicas) {
      const limit = Math.min(scaleLimit('down', currentReplicas, ups, downs, down, now), currentReplicas);
      const [allowed, why] = minReplicas < limit ? [limit, DOWN_LIMIT] : [minReplicas, TOO_FEW];
      if (stabilized < allowed) [replicas, reason] = [allowed, why];
    }
    return { replicas, conditions: [able, limited(reason, replicas, stabilized)] };
  }

  /** Records a recommendation in place of one that fell out of every window, as kube-controller-manager does. */
  private remember(key: string, replicas: number, now: number, old: (r: Recommendation) => boolean): void {
    const history = this.recommendations.get(key) ?? [];
    const index = history.findIndex(old);
    if (index >= 0) history[index] = { replicas, at: now };
    else history.push({ replicas, at: now });
    this.recommendations.set(key, history);
  }
}
