import { labelSelector } from './common';
import { describedUnder, descriptionKey, type FieldDescriptions } from './field-descriptions';
import { podSpecFields } from './pod';

// ---------------------------------------------------------------------------------------------------------------------
// Shared structures, by path from where each kind holds them (put in place with describedUnder).
// ---------------------------------------------------------------------------------------------------------------------

const observedGeneration = 'The `metadata.generation` the controller last acted on. While it is lower, the rest of the status does not yet reflect the latest spec.';

/** The parts of a status condition every kind has, by path from `conditions`; `type` and `reason` are the kind's. */
function conditionFields(o: { list: string; type: string; reason: string; message?: string; extra?: FieldDescriptions }): FieldDescriptions {
  return {
    '': o.list,
    type: o.type,
    status: '`True`, `False` or `Unknown`: whether the condition holds.',
    reason: o.reason,
    message: o.message ?? 'A sentence for people saying what happened, with the details (`kubectl describe` shows it).',
    lastTransitionTime: 'When `status` last changed (RFC 3339, UTC).',
    ...o.extra,
  };
}

/** The generic condition's fields a kind's controller leaves unset (the shared condition schema has them). */
function unsetConditionFields(whose: string): FieldDescriptions {
  return {
    lastHeartbeatTime: `When a condition was last confirmed; not set on ${whose} conditions.`,
    observedGeneration: `The generation a condition was computed for; not set on ${whose} conditions.`,
    severity: `A condition's severity, as some other APIs use it; not set on ${whose} conditions.`,
  };
}

/** Conditions a controller never writes: the list stays empty; the fields are the generic ones. */
function emptyConditionFields(kind: string): FieldDescriptions {
  return conditionFields({
    list: `Not written by OpenPacific's ${kind} controller, so it stays empty; \`status\`'s counts and \`kubectl rollout status\` tell the progress.`,
    type: 'The condition type, in CamelCase.',
    reason: 'A CamelCase word saying why the condition last changed.',
    extra: { lastUpdateTime: 'When the condition was last written.' },
  });
}

/**
 * An embedded object's metadata (a pod template's, a Job template's, a claim template's), by path from `metadata`:
 * our controllers copy only labels and annotations to what they make; `made` names it (`pod`, `Job`, `claim`).
 */
function templateMetadataFields(o: { made: string; name: string; labels: string; annotations: string; ownerReferences: string }): FieldDescriptions {
  const unused = 'Not used in a template (see `ownerReferences`).';
  return {
    name: o.name,
    generateName: `Not used: the controller names each ${o.made} itself.`,
    namespace: `Not used: each ${o.made} is made in its owner's namespace.`,
    uid: `Not used: each ${o.made} gets a uid of its own.`,
    resourceVersion: 'Not used in a template: only stored objects have versions.',
    generation: 'Not used in a template: only stored objects count generations.',
    creationTimestamp: `Not used in a template (tools often write it as \`null\`); each ${o.made} records its own.`,
    deletionTimestamp: 'Not used in a template: it only means something on a stored object.',
    deletionGracePeriodSeconds: 'Not used in a template: it only means something on a stored object.',
    labels: o.labels,
    annotations: o.annotations,
    ownerReferences: o.ownerReferences,
    'ownerReferences.apiVersion': unused,
    'ownerReferences.kind': unused,
    'ownerReferences.name': unused,
    'ownerReferences.uid': unused,
    'ownerReferences.controller': unused,
    'ownerReferences.blockOwnerDeletion': unused,
    finalizers: `Not copied: the ${o.made}s made from the template carry only the finalizers the system adds.`,
    managedFields: 'Not used in a template: field managers are recorded on whole stored objects.',
    selfLink: 'Not used.',
  };
}

/** A pod template's wrapper (`spec.template`, its metadata, `spec.template.spec`), by path from the template; the pod spec's fields are pod.ts's. */
function podTemplateFields(o: { owner: string; template: string; labels: string; annotations?: string; spec: string }): FieldDescriptions {
  return {
    '': o.template,
    metadata: `Labels and annotations of each pod the ${o.owner} makes; its other fields are not used.`,
    ...describedUnder(
      'metadata',
      templateMetadataFields({
        made: 'pod',
        name: `Not used: the ${o.owner} names its pods itself.`,
        labels: o.labels,
        annotations: o.annotations ?? `Annotations copied to each pod the ${o.owner} makes.`,
        ownerReferences: `Not copied: each pod gets a controller reference to its ${o.owner} instead.`,
      }),
    ),
    spec: o.spec,
  };
}

/** A pod template with its pod spec, at `prefix` (`spec.template`). */
function podTemplate(prefix: string, o: Parameters<typeof podTemplateFields>[0]): FieldDescriptions {
  return { ...describedUnder(`${prefix}.spec`, podSpecFields), ...describedUnder(prefix, podTemplateFields(o)) };
}

/** `maxSurge` and `maxUnavailable` of a Deployment's or DaemonSet's rolling update, by path from `rollingUpdate`. */
function rollingUpdateFields(o: { surge: string; unavailable: string }): FieldDescriptions {
  const form = 'A number, or a percent (`"25%"`) of';
  return {
    '': 'The limits of a rolling update: how far above and below the desired count it may go. Only allowed with type `RollingUpdate`.',
    maxSurge: `${form} ${o.surge}`,
    maxUnavailable: `${form} ${o.unavailable}`,
  };
}

