import type { FieldSpec, Message } from './protobuf-message';

/**
 * The protobuf messages of the kinds kubectl's typed generators post (`kubectl create configmap|secret|
 * serviceaccount|quota|role|rolebinding|clusterrole|clusterrolebinding|deployment|job|cronjob|service|namespace|token|poddisruptionbudget`, `kubectl autoscale`'s autoscaling/v1 HorizontalPodAutoscaler, `kubectl create priorityclass`, client-go leader election's coordination/v1 Leases, `kubectl certificate approve|deny`'s CertificateSigningRequests, `kubectl drain`'s evictions and `kubectl debug --copy-to`'s pods), as far as
 * those generators and the usual clients fill them. Field numbers are those of Kubernetes' generated.proto files
 * (core/v1, apps/v1, rbac/v1, authentication/v1, policy/v1, autoscaling/v1, coordination/v1, scheduling/v1, certificates/v1, meta/v1, intstr, resource). A field not described here that carries a value makes the
 * body refused (protobuf-message.ts); `ignore` marks fields the server sets, read past whatever they hold.
 */
const str = (json: string): FieldSpec => ({ json, type: 'string' });
const strs = (json: string): FieldSpec => ({ json, type: 'string', repeated: true });
const int = (json: string, keepZero = false): FieldSpec => ({ json, type: 'int', keepZero });
const bool = (json: string, keepZero = false): FieldSpec => ({ json, type: 'bool', keepZero });
const msg = (json: string, type: Message, opts: { repeated?: boolean; keepZero?: boolean } = {}): FieldSpec => ({ json, type, ...opts });
const mapOf = (json: string, type: 'string' | 'bytes' | 'quantity' = 'string'): FieldSpec => ({ json, type: { map: type } });
const ignore = (json: string): FieldSpec => ({ json, type: 'ignore' });

const ownerReference: Message = { 1: str('kind'), 3: str('name'), 4: str('uid'), 5: str('apiVersion'), 6: bool('controller', true), 7: bool('blockOwnerDeletion', true) };

const objectMeta: Message = {
  1: str('name'),
  2: str('generateName'),
  3: str('namespace'),
  4: ignore('selfLink'),
  5: ignore('uid'),
  6: str('resourceVersion'),
  7: ignore('generation'),
  8: ignore('creationTimestamp'),
  9: ignore('deletionTimestamp'),
  10: ignore('deletionGracePeriodSeconds'),
  11: mapOf('labels'),
  12: mapOf('annotations'),
  13: msg('ownerReferences', ownerReference, { repeated: true }),
  14: strs('finalizers'),
  17: ignore('managedFields'),
};

const labelSelector: Message = {
  1: mapOf('matchLabels'),
  2: msg('matchExpressions', { 1: str('key'), 2: str('operator'), 3: strs('values') }, { repeated: true }),
};

const localObjectReference: Message = { 1: str('name') };
const resources: Message = { 1: mapOf('limits', 'quantity'), 2: mapOf('requests', 'quantity') };

/** A LocalObjectReference embedded in Go: `name` in JSON. */
const namedRef: FieldSpec = { json: 'name', type: localObjectReference, inline: true };
const objectFieldSelector: Message = { 1: str('apiVersion'), 2: str('fieldPath') };
const resourceFieldSelector: Message = { 1: str('containerName'), 2: str('resource'), 3: { json: 'divisor', type: 'quantity' } };
const keySelector: Message = { 1: namedRef, 2: str('key'), 3: bool('optional', true) };
const keyToPath: Message = { 1: str('key'), 2: str('path'), 3: int('mode', true) };
const seccompProfile: Message = { 1: str('type'), 2: str('localhostProfile') };

const envVar: Message = {
  1: str('name'),
  2: str('value'),
  3: msg('valueFrom', { 1: msg('fieldRef', objectFieldSelector), 2: msg('resourceFieldRef', resourceFieldSelector), 3: msg('configMapKeyRef', keySelector), 4: msg('secretKeyRef', keySelector) }),
};

const envFromSource: Message = { 1: str('prefix'), 2: msg('configMapRef', { 1: namedRef, 2: bool('optional', true) }), 3: msg('secretRef', { 1: namedRef, 2: bool('optional', true) }) };

const securityContext: Message = {
  1: msg('capabilities', { 1: strs('add'), 2: strs('drop') }),
  2: bool('privileged', true),
  4: int('runAsUser', true),
  5: bool('runAsNonRoot', true),
  6: bool('readOnlyRootFilesystem', true),
  7: bool('allowPrivilegeEscalation', true),
  8: int('runAsGroup', true),
  11: msg('seccompProfile', seccompProfile),
};

