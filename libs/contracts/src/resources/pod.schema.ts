import { conditionSchema } from './object-meta.schema';
import { JsonSchema } from './resource-definition';
import { pvcSpecSchema } from './storage/persistent-volume-claim.resource';

const open: JsonSchema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const quantity: JsonSchema = { type: ['string', 'number'] };
const intOrString: JsonSchema = { type: ['integer', 'string'] };
const strings: JsonSchema = { type: 'array', items: { type: 'string' } };

const probe: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    exec: { type: 'object', additionalProperties: false, properties: { command: strings } },
    httpGet: {
      type: 'object',
      additionalProperties: false,
      required: ['port'],
      properties: {
        path: { type: 'string' }, port: intOrString, host: { type: 'string' }, scheme: { type: 'string', enum: ['HTTP', 'HTTPS'] },
        httpHeaders: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { name: { type: 'string' }, value: { type: 'string' } } } },
      },
    },
    tcpSocket: { type: 'object', additionalProperties: false, required: ['port'], properties: { port: intOrString, host: { type: 'string' } } },
    grpc: { type: 'object', additionalProperties: false, required: ['port'], properties: { port: { type: 'integer' }, service: { type: 'string' } } },
    initialDelaySeconds: { type: 'integer', minimum: 0 },
    periodSeconds: { type: 'integer', minimum: 1 },
    timeoutSeconds: { type: 'integer', minimum: 1 },
    successThreshold: { type: 'integer', minimum: 1 },
    failureThreshold: { type: 'integer', minimum: 1 },
    terminationGracePeriodSeconds: { type: 'integer', minimum: 0 },
  },
};

export const containerSchema: JsonSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    image: { type: 'string' },
    command: strings,
    args: strings,
    workingDir: { type: 'string' },
    env: {
      type: 'array',
      items: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' }, value: { type: 'string' }, valueFrom: open } },
    },
    envFrom: { type: 'array', items: open },
    ports: {
      type: 'array',
      items: {
        type: 'object',
        required: ['containerPort'],
        additionalProperties: false,
        properties: {
          containerPort: { type: 'integer', minimum: 1, maximum: 65535 },
          name: { type: 'string' },
          protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP'] },
          hostPort: { type: 'integer', minimum: 1, maximum: 65535 },
          hostIP: { type: 'string' },
        },
      },
    },
    resources: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requests: { type: 'object', additionalProperties: quantity },
        limits: { type: 'object', additionalProperties: quantity },
        claims: { type: 'array', items: open },
      },
    },
    volumeMounts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'mountPath'],
        additionalProperties: false,
        properties: { name: { type: 'string' }, mountPath: { type: 'string' }, readOnly: { type: 'boolean' }, subPath: { type: 'string' }, subPathExpr: { type: 'string' } },
      },
    },
    readinessProbe: probe,
    livenessProbe: probe,
    startupProbe: probe,
    lifecycle: open,
    imagePullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] },
    securityContext: open,
    terminationMessagePath: { type: 'string' },
    terminationMessagePolicy: { type: 'string', enum: ['File', 'FallbackToLogsOnError'] },
    stdin: { type: 'boolean' },
    stdinOnce: { type: 'boolean' },
    tty: { type: 'boolean' },
    /** Only `Always`, only on an init container: a sidecar (checked at admission). */
    restartPolicy: { type: 'string' },
  },
};

/**
 * An ephemeral container (`kubectl debug`): a container's fields plus the container whose process namespace it
 * joins. Those Kubernetes forbids for it (ports, probes, lifecycle, resources...) are in the schema so that
 * validation can refuse them by name, as kube-apiserver does, rather than as unknown fields.
 */
export const ephemeralContainerSchema: JsonSchema = {
  ...containerSchema,
  properties: { ...containerSchema.properties, resizePolicy: { type: 'array', items: open }, targetContainerName: { type: 'string' } },
};

/** core/v1 Toleration (a pod's, a RuntimeClass's scheduling). */
export const tolerationSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: { type: 'string' },
    operator: { type: 'string', enum: ['Exists', 'Equal'] },
    value: { type: 'string' },
    effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute', ''] },
    tolerationSeconds: { type: 'integer' },
  },
};