/** The Job spec, by path from it: a Job's `spec` and a CronJob's `spec.jobTemplate.spec`. */
const jobSpecFields: FieldDescriptions = {
  '': 'The work to do: the pod template, how many pods must succeed, how many may run at once, and when to give up.',
  parallelism:
    'How many pods may run at once; default 1. The controller never runs more than the completions still needed; 0 runs none.',
  completions:
    'How many pods must succeed for the Job to be complete. Left out with `parallelism` set, the Job is a work queue: complete once any pod has succeeded and none still runs. With neither set, both are 1.',
  activeDeadlineSeconds:
    'Seconds from `status.startTime` after which the Job fails with reason `DeadlineExceeded`, its running pods stopped, however far it got. Unset: no deadline.',
  backoffLimit:
    'How many pod failures are allowed before the Job fails with `BackoffLimitExceeded`; default 6 (2147483647 with `backoffLimitPerIndex`). Under `restartPolicy: OnFailure`, container restarts count too.',
  ...describedUnder(
    'selector',
    labelSelector(
      "Which pods belong to the Job. Leave it out: the server selects on the Job's uid (`batch.kubernetes.io/controller-uid`) and labels the template to match. One of your own needs `manualSelector: true`; it cannot change.",
    ),
  ),
  manualSelector:
    'True to use a `selector` of your own instead of the generated one; you must then keep it from matching other pods. Default false.',
  ...podTemplate('template', {
    owner: 'Job',
    template:
      'The pod template the Job makes its pods from (`<job>-<5 characters>`, or `<job>-<index>-<5 characters>` when Indexed). Required; it cannot be changed once the Job exists.',
    labels:
      'Labels of each pod; they must match the selector. Without `manualSelector`, the server adds `batch.kubernetes.io/controller-uid`, `batch.kubernetes.io/job-name` and their older names `controller-uid` and `job-name`.',
    spec: 'The spec of each pod the Job makes. `restartPolicy` must be `OnFailure` or `Never` (`Never` with a `podFailurePolicy`).',
  }),
  ttlSecondsAfterFinished:
    'Seconds after the Job completes or fails before it is deleted, its pods with it. Unset: the Job stays until deleted; 0: it goes as soon as it finishes.',
  completionMode:
    '`NonIndexed` (default): any `completions` successful pods complete the Job. `Indexed`: each pod gets an index from 0 to `completions`-1 (in a label, an annotation, `JOB_COMPLETION_INDEX` and the host name `<job>-<index>`) and every index must succeed; needs `completions`, and cannot change.',
  suspend:
    'True stops the running pods and starts none, with a `Suspended` condition; false (default) starts or resumes the Job. `status.startTime`, and so `activeDeadlineSeconds`, starts again on resume.',
  podReplacementPolicy:
    'When a replacement for a pod may start: `TerminatingOrFailed` as soon as the pod is being deleted, `Failed` only once it has ended. Default `Failed` with a `podFailurePolicy`, `TerminatingOrFailed` otherwise.',
  podFailurePolicy:
    'Rules that decide, before `backoffLimit` counts it, what a failed pod means: fail the Job or the index, ignore the failure, or count it. Needs `restartPolicy: Never`; cannot change once the Job exists.',
  'podFailurePolicy.rules':
    'Up to 20 rules, tried in order for each failed pod; the first that matches decides. A failure no rule matches is counted as usual.',
  'podFailurePolicy.rules.action':
    '`FailJob` (the Job fails at once, reason `PodFailurePolicy`, its pods stopped), `FailIndex` (that index fails; needs `backoffLimitPerIndex`), `Ignore` (not counted; the pod is replaced) or `Count` (counted as usual). Required.',
  'podFailurePolicy.rules.onExitCodes': "Matches a pod by its terminated containers' exit codes. A rule has this or `onPodConditions`, not both.",
  'podFailurePolicy.rules.onExitCodes.containerName':
    "Only this container's exit code is looked at; it must be a container or init container of the template. Unset: every container.",
  'podFailurePolicy.rules.onExitCodes.operator':
    "`In`: matches when a container's non-zero exit code is one of `values`; `NotIn`: when it is none of them. Required.",
  'podFailurePolicy.rules.onExitCodes.values': 'The exit codes, in increasing order without repeats, at most 255 of them; 0 is refused with `In`.',
  'podFailurePolicy.rules.onPodConditions':
    'Matches a pod by its conditions, such as `DisruptionTarget` (the pod was evicted or preempted); one matching pattern is enough.',
  'podFailurePolicy.rules.onPodConditions.type': 'The pod condition type to look for (`DisruptionTarget`).',
  'podFailurePolicy.rules.onPodConditions.status': 'The status that condition must have: `True` (the default), `False` or `Unknown`.',
  successPolicy:
    'When an Indexed Job has succeeded before every index has: the first rule met gives `SuccessCriteriaMet` (reason `SuccessPolicy`), the remaining pods are stopped, then `Complete`. Cannot change once the Job exists.',
  'successPolicy.rules': 'Rules tried in order; each needs `succeededIndexes`, `succeededCount` or both.',
  'successPolicy.rules.succeededIndexes':
    'Indexes that must all succeed, as numbers and ranges (`0-2,4`) below `completions`. With `succeededCount`, that many of them are enough.',
  'successPolicy.rules.succeededCount':
    'How many indexes must succeed: of `succeededIndexes` when given, else any. At most `completions`.',
  backoffLimitPerIndex:
    'Failures allowed for each index of an Indexed Job. An index past it is failed and not retried (`status.failedIndexes`); the Job then fails once every index has succeeded or failed. Cannot change once the Job exists.',
  maxFailedIndexes:
    'With `backoffLimitPerIndex`: how many indexes may fail before the Job fails at once with `MaxFailedIndexesExceeded`. At most `completions`.',
  managedBy:
    "Which controller runs the Job. Unset or `kubernetes.io/job-controller`: OpenPacific's; any other value (a domain-prefixed path, at most 63 characters) leaves the Job to that controller. Cannot change.",
};

/** A HorizontalPodAutoscaler's metric identifier (`name`, `selector`), by path from `metric`. */
const metricIdentifierFields: FieldDescriptions = {
  '': 'Which metric: its name and, optionally, a selector of its series.',
  name: 'The name of the metric, as the metrics API serving it knows it.',
  ...describedUnder('selector', labelSelector('Labels narrowing which series of the metric are read; unset, the name alone decides.')),
};

/** A metric's target value (spec) by path from `target`. */
const metricTargetFields: FieldDescriptions = {
  '': 'The value the autoscaler steers the metric towards.',
  type: '`Utilization` (a percent of the pods\' requests; `Resource` and `ContainerResource` only), `AverageValue` (per pod) or `Value` (the metric as a whole; `Object` and `External` only).',
  value: 'The target for the metric as a whole, a quantity (`10k`); with type `Value`.',
  averageValue: 'The target per pod, a quantity (`500m` of CPU, `200Mi` of memory); with type `AverageValue`.',
  averageUtilization: "The target average use, as a percent of the pods' requests (`50`); with type `Utilization`. Must be above 0.",
};

/** A metric's measured value (status) by path from `current`. */
const metricValueFields: FieldDescriptions = {
  '': 'The value measured at the last sync, in the form of the target.',
  value: 'The metric as a whole, a quantity.',
  averageValue: 'The average per pod, a quantity (`73m`, `128Mi`).',
  averageUtilization: "The average use as a percent of the pods' requests.",
};