const container: Message = {
  1: str('name'),
  2: str('image'),
  3: strs('command'),
  4: strs('args'),
  5: str('workingDir'),
  6: msg('ports', { 1: str('name'), 2: int('hostPort'), 3: int('containerPort'), 4: str('protocol'), 5: str('hostIP') }, { repeated: true }),
  7: msg('env', envVar, { repeated: true }),
  8: msg('resources', resources),
  9: msg('volumeMounts', { 1: str('name'), 2: bool('readOnly'), 3: str('mountPath'), 4: str('subPath'), 5: str('mountPropagation'), 6: str('subPathExpr') }, { repeated: true }),
  13: str('terminationMessagePath'),
  14: str('imagePullPolicy'),
  15: msg('securityContext', securityContext),
  16: bool('stdin'),
  17: bool('stdinOnce'),
  18: bool('tty'),
  19: msg('envFrom', envFromSource, { repeated: true }),
  20: str('terminationMessagePolicy'),
};

const downwardAPIFile: Message = { 1: str('path'), 2: msg('fieldRef', objectFieldSelector), 3: msg('resourceFieldRef', resourceFieldSelector), 4: int('mode', true) };

const volumeProjection: Message = {
  1: msg('secret', { 1: namedRef, 2: msg('items', keyToPath, { repeated: true }), 4: bool('optional', true) }),
  2: msg('downwardAPI', { 1: msg('items', downwardAPIFile, { repeated: true }) }),
  3: msg('configMap', { 1: namedRef, 2: msg('items', keyToPath, { repeated: true }), 4: bool('optional', true) }),
  4: msg('serviceAccountToken', { 1: str('audience'), 2: int('expirationSeconds', true), 3: str('path') }),
};

/** The volume sources pods of this API use (VolumeSource, embedded in Volume). */
const volumeSource: Message = {
  // kubectl debug node/…'s `host-root` volume; a type kubectl leaves unset is absent, not "".
  1: msg('hostPath', { 1: str('path'), 2: str('type') }, { keepZero: true }),
  2: msg('emptyDir', { 1: str('medium'), 2: { json: 'sizeLimit', type: 'quantity' } }, { keepZero: true }),
  6: msg('secret', { 1: str('secretName'), 2: msg('items', keyToPath, { repeated: true }), 3: int('defaultMode', true), 4: bool('optional', true) }),
  10: msg('persistentVolumeClaim', { 1: str('claimName'), 2: bool('readOnly') }),
  16: msg('downwardAPI', { 1: msg('items', downwardAPIFile, { repeated: true }), 2: int('defaultMode', true) }),
  19: msg('configMap', { 1: namedRef, 2: msg('items', keyToPath, { repeated: true }), 3: int('defaultMode', true), 4: bool('optional', true) }),
  26: msg('projected', { 1: msg('sources', volumeProjection, { repeated: true }), 2: int('defaultMode', true) }),
};

const podSecurityContext: Message = {
  2: int('runAsUser', true),
  3: bool('runAsNonRoot', true),
  4: { json: 'supplementalGroups', type: 'int', repeated: true },
  5: int('fsGroup', true),
  6: int('runAsGroup', true),
  9: str('fsGroupChangePolicy'),
  10: msg('seccompProfile', seccompProfile),
};

const toleration: Message = { 1: str('key'), 2: str('operator'), 3: str('value'), 4: str('effect'), 5: int('tolerationSeconds', true) };

const podSpec: Message = {
  1: msg('volumes', { 1: str('name'), 2: { json: 'volumeSource', type: volumeSource, inline: true } }, { repeated: true }),
  2: msg('containers', container, { repeated: true }),
  3: str('restartPolicy'),
  4: int('terminationGracePeriodSeconds', true),
  5: int('activeDeadlineSeconds', true),
  6: str('dnsPolicy'),
  7: mapOf('nodeSelector'),
  8: str('serviceAccountName'),
  9: str('serviceAccount'),
  10: str('nodeName'),
  11: bool('hostNetwork'),
  12: bool('hostPID'),
  13: bool('hostIPC'),
  14: msg('securityContext', podSecurityContext, { keepZero: true }),
  15: msg('imagePullSecrets', localObjectReference, { repeated: true }),
  16: str('hostname'),
  17: str('subdomain'),
  19: str('schedulerName'),
  20: msg('initContainers', container, { repeated: true }),
  21: bool('automountServiceAccountToken', true),
  22: msg('tolerations', toleration, { repeated: true }),
  24: str('priorityClassName'),
  25: int('priority', true),
  26: msg('dnsConfig', { 1: strs('nameservers'), 2: strs('searches'), 3: msg('options', { 1: str('name'), 2: str('value') }, { repeated: true }) }),
  27: bool('shareProcessNamespace', true),
  30: bool('enableServiceLinks', true),
  31: str('preemptionPolicy'),
};

const intOrString = (json: string): FieldSpec => ({ json, type: 'intOrString' });