export const podSpecSchema: JsonSchema = {
  type: 'object',
  required: ['containers'],
  additionalProperties: false,
  properties: {
    containers: { type: 'array', items: containerSchema },
    initContainers: { type: 'array', items: containerSchema },
    /** Written through the `ephemeralcontainers` subresource only, and only added to. */
    ephemeralContainers: { type: 'array', items: ephemeralContainerSchema },
    restartPolicy: { type: 'string', enum: ['Always', 'OnFailure', 'Never'] },
    terminationGracePeriodSeconds: { type: 'integer', minimum: 0 },
    activeDeadlineSeconds: { type: 'integer', minimum: 1 },
    nodeSelector: { type: 'object', additionalProperties: { type: 'string' } },
    nodeName: { type: 'string' },
    hostNetwork: { type: 'boolean' },
    hostPID: { type: 'boolean' },
    hostIPC: { type: 'boolean' },
    tolerations: { type: 'array', items: tolerationSchema },
    affinity: open,
    volumes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          hostPath: { type: 'object', additionalProperties: false, properties: { path: { type: 'string' }, type: { type: 'string' } } },
          emptyDir: { type: 'object', additionalProperties: false, properties: { medium: { type: 'string' }, sizeLimit: quantity } },
          configMap: open,
          secret: open,
          persistentVolumeClaim: open,
          // A generic ephemeral volume: a claim of the pod's own, made from the template (its metadata is checked at admission).
          ephemeral: {
            type: 'object',
            additionalProperties: false,
            properties: { volumeClaimTemplate: { type: 'object', additionalProperties: false, properties: { metadata: open, spec: pvcSpecSchema as JsonSchema } }, readOnly: { type: 'boolean' } },
          },
          projected: open,
          downwardAPI: open,
        },
      },
    },
    schedulerName: { type: 'string' },
    serviceAccountName: { type: 'string' },
    serviceAccount: { type: 'string' },
    automountServiceAccountToken: { type: 'boolean' },
    hostname: { type: 'string' },
    subdomain: { type: 'string' },
    dnsPolicy: { type: 'string' },
    dnsConfig: {
      type: 'object',
      additionalProperties: false,
      properties: {
        nameservers: strings,
        searches: strings,
        options: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { name: { type: 'string' }, value: { type: 'string' } } } },
      },
    },
    priority: { type: 'integer' },
    priorityClassName: { type: 'string' },
    preemptionPolicy: { type: 'string' },
    runtimeClassName: { type: 'string' },
    hostAliases: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { ip: { type: 'string' }, hostnames: { type: 'array', items: { type: 'string' } } } } },
    schedulingGates: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string' } } } },
    overhead: { type: 'object', additionalProperties: quantity },
    securityContext: open,
    enableServiceLinks: { type: 'boolean' },
    shareProcessNamespace: { type: 'boolean' },
    readinessGates: { type: 'array', items: open },
    topologySpreadConstraints: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          maxSkew: { type: 'integer' },
          topologyKey: { type: 'string' },
          whenUnsatisfiable: { type: 'string' },
          labelSelector: open,
          minDomains: { type: ['integer', 'null'] },
          nodeAffinityPolicy: { type: 'string' },
          nodeTaintsPolicy: { type: 'string' },
          matchLabelKeys: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

const containerState: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    waiting: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string' }, message: { type: 'string' } } },
    running: { type: 'object', additionalProperties: false, properties: { startedAt: { type: 'string' } } },
    terminated: {
      type: 'object',
      additionalProperties: false,
      properties: {
        exitCode: { type: 'integer' }, signal: { type: 'integer' }, reason: { type: 'string' }, message: { type: 'string' },
        startedAt: { type: 'string' }, finishedAt: { type: 'string' }, containerID: { type: 'string' },
      },
    },
  },
};

const containerStatus: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' }, state: containerState, lastState: containerState, ready: { type: 'boolean' }, started: { type: 'boolean' },
    restartCount: { type: 'integer' }, image: { type: 'string' }, imageID: { type: 'string' }, containerID: { type: 'string' },
  },
};

export const podStatusSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    phase: { type: 'string', enum: ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] },
    conditions: { type: 'array', items: conditionSchema },
    message: { type: 'string' },
    reason: { type: 'string' },
    hostIP: { type: 'string' },
    hostIPs: { type: 'array', items: open },
    podIP: { type: 'string' },
    podIPs: { type: 'array', items: open },
    startTime: { type: 'string' },
    qosClass: { type: 'string', enum: ['Guaranteed', 'Burstable', 'BestEffort'] },
    nominatedNodeName: { type: 'string' },
    containerStatuses: { type: 'array', items: containerStatus },
    initContainerStatuses: { type: 'array', items: containerStatus },
    ephemeralContainerStatuses: { type: 'array', items: containerStatus },
  },
};
