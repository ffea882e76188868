import type { PodMetricsReading } from '@openpacific/messaging';
import { isFailure, type MetricFailure, proposeFor } from './hpa-metrics';
import { HpaCondition, setCondition } from './hpa.status';
import { rfc3339 } from '@openpacific/contracts';
import type { ScalingHistory } from './scaling-history';

/**
 * One sync of an HPA (kube-controller-manager's reconcileAutoscaler), decided on a snapshot of the world: the
 * target's scale, its pods and their samples. It returns the HPA's next status, the size to set the target to (if
 * it changes) and the Events to record; the controller writes them. The only state it keeps is the HPA's
 * `ScalingHistory` (recommendations and recent changes, in memory as kube-controller-manager keeps them).
 */
export interface Scale {
  replicas: number;
  /** The target's label selector (undefined: none). */
  selector?: any;
}

export interface HpaWorld {
  hpa: any;
  /** The target's scale, or why it could not be read. */
  scale: Scale | { error: string };
  /** The target's pods (its selector's). */
  pods: any[];
  readings: PodMetricsReading[];
  history: ScalingHistory;
  now: number;
}

export interface HpaEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface HpaDecision {
  status: any;
  scaleTo?: number;
  events: HpaEvent[];
  /** Records the rescale in the HPA's history once it is written. */
  written?: () => void;
}

class Sync {
  conditions: HpaCondition[];
  readonly events: HpaEvent[] = [];
  private readonly time: string;

  constructor(readonly world: HpaWorld) {
    this.conditions = [...(world.hpa.status?.conditions ?? [])];
    this.time = rfc3339(world.now);
  }

  set(type: string, status: 'True' | 'False', reason: string, message: string): void {
    this.conditions = setCondition(this.conditions, { type, status, reason, message }, this.time);
  }

  warn(reason: string, message: string): void {
    this.events.push({ type: 'Warning', reason, message });
  }

  status(fields: Record<string, unknown>): any {
    const previous = this.world.hpa.status ?? {};
    const status: any = { ...fields, conditions: this.conditions, observedGeneration: this.world.hpa.metadata.generation };
    status.lastScaleTime ??= previous.lastScaleTime;
    status.desiredReplicas ??= previous.desiredReplicas ?? 0;
    status.currentReplicas ??= previous.currentReplicas ?? 0;
    for (const k of Object.keys(status)) if (status[k] === undefined) delete status[k];
    return status;
  }
}

interface MetricsOutcome {
  replicas: number;
  name: string;
  statuses: any[];
  failed?: string;
}

/** computeReplicasForMetrics: the highest proposal; an error when every metric failed, or some did and the rest would scale down. */
function computeReplicasForMetrics(sync: Sync, currentReplicas: number, pods: any[]): MetricsOutcome {
  const { hpa, readings, now } = sync.world;
  const specs: any[] = hpa.spec.metrics ?? [];
  const ctx = { currentReplicas, pods, readings, now };
  let replicas = 0;
  let name = '';
  let firstFailure: MetricFailure | undefined;
  let failures = 0;
  const statuses = specs.map((spec) => {
    const proposal = proposeFor(spec, ctx, hpa.metadata.namespace);
    if (isFailure(proposal)) {
      sync.warn(proposal.reason, proposal.message);
      firstFailure ??= proposal;
      failures++;
      return { type: '' };
    }
    if (proposal.replicas > replicas) [replicas, name] = [proposal.replicas, proposal.name];
    return proposal.status;
  });
  if (firstFailure && (failures >= specs.length || replicas < currentReplicas)) {
    sync.set('ScalingActive', 'False', firstFailure.reason, `the HPA was unable to compute the replica count: ${firstFailure.message}`);
    return { replicas: -1, name, statuses, failed: `invalid metrics (${failures} invalid out of ${specs.length}), first error is: ${firstFailure.error}` };
  }
  sync.set('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${name}`);
  return { replicas, name, statuses };
}

export function reconcileHpa(world: HpaWorld): HpaDecision {
  const { hpa, history, now } = world;
  const sync = new Sync(world);
  const scale = world.scale;
  if ('error' in scale) {
    sync.warn('FailedGetScale', scale.error);
    sync.set('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${scale.error}`);
    return { status: sync.status({}), events: sync.events };
  }
  sync.set('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
  const key = hpa.metadata.uid;
  const current = scale.replicas;
  history.start(key, current, now);
  const min = hpa.spec.minReplicas ?? 1;
  const max = hpa.spec.maxReplicas;
  let desired = 0;
  let reason = '';
  let statuses: any[] | undefined;
  let rescale = true;
  let written: (() => void) | undefined;
  if (current === 0 && min !== 0) {
    rescale = false;
    sync.set('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
  } else if (current > max) {
    [desired, reason] = [max, 'Current number of replicas above Spec.MaxReplicas'];
  } else if (current < min) {
    [desired, reason] = [min, 'Current number of replicas below Spec.MinReplicas'];
  } else {
    if (!scale.selector || (Object.keys(scale.selector.matchLabels ?? {}).length === 0 && (scale.selector.matchExpressions ?? []).length === 0)) {
      sync.warn('SelectorRequired', 'selector is required');
      sync.set('ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector");
      return { status: sync.status({ currentReplicas: current }), events: sync.events };
    }
    const outcome = computeReplicasForMetrics(sync, current, world.pods);
    statuses = outcome.statuses;
    if (outcome.failed) {
      sync.warn('FailedComputeMetricsReplicas', outcome.failed);
      return { status: sync.status({ currentReplicas: current, currentMetrics: statuses }), events: sync.events };
    }
    desired = outcome.replicas;
    if (desired > current) reason = `${outcome.name} above target`;
    if (desired < current) reason = 'All metrics below target';
    const input = { key, behavior: hpa.spec.behavior, currentReplicas: current, desiredReplicas: desired, minReplicas: min, maxReplicas: max, now };
    const normalized = history.normalize(input);
    for (const c of normalized.conditions) sync.set(c.type, c.status, c.reason, c.message);
    desired = normalized.replicas;
    rescale = desired !== current;
    written = () => history.recordScale(input, normalized.replicas);
  }
  if (!rescale) return { status: sync.status({ currentReplicas: current, desiredReplicas: current, currentMetrics: statuses }), events: sync.events };
  sync.set('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
  sync.events.push({ type: 'Normal', reason: 'SuccessfulRescale', message: `New size: ${desired}; reason: ${reason}` });
  return { status: sync.status({ currentReplicas: current, desiredReplicas: desired, currentMetrics: statuses, lastScaleTime: rfc3339(now) }), scaleTo: desired, events: sync.events, written };
}