const deploymentSpec: Message = {
  1: int('replicas', true),
  2: msg('selector', labelSelector),
  3: msg('template', { 1: msg('metadata', objectMeta), 2: msg('spec', podSpec) }),
  4: msg('strategy', { 1: str('type'), 2: msg('rollingUpdate', { 1: intOrString('maxUnavailable'), 2: intOrString('maxSurge') }) }),
  5: int('minReadySeconds'),
  6: int('revisionHistoryLimit', true),
  7: bool('paused'),
  9: int('progressDeadlineSeconds', true),
};

const jobSpec: Message = {
  1: int('parallelism', true),
  2: int('completions', true),
  3: int('activeDeadlineSeconds', true),
  4: msg('selector', labelSelector),
  5: bool('manualSelector', true),
  6: msg('template', { 1: msg('metadata', objectMeta), 2: msg('spec', podSpec) }),
  7: int('backoffLimit', true),
  8: int('ttlSecondsAfterFinished', true),
  9: str('completionMode'),
  10: bool('suspend', true),
  11: msg('podFailurePolicy', {
    1: msg('rules', {
      1: str('action'),
      2: msg('onExitCodes', { 1: str('containerName'), 2: str('operator'), 3: { json: 'values', type: 'int', repeated: true } }),
      3: msg('onPodConditions', { 1: str('type'), 2: str('status') }, { repeated: true }),
    }, { repeated: true }),
  }),
  12: int('backoffLimitPerIndex', true),
  13: int('maxFailedIndexes', true),
  14: str('podReplacementPolicy'),
  16: msg('successPolicy', { 1: msg('rules', { 1: str('succeededIndexes'), 2: int('succeededCount', true) }, { repeated: true }) }),
};

const servicePort: Message = { 1: str('name'), 2: str('protocol'), 3: int('port'), 4: intOrString('targetPort'), 5: int('nodePort'), 6: str('appProtocol') };

const serviceSpec: Message = {
  1: msg('ports', servicePort, { repeated: true }),
  2: mapOf('selector'),
  3: str('clusterIP'),
  4: str('type'),
  5: strs('externalIPs'),
  7: str('sessionAffinity'),
  8: str('loadBalancerIP'),
  9: strs('loadBalancerSourceRanges'),
  10: str('externalName'),
  11: str('externalTrafficPolicy'),
  12: int('healthCheckNodePort'),
  13: bool('publishNotReadyAddresses'),
  17: str('ipFamilyPolicy'),
  18: strs('clusterIPs'),
  19: strs('ipFamilies'),
  20: bool('allocateLoadBalancerNodePorts', true),
  21: str('loadBalancerClass'),
  22: str('internalTrafficPolicy'),
};

const policyRule: Message = { 1: strs('verbs'), 2: strs('apiGroups'), 3: strs('resources'), 4: strs('resourceNames'), 5: strs('nonResourceURLs') };
const binding: Message = {
  1: msg('metadata', objectMeta),
  2: msg('subjects', { 1: str('kind'), 2: str('apiGroup'), 3: str('name'), 4: str('namespace') }, { repeated: true }),
  3: msg('roleRef', { 1: str('apiGroup'), 2: str('kind'), 3: str('name') }),
};

const RBAC = 'rbac.authorization.k8s.io/v1';