/** The metric sources of `spec.metrics` (`target`) or `status.currentMetrics` (`current`), by path from the list. */
function metricSources(key: 'target' | 'current', values: FieldDescriptions): FieldDescriptions {
  const unserved = 'OpenPacific serves no custom or external metrics API, so such a metric reports `ScalingActive` False and never scales.';
  return {
    type: `\`Resource\`, \`ContainerResource\`, \`Pods\`, \`Object\` or \`External\`: which of the fields beside it holds the metric.`,
    object: `A metric of one object in the namespace (an Ingress's requests per second). ${unserved}`,
    'object.describedObject': 'The object the metric describes.',
    'object.describedObject.apiVersion': "The object's group and version (`networking.k8s.io/v1`).",
    'object.describedObject.kind': "The object's kind.",
    'object.describedObject.name': "The object's name.",
    ...describedUnder('object.metric', metricIdentifierFields),
    ...describedUnder(`object.${key}`, values),
    pods: `A metric of each pod of the target (requests per second), averaged over them. ${unserved}`,
    ...describedUnder('pods.metric', metricIdentifierFields),
    ...describedUnder(`pods.${key}`, values),
    resource: "A resource use of the target's pods, summed over their containers, from the hosts' samples.",
    'resource.name': 'The resource: `cpu` or `memory`.',
    ...describedUnder(`resource.${key}`, values),
    containerResource: "A resource use of one container of each of the target's pods, rather than of the whole pod.",
    'containerResource.name': 'The resource: `cpu` or `memory`.',
    'containerResource.container': "The container's name in the target's pods.",
    ...describedUnder(`containerResource.${key}`, values),
    external: `A metric from outside the cluster (a queue's length). ${unserved}`,
    ...describedUnder('external.metric', metricIdentifierFields),
    ...describedUnder(`external.${key}`, values),
  };
}