/** The top-level message of each kind taken as protobuf, by `<apiVersion>/<kind>` as the envelope names it. */
export const PROTOBUF_MESSAGES: Record<string, Message> = {
  'v1/Namespace': { 1: msg('metadata', objectMeta), 2: msg('spec', { 1: strs('finalizers') }), 3: ignore('status') },
  'v1/ConfigMap': { 1: msg('metadata', objectMeta), 2: mapOf('data'), 3: mapOf('binaryData', 'bytes'), 4: bool('immutable', true) },
  'v1/Secret': { 1: msg('metadata', objectMeta), 2: mapOf('data', 'bytes'), 3: str('type'), 4: mapOf('stringData'), 5: bool('immutable', true) },
  'v1/ServiceAccount': {
    1: msg('metadata', objectMeta),
    2: msg('secrets', { 1: str('kind'), 2: str('namespace'), 3: str('name'), 4: str('uid'), 5: str('apiVersion'), 6: str('resourceVersion'), 7: str('fieldPath') }, { repeated: true }),
    3: msg('imagePullSecrets', localObjectReference, { repeated: true }),
    4: bool('automountServiceAccountToken', true),
  },
  'v1/ResourceQuota': {
    1: msg('metadata', objectMeta),
    2: msg('spec', {
      1: mapOf('hard', 'quantity'),
      2: strs('scopes'),
      3: msg('scopeSelector', { 1: msg('matchExpressions', { 1: str('scopeName'), 2: str('operator'), 3: strs('values') }, { repeated: true }) }),
    }),
    3: ignore('status'),
  },
  'v1/Service': { 1: msg('metadata', objectMeta), 2: msg('spec', serviceSpec), 3: ignore('status') },
  // What kubectl debug --copy-to posts: a copy of a pod's spec.
  'v1/Pod': { 1: msg('metadata', objectMeta), 2: msg('spec', podSpec), 3: ignore('status') },
  'authentication.k8s.io/v1/TokenRequest': {
    1: msg('metadata', objectMeta),
    2: msg('spec', { 1: strs('audiences'), 3: msg('boundObjectRef', { 1: str('kind'), 2: str('apiVersion'), 3: str('name'), 4: str('uid') }), 4: int('expirationSeconds') }),
    3: ignore('status'),
  },
  'policy/v1/PodDisruptionBudget': {
    1: msg('metadata', objectMeta),
    2: msg('spec', { 1: intOrString('minAvailable'), 2: msg('selector', labelSelector), 3: intOrString('maxUnavailable'), 4: str('unhealthyPodEvictionPolicy') }),
    3: ignore('status'),
  },
  'autoscaling/v1/HorizontalPodAutoscaler': {
    1: msg('metadata', objectMeta),
    2: msg('spec', { 1: msg('scaleTargetRef', { 1: str('kind'), 2: str('name'), 3: str('apiVersion') }), 2: int('minReplicas', true), 3: int('maxReplicas', true), 4: int('targetCPUUtilizationPercentage', true) }),
    3: ignore('status'),
  },
  // client-go's leaselock, in clients configured for protobuf (as Kubernetes' own components are).
  'coordination.k8s.io/v1/Lease': {
    1: msg('metadata', objectMeta),
    2: msg('spec', {
      1: str('holderIdentity'), 2: int('leaseDurationSeconds', true), 3: { json: 'acquireTime', type: 'microTime' }, 4: { json: 'renewTime', type: 'microTime' },
      5: int('leaseTransitions', true), 6: str('strategy'), 7: str('preferredHolder'),
    }),
  },
  // kubectl certificate approve|deny: the request read back, with its new condition, through /approval.
  'certificates.k8s.io/v1/CertificateSigningRequest': {
    1: msg('metadata', objectMeta),
    // The requester's fields are the server's (set on create, kept after): read past.
    2: msg('spec', { 1: { json: 'request', type: 'bytes' }, 2: ignore('username'), 3: ignore('uid'), 4: ignore('groups'), 5: strs('usages'), 6: ignore('extra'), 7: str('signerName'), 8: int('expirationSeconds') }),
    3: msg('status', {
      1: msg('conditions', {
        1: str('type'), 2: str('reason'), 3: str('message'), 4: { json: 'lastUpdateTime', type: 'time' }, 5: { json: 'lastTransitionTime', type: 'time' }, 6: str('status'),
      }, { repeated: true }),
      2: { json: 'certificate', type: 'bytes' },
    }),
  },
  'scheduling.k8s.io/v1/PriorityClass': { 1: msg('metadata', objectMeta), 2: int('value', true), 3: bool('globalDefault', true), 4: str('description'), 5: str('preemptionPolicy') },
  'policy/v1/Eviction': {
    1: msg('metadata', objectMeta),
    2: msg('deleteOptions', { 1: int('gracePeriodSeconds', true), 2: msg('preconditions', { 1: str('uid'), 2: str('resourceVersion') }), 3: bool('orphanDependents', true), 4: str('propagationPolicy'), 5: strs('dryRun') }),
  },
  'apps/v1/Deployment': { 1: msg('metadata', objectMeta), 2: msg('spec', deploymentSpec), 3: ignore('status') },
  'batch/v1/Job': { 1: msg('metadata', objectMeta), 2: msg('spec', jobSpec), 3: ignore('status') },
  'batch/v1/CronJob': {
    1: msg('metadata', objectMeta),
    2: msg('spec', {
      1: str('schedule'),
      2: int('startingDeadlineSeconds', true),
      3: str('concurrencyPolicy'),
      4: bool('suspend', true),
      5: msg('jobTemplate', { 1: msg('metadata', objectMeta), 2: msg('spec', jobSpec) }),
      6: int('successfulJobsHistoryLimit', true),
      7: int('failedJobsHistoryLimit', true),
      8: str('timeZone'),
    }),
    3: ignore('status'),
  },
  [`${RBAC}/Role`]: { 1: msg('metadata', objectMeta), 2: msg('rules', policyRule, { repeated: true }) },
  [`${RBAC}/ClusterRole`]: {
    1: msg('metadata', objectMeta),
    2: msg('rules', policyRule, { repeated: true }),
    3: msg('aggregationRule', { 1: msg('clusterRoleSelectors', labelSelector, { repeated: true }) }),
  },
  [`${RBAC}/RoleBinding`]: binding,
  [`${RBAC}/ClusterRoleBinding`]: binding,
};