/** `behavior.scaleUp` / `behavior.scaleDown`, by path from the rules. */
function scalingRulesFields(direction: 'up' | 'down', defaults: string): FieldDescriptions {
  const keeps = direction === 'up' ? 'lowest' : 'highest';
  return {
    '': `How the autoscaler scales ${direction}. ${defaults}`,
    stabilizationWindowSeconds: `Seconds of past recommendations looked at: a scale-${direction} goes only as far as the ${keeps} of them, so a brief swing is ignored. 0 to 3600.`,
    selectPolicy: `Which policy applies: \`Max\` (default) the one allowing the largest change, \`Min\` the smallest; \`Disabled\` stops scaling ${direction}.`,
    policies: 'Limits on how much the replicas may change within a period; `selectPolicy` picks between them.',
    'policies.type': '`Pods` (a number of pods) or `Percent` (a percent of the current replicas).',
    'policies.value': 'How many pods, or what percent, the change may be; above 0.',
    'policies.periodSeconds': 'The period, in seconds (1 to 1800), whose changes count against the limit.',
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The kinds.
// ---------------------------------------------------------------------------------------------------------------------

const deployment: FieldDescriptions = {
  '':
    'Keeps `replicas` copies of a pod running through ReplicaSets, one per version of the pod template, and rolls the pods over to a new template under `strategy`. Old ReplicaSets are kept at 0 for `kubectl rollout undo`.',
  ...describedUnder('spec', {
    '': 'The desired state: the pod template, how many pods, and how a change of template rolls out.',
    replicas: 'How many pods to run; default 1. `kubectl scale` and a HorizontalPodAutoscaler change it through the `scale` subresource.',
    ...describedUnder(
      'selector',
      labelSelector(
        'Which pods (and ReplicaSets) the Deployment manages, by label. Required and non-empty; it must match `spec.template.metadata.labels` and cannot change after creation.',
      ),
    ),
    strategy: 'How pods of an old template are replaced. Default `RollingUpdate` with 25% surge and 25% unavailable.',
    'strategy.type':
      '`RollingUpdate` (default): the new ReplicaSet grows while old ones shrink, within `maxSurge` and `maxUnavailable`. `Recreate`: every old pod is stopped before any new one is made.',
    ...describedUnder(
      'strategy.rollingUpdate',
      rollingUpdateFields({
        surge: '`replicas` (rounded up): how many pods may exist above `replicas` during a rollout. Default 25%; not 0 together with `maxUnavailable`.',
        unavailable: '`replicas` (rounded down): how many of `replicas` may be unavailable during a rollout. Default 25%; not 0 together with `maxSurge`.',
      }),
    ),
    minReadySeconds: 'Seconds a new pod must stay Ready before it counts as available; default 0 (as soon as it is Ready).',
    revisionHistoryLimit:
      'How many old ReplicaSets (at 0 replicas, their pods gone) to keep for `kubectl rollout undo`; default 10. The lowest revisions beyond it are deleted.',
    paused:
      'While true, a changed template does not roll out (a change of `replicas` still applies); `kubectl rollout pause` and `resume` set it. Default false.',
    progressDeadlineSeconds:
      'Seconds a rollout may go without progress before its `Progressing` condition turns False with reason `ProgressDeadlineExceeded`; default 600. The rollout is not stopped: it goes on if it can.',
    ...podTemplate('template', {
      owner: 'Deployment',
      template:
        'The pod template. Any change to it rolls out a new ReplicaSet under `strategy`; `kubectl rollout restart` changes an annotation to do so.',
      labels:
        'Labels of each pod; they must match `spec.selector`. The Deployment adds `pod-template-hash` to each ReplicaSet\'s copy, so pods of two templates never mix.',
      annotations:
        'Annotations copied to each pod. A change is a template change and rolls out (`kubectl rollout restart` sets `kubectl.kubernetes.io/restartedAt`).',
      spec: 'The spec of each pod: containers, volumes, scheduling. `restartPolicy` must be `Always`.',
    }),
  }),
  status: 'What the controller last observed: pod counts over all of its ReplicaSets and the `Available` and `Progressing` conditions.',
  'status.observedGeneration': observedGeneration,
  'status.replicas': 'Pods of all of its ReplicaSets that are not being deleted.',
  'status.updatedReplicas': 'Pods made from the current template (the newest ReplicaSet).',
  'status.readyReplicas': 'Pods of its ReplicaSets with the Ready condition.',
  'status.availableReplicas': 'Pods that have been Ready for at least `minReadySeconds`.',
  'status.unavailableReplicas': 'How many more available pods `replicas` asks for: pods not yet available or not yet made. At least 0.',
  'status.terminatingReplicas': "Pods being deleted. Not reported by OpenPacific's controller: left unset.",
  'status.collisionCount': "Counts pod template hash collisions, to name a new ReplicaSet when its name is taken. Not kept by OpenPacific's controller yet: left unset.",
  ...describedUnder(
    'status.conditions',
    conditionFields({
      list: 'The state of the rollout, which `kubectl rollout status` and `kubectl describe` read: `Available`, `Progressing` and, while a ReplicaSet cannot create pods, `ReplicaFailure`.',
      type: '`Available` (at least `replicas` minus `maxUnavailable` pods are available), `Progressing` (the rollout advances or is done) or `ReplicaFailure` (a ReplicaSet cannot create its pods).',
      reason:
        'Why, in CamelCase: `MinimumReplicasAvailable`, `MinimumReplicasUnavailable`, `ReplicaSetUpdated`, `NewReplicaSetAvailable`, `ProgressDeadlineExceeded` or `FailedCreate`.',
      extra: { lastUpdateTime: 'When the condition was last written with news; for `Progressing`, the last progress, from which `progressDeadlineSeconds` counts.' },
    }),
  ),
};

const replicaSet: FieldDescriptions = {
  '':
    'Keeps a number of identical pods running, replacing those deleted, failed or evicted. Usually made and sized by a Deployment (named `<deployment>-<pod-template-hash>`) rather than by hand.',
  ...describedUnder('spec', {
    '': 'The desired state: how many pods, which pods are its own, and the template new pods are made from.',
    replicas: 'How many pods to keep; default 1. Scaling down deletes unscheduled, pending and not-Ready pods before Ready ones.',
    minReadySeconds: 'Seconds a new pod must stay Ready before it counts as available; default 0.',
    ...describedUnder(
      'selector',
      labelSelector(
        'Which pods are its own, by label: it adopts matching pods no controller holds and releases its pods that stop matching. Required and non-empty; it must match the template\'s labels and cannot change.',
      ),
    ),
    ...podTemplate('template', {
      owner: 'ReplicaSet',
      template: 'The pod template new pods are made from. A change does not touch running pods: only pods made afterwards follow it.',
      labels: 'Labels of each pod; they must match `spec.selector`.',
      spec: 'The spec of each pod: containers, volumes, scheduling. `restartPolicy` must be `Always`.',
    }),
  }),
  status: 'What the controller last observed of its pods.',
  'status.replicas': 'Active pods it owns (not Succeeded, Failed or being deleted).',
  'status.fullyLabeledReplicas': "Its pods whose labels include every label of the template, not only the selector's.",
  'status.readyReplicas': 'Its pods with the Ready condition.',
  'status.availableReplicas': 'Its pods that have been Ready for at least `minReadySeconds`.',
  'status.observedGeneration': observedGeneration,
  'status.terminatingReplicas': "Its pods being deleted. Not reported by OpenPacific's controller: left unset.",
  ...describedUnder(
    'status.conditions',
    conditionFields({
      list: "`ReplicaFailure` True while pods cannot be created (a quota, Pod Security...): it keeps the first refusal's message and goes once a sync creates what it needs.",
      type: '`ReplicaFailure`.',
      reason: '`FailedCreate`: a pod create was refused.',
      extra: { lastUpdateTime: 'Not set on ReplicaSet conditions.' },
    }),
  ),
};

const replicationController: FieldDescriptions = {
  '':
    "Keeps a number of identical pods running, as a ReplicaSet does but with a plain label map for selector: the ReplicaSet's predecessor, served for older manifests. The same controller runs both.",
  ...describedUnder('spec', {
    '': 'The desired state: how many pods, which pods are its own, and the template new pods are made from.',
    replicas: 'How many pods to keep; default 1. `kubectl scale` and a HorizontalPodAutoscaler change it through the `scale` subresource.',
    minReadySeconds: 'Seconds a new pod must stay Ready before it counts as available; default 0.',
    selector:
      "A label map (not a label selector): pods whose labels contain every pair are its own. Empty, it takes the template's labels; unlike the apps/v1 kinds' selectors, it may change.",
    ...podTemplate('template', {
      owner: 'ReplicationController',
      template: 'The pod template new pods are made from; required. A change does not touch running pods: only pods made afterwards follow it.',
      labels:
        "Labels of each pod; they must match `spec.selector`, and stand in for the selector and the controller's own labels when those are empty.",
      spec: 'The spec of each pod: containers, volumes, scheduling. `restartPolicy` must be `Always`, and `activeDeadlineSeconds` is refused.',
    }),
  }),
  status: 'What the controller last observed of its pods.',
  'status.replicas': 'Active pods it owns (not Succeeded, Failed or being deleted).',
  'status.fullyLabeledReplicas': "Its pods whose labels include every label of the template, not only the selector's.",
  'status.readyReplicas': 'Its pods with the Ready condition. Never more than `replicas`.',
  'status.availableReplicas': 'Its pods that have been Ready for at least `minReadySeconds`. Never more than `readyReplicas`.',
  'status.observedGeneration': observedGeneration,
  ...describedUnder(
    'status.conditions',
    conditionFields({
      list: "`ReplicaFailure` True while pods cannot be created (a quota, Pod Security...): it keeps the first refusal's message and goes once a sync creates what it needs.",
      type: '`ReplicaFailure`.',
      reason: '`FailedCreate`: a pod create was refused.',
    }),
  ),
};

const daemonSet: FieldDescriptions = {
  '':
    "Runs one copy of a pod on every host that may run it (matching the template's node selector and required node affinity, its taints tolerated), adding and removing pods as hosts come, go or change.",
  ...describedUnder('spec', {
    '': 'The desired state: the pod template, which pods are its own, and how a change of template rolls out.',
    ...describedUnder(
      'selector',
      labelSelector("Which pods are its own, by label. Required; it must match the template's labels and cannot change after creation."),
    ),
    updateStrategy: 'How pods are replaced when the template changes. Default `RollingUpdate` with `maxUnavailable` 1 and `maxSurge` 0.',
    'updateStrategy.type':
      '`RollingUpdate` (default): old pods are replaced host by host within `maxUnavailable` and `maxSurge`. `OnDelete`: a host gets the new template only once its old pod is deleted.',
    ...describedUnder(
      'updateStrategy.rollingUpdate',
      rollingUpdateFields({
        surge:
          'the hosts that should run the daemon (rounded up): on how many hosts a new pod may start beside the old one, which goes once the new one is available. Default 0.',
        unavailable:
          'the hosts that should run the daemon (rounded up): how many may be without an available pod during the update. Default 1; not 0 together with `maxSurge`.',
      }),
    ),
    minReadySeconds: 'Seconds a new pod must stay Ready before it counts as available; default 0.',
    revisionHistoryLimit:
      'How many old ControllerRevisions (templates no pod uses) to keep for `kubectl rollout undo`; default 10. The oldest beyond it are deleted.',
    ...podTemplate('template', {
      owner: 'DaemonSet',
      template:
        "The pod template: its `nodeSelector`, node affinity and tolerations decide which hosts get a pod. A change rolls out under `updateStrategy`.",
      labels: 'Labels of each pod; they must match `spec.selector`. Pods also get `controller-revision-hash` and `pod-template-generation`.',
      spec: 'The spec of each daemon pod; the controller pins each to its host and adds tolerations for not-ready, unreachable and cordoned hosts. `restartPolicy` must be `Always`.',
    }),
  }),
  status: 'What the controller last observed, counted in hosts.',
  'status.currentNumberScheduled': 'Hosts that should run the daemon pod and run at least one.',
  'status.numberMisscheduled': 'Hosts running a daemon pod that should not (the host stopped matching); the controller deletes those pods.',
  'status.desiredNumberScheduled': 'Hosts that should run the daemon pod.',
  'status.numberReady': 'Hosts whose daemon pod is Ready.',
  'status.observedGeneration': observedGeneration,
  'status.updatedNumberScheduled': 'Hosts running a daemon pod of the current template.',
  'status.numberAvailable': 'Hosts whose daemon pod has been Ready for at least `minReadySeconds`.',
  'status.numberUnavailable': 'Hosts that should run the daemon pod but have none available.',
  'status.collisionCount': 'Counts template hash collisions, to name a new ControllerRevision when its name is taken. Not kept by OpenPacific\'s controller yet: left unset.',
  ...describedUnder('status.conditions', emptyConditionFields('DaemonSet')),
};

const claimTemplateStatus = 'Ignored in a template: each claim keeps its own.';

const statefulSet: FieldDescriptions = {
  '':
    'Runs pods with stable identities: members `<name>-0`, `<name>-1`... each with its own host name, DNS name (through `serviceName`) and claims (from `volumeClaimTemplates`), made, updated and removed in ordinal order.',
  ...describedUnder('spec', {
    '': 'The desired state: the members, their template and storage, and how changes roll out.',
    replicas: 'How many members; default 1. Scaling down removes the highest ordinals first and keeps their claims for the way back up.',
    ...describedUnder(
      'selector',
      labelSelector(
        "Which pods are members, by label; only pods named as members (`<name>-<ordinal>`) are adopted. Required; it must match the template's labels and cannot change.",
      ),
    ),
    volumeClaimTemplates:
      'Claims each member gets: per template, a PersistentVolumeClaim `<template>-<set>-<ordinal>` made before the member and mounted as the volume of the template\'s name. Cannot change after creation.',
    'volumeClaimTemplates.apiVersion': '`v1`, filled in when left out.',
    'volumeClaimTemplates.kind': '`PersistentVolumeClaim`, filled in when left out.',
    'volumeClaimTemplates.metadata': "The template's name, and the labels and annotations each claim gets; its other fields are not used.",
    ...describedUnder(
      'volumeClaimTemplates.metadata',
      templateMetadataFields({
        made: 'claim',
        name: 'The volume name containers mount the claim by (`volumeMounts.name`) and the first part of each claim\'s name. Required, unique among the templates.',
        labels: "Labels of each claim; the set's `selector.matchLabels` are added.",
        annotations: 'Annotations copied to each claim.',
        ownerReferences:
          'Not copied: a claim is owned by the set only with `persistentVolumeClaimRetentionPolicy.whenDeleted: Delete` (and by its member after a scale-down with `whenScaled: Delete`).',
      }),
    ),
    'volumeClaimTemplates.spec': "The spec of each claim, as a PersistentVolumeClaim's: access modes, size and class.",
    'volumeClaimTemplates.spec.accessModes':
      'How the volume may be mounted: `ReadWriteOnce`, `ReadOnlyMany`, `ReadWriteMany` or `ReadWriteOncePod`. At least one is required.',
    'volumeClaimTemplates.spec.selector':
      'A label selector (`matchLabels`, `matchExpressions`) limiting which existing PersistentVolumes a claim may bind to. Unset: any that fits.',
    'volumeClaimTemplates.spec.resources': 'The storage each claim asks for.',
    'volumeClaimTemplates.spec.resources.requests': 'The size each claim needs, as `storage: 1Gi`. Required and above zero.',
    'volumeClaimTemplates.spec.resources.limits': 'An upper bound on the storage (`storage`); the volume binder does not use it.',
    'volumeClaimTemplates.spec.volumeName':
      'A PersistentVolume to bind to by name instead of one the binder picks or makes. Since every member would ask for the same volume, it rarely belongs in a template.',
    'volumeClaimTemplates.spec.storageClassName':
      'The StorageClass of the claims. Left out: the default class (`vsan-default-storage-policy` as installed); `""`: no class, so only existing volumes without one.',
    'volumeClaimTemplates.spec.volumeMode': '`Filesystem` (default) or `Block`; a claim binds only to a volume of the same mode.',
    'volumeClaimTemplates.spec.dataSource':
      'What to fill each new volume from: a ready `VolumeSnapshot` (group `snapshot.storage.k8s.io`) or a Bound `PersistentVolumeClaim` of the namespace, copied.',
    'volumeClaimTemplates.spec.dataSource.apiGroup': "The source kind's API group; empty for the core group (`PersistentVolumeClaim`).",
    'volumeClaimTemplates.spec.dataSource.kind': "The source's kind (`VolumeSnapshot`, `PersistentVolumeClaim`). Required.",
    'volumeClaimTemplates.spec.dataSource.name': "The source's name. Required.",
    'volumeClaimTemplates.spec.dataSourceRef': 'The same source as `dataSource`, its newer form; given one, the server fills in the other.',
    'volumeClaimTemplates.spec.dataSourceRef.apiGroup': "The source kind's API group; empty for the core group.",
    'volumeClaimTemplates.spec.dataSourceRef.kind': "The source's kind. Required.",
    'volumeClaimTemplates.spec.dataSourceRef.name': "The source's name. Required.",
    'volumeClaimTemplates.spec.dataSourceRef.namespace': 'Dropped: sources in other namespaces are off, as by default in Kubernetes 1.32.',
    'volumeClaimTemplates.spec.volumeAttributesClassName': "The VolumeAttributesClass of the claims. Kept, but OpenPacific's volume binder does not act on it.",
    'volumeClaimTemplates.status': 'Not used in a template: each claim made from it reports its own status.',
    'volumeClaimTemplates.status.phase': `A claim's phase: \`Pending\`, \`Bound\` or \`Lost\`. ${claimTemplateStatus}`,
    'volumeClaimTemplates.status.accessModes': `The access modes of a bound claim's volume. ${claimTemplateStatus}`,
    'volumeClaimTemplates.status.capacity': `The size of a bound claim's volume. ${claimTemplateStatus}`,
    ...describedUnder('volumeClaimTemplates.status.conditions', {
      '': `A claim's conditions (a resize in progress). ${claimTemplateStatus}`,
      type: `The condition type. ${claimTemplateStatus}`,
      status: `\`True\`, \`False\` or \`Unknown\`. ${claimTemplateStatus}`,
      reason: `Why, in CamelCase. ${claimTemplateStatus}`,
      message: `A sentence for people. ${claimTemplateStatus}`,
      lastTransitionTime: `When the status last changed. ${claimTemplateStatus}`,
      lastHeartbeatTime: `When the condition was last confirmed. ${claimTemplateStatus}`,
      observedGeneration: `The generation the condition was computed for. ${claimTemplateStatus}`,
      severity: `Not used on claim conditions. ${claimTemplateStatus}`,
    }),
    'volumeClaimTemplates.status.allocatedResources': `The storage given to a claim during a resize. ${claimTemplateStatus}`,
    'volumeClaimTemplates.status.allocatedResourceStatuses': `The state of a claim's resize, per resource. ${claimTemplateStatus}`,
    serviceName:
      'The headless Service (one you create) that gives members DNS names: `<member>.<serviceName>.<namespace>.svc.cluster.local`, answered once a member is Ready (from its start if the Service has `publishNotReadyAddresses`).',
    podManagementPolicy:
      '`OrderedReady` (default): members are made one at a time, each once all lower ones are available, and removed highest first, one at a time. `Parallel`: all at once. Cannot change after creation.',
    updateStrategy: 'How members take a new template. Default `RollingUpdate` with `partition` 0.',
    'updateStrategy.type':
      '`RollingUpdate` (default): members of an old template are replaced from the highest ordinal down. `OnDelete`: a member takes the new template only when it is deleted.',
    'updateStrategy.rollingUpdate': 'The limits of a rolling update. Only allowed with type `RollingUpdate`.',
    'updateStrategy.rollingUpdate.partition':
      'Only members with an ordinal at or above it are updated; lower ones stay at (and are remade from) the old template. Default 0: all of them.',
    'updateStrategy.rollingUpdate.maxUnavailable':
      'How many members may be unavailable at once during the update: a number or a percent of `replicas` (rounded down, at least 1); unset, 1. OpenPacific honours it, as Kubernetes does only with its `MaxUnavailableStatefulSet` gate on.',
    revisionHistoryLimit:
      'How many old ControllerRevisions (templates no member uses) to keep for `kubectl rollout undo`; default 10. The oldest beyond it are deleted.',
    minReadySeconds: 'Seconds a member must stay Ready before it counts as available; default 0.',
    persistentVolumeClaimRetentionPolicy: "What happens to the members' claims when the set is deleted or scaled down. Default `Retain` for both.",
    'persistentVolumeClaimRetentionPolicy.whenDeleted':
      '`Retain` (default): the claims stay when the set is deleted. `Delete`: the set owns its claims, so the garbage collector deletes them with it.',
    'persistentVolumeClaimRetentionPolicy.whenScaled':
      "`Retain` (default): a removed member's claims stay for when the set grows again. `Delete`: they are deleted with the member.",
    ordinals: 'Where member numbering starts.',
    'ordinals.start': 'The first ordinal: members are numbered from it to `start + replicas - 1`. Default 0.',
    ...podTemplate('template', {
      owner: 'StatefulSet',
      template: 'The pod template of the members. A change rolls out under `updateStrategy`.',
      labels:
        'Labels of each member; they must match `spec.selector`. Members also get `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index` and `controller-revision-hash`.',
      spec: "The spec of each member; each claim template is added as a volume of the template's name. `restartPolicy` must be `Always`.",
    }),
  }),
  status: 'What the controller last observed of its members.',
  'status.observedGeneration': observedGeneration,
  'status.replicas': 'Members that exist, those being deleted included.',
  'status.readyReplicas': 'Members with the Ready condition.',
  'status.currentReplicas': 'Members made from `currentRevision`.',
  'status.updatedReplicas': 'Members made from `updateRevision`.',
  'status.currentRevision':
    'The ControllerRevision members were made from before the rollout in progress; it becomes `updateRevision` once every member is updated and Ready.',
  'status.updateRevision': 'The ControllerRevision of the current template, which members are being updated to.',
  'status.collisionCount': "Counts revision hash collisions, to name a new ControllerRevision when its name is taken. OpenPacific's controller always reports 0.",
  'status.availableReplicas': 'Members that have been Ready for at least `minReadySeconds`.',
  ...describedUnder('status.conditions', emptyConditionFields('StatefulSet')),
};

const controllerRevision: FieldDescriptions = {
  '':
    "One saved version of a DaemonSet's or StatefulSet's pod template, named `<owner>-<hash>` and owned by it. Written by their controllers: `kubectl rollout history` lists them and `kubectl rollout undo` puts one back.",
  data: 'The template as a strategic merge patch of the owner (`{"spec":{"template":{…,"$patch":"replace"}}}`), which `kubectl rollout undo` sends as it is.',
  revision: 'The revision number, higher for newer templates; going back to an older template renumbers it as the newest. Required.',
};

const job: FieldDescriptions = {
  '':
    "Runs pods until a number of them succeed, retrying failures up to a limit. Finished pods are kept for their logs until the Job is deleted (or its `ttlSecondsAfterFinished` passes).",
  ...describedUnder('spec', jobSpecFields),
  status: 'What the Job controller last observed: pod counts, start and end times, and conditions.',
  ...describedUnder(
    'status.conditions',
    conditionFields({
      list: 'The state of the Job: `Complete` or `Failed` at the end (after the interim `SuccessCriteriaMet` or `FailureTarget`), `Suspended` while suspended. `kubectl wait --for=condition=complete` reads them.',
      type: '`Complete`, `Failed`, `SuccessCriteriaMet`, `FailureTarget` or `Suspended`.',
      reason:
        'Why, in CamelCase: `CompletionsReached`, `SuccessPolicy`, `BackoffLimitExceeded`, `DeadlineExceeded`, `PodFailurePolicy`, `FailedIndexes`, `MaxFailedIndexesExceeded`, `JobSuspended`, `JobResumed`...',
      extra: { lastProbeTime: 'When the condition was last checked; the controller writes it with `lastTransitionTime`.', ...unsetConditionFields('Job') },
    }),
  ),
  'status.startTime':
    'When the controller started the Job (RFC 3339); cleared while it is suspended and set again on resume. `activeDeadlineSeconds` counts from it.',
  'status.completionTime': 'When the Job completed successfully; not set for a failed Job.',
  'status.active': 'Pods of the Job that are pending or running and not being deleted.',
  'status.succeeded': 'Pods counted as succeeded; left out while 0.',
  'status.failed': 'Pods counted as failed (failures a `podFailurePolicy` ignores are not); left out while 0.',
  'status.ready': 'Active pods with the Ready condition.',
  'status.terminating': 'Pods being deleted that have not ended yet.',
  'status.uncountedTerminatedPods':
    'Uids of finished pods seen but not yet added to `succeeded` or `failed`: the controller removes their `batch.kubernetes.io/job-tracking` finalizer in between, so no pod is counted twice or lost. `{}` between counts.',
  'status.uncountedTerminatedPods.succeeded': 'Uids of succeeded pods waiting to be counted.',
  'status.uncountedTerminatedPods.failed': 'Uids of failed pods waiting to be counted.',
  'status.completedIndexes': 'Indexed Job: the indexes that have succeeded, as numbers and ranges (`0-2,4`).',
  'status.failedIndexes': 'Indexed Job with `backoffLimitPerIndex`: the indexes that have failed, as numbers and ranges (`1,3-5`); `""` while none.',
};

const cronJob: FieldDescriptions = {
  '': 'Starts a Job from `jobTemplate` at each time of a cron `schedule`, and keeps the last few finished ones.',
  ...describedUnder('spec', {
    '': 'The schedule, the Job template, and what to do about overlapping and missed runs.',
    schedule:
      'When to start a Job: five cron fields (minute, hour, day of month, month, day of week), as `*/5 * * * *`, or `@hourly`, `@daily`/`@midnight`, `@weekly`, `@monthly`, `@yearly`/`@annually`. `TZ=` and `CRON_TZ=` are refused: use `timeZone`.',
    timeZone: 'The IANA time zone the schedule is read in (`Europe/Paris`); default UTC. An unknown zone is refused.',
    startingDeadlineSeconds:
      'How late, in seconds, a scheduled run may still start (after a suspension, or while `Forbid` held it back); later ones are skipped. Unset: the latest missed time starts however late.',
    concurrencyPolicy:
      '`Allow` (default): a Job starts even while another it started runs. `Forbid`: the time is skipped, and started late when the running Job ends if still within `startingDeadlineSeconds`. `Replace`: the running Jobs are deleted first.',
    suspend:
      'True stops new Jobs from starting (running ones go on); default false. On resume, the latest time missed meanwhile starts if within `startingDeadlineSeconds`.',
    jobTemplate:
      'The Job to start each time: named `<cronjob>-<minutes since the epoch>`, owned by the CronJob, with the template\'s labels and annotations and a Job\'s defaults.',
    'jobTemplate.metadata':
      'Labels and annotations of each Job (`batch.kubernetes.io/cronjob-scheduled-timestamp` is added); its other fields are not used.',
    ...describedUnder(
      'jobTemplate.metadata',
      templateMetadataFields({
        made: 'Job',
        name: 'Not used: each Job is named `<cronjob>-<minutes since the epoch>`.',
        labels: 'Labels copied to each Job.',
        annotations: 'Annotations copied to each Job, with `batch.kubernetes.io/cronjob-scheduled-timestamp` (the scheduled time, in `timeZone`) added.',
        ownerReferences: 'Not copied: each Job gets a controller reference to the CronJob instead.',
      }),
    ),
    ...describedUnder('jobTemplate.spec', jobSpecFields),
    'jobTemplate.spec': "The spec of each Job, as a Job's `spec`; a change applies to Jobs started afterwards.",
    successfulJobsHistoryLimit: 'How many succeeded Jobs to keep; older ones are deleted with their pods. Default 3.',
    failedJobsHistoryLimit: 'How many failed Jobs to keep; older ones are deleted with their pods. Default 1.',
  }),
  status: 'The Jobs the controller is running, and when it last started one and one last succeeded.',
  'status.active':
    'References to the running Jobs this CronJob started; `concurrencyPolicy` counts only these. A Job made by hand (`kubectl create job --from=cronjob/...`) is not listed.',
  'status.active.apiVersion': "The Job's API version, `batch/v1`.",
  'status.active.kind': 'The kind referred to, `Job`.',
  'status.active.name': "The Job's name.",
  'status.active.namespace': "The Job's namespace, the CronJob's.",
  'status.active.uid': "The Job's uid.",
  'status.active.resourceVersion': 'Not filled in by the controller.',
  'status.lastScheduleTime': 'The scheduled time of the latest Job the controller started (not when it actually started).',
  'status.lastSuccessfulTime': "When a Job of this CronJob last completed successfully (that Job's `completionTime`), whether scheduled or made by hand.",
};

const podDisruptionBudget: FieldDescriptions = {
  '':
    'Limits how many of a set of pods voluntary disruptions may take down at once: an eviction (`kubectl drain`) that would leave too few healthy pods is refused with 429. Deleting a pod directly is not limited.',
  ...describedUnder('spec', {
    '': 'The pods covered, and how many must stay healthy (`minAvailable`) or may be down (`maxUnavailable`): give one of the two.',
    minAvailable:
      'How many covered pods must stay healthy after an eviction: a number, or a percent (`"50%"`) of the pods their controllers want (rounded up). Not together with `maxUnavailable`.',
    maxUnavailable:
      'How many covered pods may be unhealthy after an eviction: a number, or a percent of the pods their controllers want (rounded up). Not together with `minAvailable`.',
    ...describedUnder(
      'selector',
      labelSelector(
        'The pods of its namespace the budget covers. An empty selector (`{}`) covers them all, none given covers none. A pod under two budgets cannot be evicted (409).',
      ),
    ),
    unhealthyPodEvictionPolicy:
      '`IfHealthyBudget` (the behaviour when unset): a running pod that is not Ready may be evicted only while the budget has its healthy pods. `AlwaysAllow`: such a pod may always be evicted.',
  }),
  status: 'The disruption controller\'s count, which evictions are checked against; while `observedGeneration` lags the spec, evictions are refused.',
  'status.observedGeneration': observedGeneration,
  'status.disruptedPods':
    'Pods evicted whose deletion has not shown yet, with the time of the eviction: they no longer count as healthy. An entry goes when the pod is gone, or after two minutes.',
  'status.disruptionsAllowed': 'How many covered pods may be evicted now: `currentHealthy` minus `desiredHealthy`, at least 0 (0 when no pods are expected).',
  'status.currentHealthy': 'Covered pods that are Ready, not being deleted and not just evicted.',
  'status.desiredHealthy': 'How many healthy pods the budget needs.',
  'status.expectedPods':
    "The pods the budget counts on: the replicas the covered pods' controllers want (a pod without one counts for itself), or, with an integer `minAvailable`, the covered pods.",
  ...describedUnder(
    'status.conditions',
    conditionFields({
      list: '`DisruptionAllowed`: True while an eviction may go, False otherwise.',
      type: '`DisruptionAllowed`.',
      reason: '`SufficientPods` (an eviction may go) or `InsufficientPods`.',
      message: 'Left empty by the controller.',
      extra: {
        lastHeartbeatTime: 'Not set on budget conditions.',
        observedGeneration: "The budget's `metadata.generation` the condition was computed for.",
        severity: 'Not used on budget conditions.',
      },
    }),
  ),
};

const horizontalPodAutoscaler: FieldDescriptions = {
  '':
    "Changes a workload's replicas to keep a metric (CPU or memory use against the pods' requests) near a target, between `minReplicas` and `maxReplicas`. Served as `autoscaling/v2` and `autoscaling/v1`, whose only metric is CPU.",
  ...describedUnder('spec', {
    '': 'The workload to scale, the bounds, and (v2) the metrics and scaling behaviour.',
    scaleTargetRef:
      'The workload to scale, in the same namespace: a Deployment, ReplicaSet, StatefulSet or ReplicationController. Other kinds are not scaled (`FailedGetScale`).',
    'scaleTargetRef.apiVersion': "The target's group and version (`apps/v1`).",
    'scaleTargetRef.kind': "The target's kind (`Deployment`). Required.",
    'scaleTargetRef.name': "The target's name. Required.",
    minReplicas: 'The fewest replicas to scale down to; default 1 (0 is refused).',
    maxReplicas: 'The most replicas to scale up to; at least 1 and at least `minReplicas`. Required.',
    metrics:
      '(v2) The metrics to follow; the largest replica count any of them asks for wins. None given: a CPU `Utilization` target of 80%.',
    ...describedUnder('metrics', metricSources('target', metricTargetFields)),
    behavior:
      '(v2) How fast to scale each way. Unset: a scale-down goes only to the highest recommendation of the last 5 minutes, a scale-up at most doubles (at least 4 pods). Given in part, the rest takes the defaults.',
    ...describedUnder('behavior.scaleUp', scalingRulesFields('up', 'Defaults: no stabilization window, and per 15 s at most 4 pods or 100%, whichever is more.')),
    ...describedUnder('behavior.scaleDown', scalingRulesFields('down', "Defaults: 100% per 15 s, and the controller's 300-second stabilization window.")),
    targetCPUUtilizationPercentage:
      "(v1) The target average CPU use, as a percent of the pods' CPU requests; unset, 80. v2 shows it as a `Resource` metric `cpu` with a `Utilization` target.",
  }),
  status: 'What the controller last measured and decided (every 15 s by default).',
  'status.observedGeneration': observedGeneration,
  'status.lastScaleTime': "When the controller last changed the target's replicas.",
  'status.currentReplicas': "The target's replicas when last read.",
  'status.desiredReplicas': 'The replicas the controller last decided on.',
  'status.currentMetrics': "(v2) Each metric's value at the last sync; v1 clients see them in an annotation.",
  ...describedUnder('status.currentMetrics', metricSources('current', metricValueFields)),
  'status.currentCPUUtilizationPercentage': "(v1) The pods' average CPU use at the last sync, as a percent of their CPU requests.",
  ...describedUnder(
    'status.conditions',
    conditionFields({
      list: '(v2) `AbleToScale` (the target can be read and scaled now), `ScalingActive` (a metric could be computed) and `ScalingLimited` (the bounds clamped the recommendation). v1 clients see them in an annotation.',
      type: '`AbleToScale`, `ScalingActive` or `ScalingLimited`.',
      reason:
        'Why, in CamelCase: `SucceededRescale`, `ReadyForNewScale`, `ScaleDownStabilized`, `FailedGetScale`, `ValidMetricFound`, `FailedGetResourceMetric`, `ScalingDisabled`, `TooFewReplicas`, `TooManyReplicas`, `DesiredWithinRange`...',
      extra: unsetConditionFields('HorizontalPodAutoscaler'),
    }),
  ),
};

/** Field descriptions by kind (descriptionKey). */
export const workloadsDescriptions: Record<string, FieldDescriptions> = {
  [descriptionKey('apps', 'Deployment')]: deployment,
  [descriptionKey('apps', 'ReplicaSet')]: replicaSet,
  [descriptionKey('apps', 'DaemonSet')]: daemonSet,
  [descriptionKey('apps', 'StatefulSet')]: statefulSet,
  [descriptionKey('apps', 'ControllerRevision')]: controllerRevision,
  [descriptionKey('batch', 'Job')]: job,
  [descriptionKey('batch', 'CronJob')]: cronJob,
  [descriptionKey('policy', 'PodDisruptionBudget')]: podDisruptionBudget,
  [descriptionKey('autoscaling', 'HorizontalPodAutoscaler')]: horizontalPodAutoscaler,
  [descriptionKey('', 'ReplicationController')]: replicationController,
};
