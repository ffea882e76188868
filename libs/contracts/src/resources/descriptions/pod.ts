import { describedUnder, type FieldDescriptions } from './field-descriptions';

/** A probe's fields (exec, httpGet, tcpSocket, grpc and the timings), by path from the probe. */
const probeFields: FieldDescriptions = {
  exec: 'Runs a command inside the container, as its user and in its working directory; an exit code of 0 is a success.',
  'exec.command': 'The command and its arguments. It is not run through a shell: write `["sh", "-c", "..."]` for one. Its output is quoted in the `Unhealthy` Event when it fails.',
  httpGet: 'Sends an HTTP GET request; an answer with a status code from 200 to 399 is a success.',
  'httpGet.path': 'The path to request. Default `/`.',
  'httpGet.port': "The port to connect to: a number (1-65535) or the name of one of the container's `ports`. Required.",
  'httpGet.host': "The host name or address to connect to. Default: the pod's address. To set the `Host` header, use `httpHeaders`.",
  'httpGet.scheme': "`HTTP` (the default) or `HTTPS`. Over HTTPS the server's certificate is not checked.",
  'httpGet.httpHeaders': 'Extra headers for the request. It carries `User-Agent: kube-probe/1.32` and `Accept: */*` unless these set them.',
  'httpGet.httpHeaders.name': 'The header name, such as `Authorization`.',
  'httpGet.httpHeaders.value': 'The header value.',
  tcpSocket: 'Opens a TCP connection; the probe succeeds if the connection is accepted.',
  'tcpSocket.port': "The port to connect to: a number (1-65535) or the name of one of the container's `ports`. Required.",
  'tcpSocket.host': "The host name or address to connect to. Default: the pod's address.",
  grpc: 'Calls the gRPC health service (`grpc.health.v1.Health/Check`) at the pod\'s address over HTTP/2 without TLS; the probe succeeds when it answers `SERVING`.',
  'grpc.port': 'The port of the gRPC server, a number from 1 to 65535. Required.',
  'grpc.service': 'The service name to ask the health service about; default `""`, the server as a whole.',
  initialDelaySeconds: 'Seconds to wait after the container started before the first probe. Default 0.',
  periodSeconds: 'Seconds between two probes. Default 10, at least 1.',
  timeoutSeconds: 'Seconds a probe may take before it counts as a failure. Default 1, at least 1.',
  successThreshold: 'Successes in a row after a failure for the probe to count as passing again. Default 1, at least 1.',
  failureThreshold: 'Failures in a row for the probe to count as failed. Default 3, at least 1.',
  terminationGracePeriodSeconds:
    "In Kubernetes, the grace period of a container this probe kills, in place of the pod's. Accepted here, but a container a probe kills is given the pod's `terminationGracePeriodSeconds`.",
};

/** Liveness and startup probes must have `successThreshold` 1. */
const successOnce: FieldDescriptions = {
  successThreshold: 'Successes in a row for the probe to pass. Must be 1 (the default) for this kind of probe.',
};

const readinessProbe: FieldDescriptions = {
  '': "Tells whether the container can serve. While it fails the container is not ready: the pod's `Ready` condition is False and Services send it no traffic. A container with one is not ready until it first passes; it runs once the startup probe, if any, passed.",
  ...probeFields,
  terminationGracePeriodSeconds: 'Not used on a readiness probe, which never stops the container.',
};

const livenessProbe: FieldDescriptions = {
  '': "Tells whether the container still works. When it fails `failureThreshold` times in a row the container is stopped (its `preStop` hook, then the grace period) and started again as the pod's `restartPolicy` says. It runs once the startup probe, if any, passed; failures are Warning `Unhealthy` Events.",
  ...probeFields,
  ...successOnce,
};

const startupProbe: FieldDescriptions = {
  '': 'Tells whether the container has finished starting. Until it passes once the other probes wait and the container is neither `started` nor ready; after that it is not run again. Here a startup probe that keeps failing leaves the container running and not started (Kubernetes would restart it).',
  ...probeFields,
  ...successOnce,
};

/** A Container's fields, by path from the container: app containers, and the base of init and ephemeral ones. */
const containerFields: FieldDescriptions = {
  name: 'The container\'s name: a DNS label (lower-case letters, digits and "-", at most 63 characters), unique among all the containers of the pod, init and ephemeral ones included. `kubectl logs -c` and `kubectl exec -c` take it. Cannot be changed.',
  image:
    "The image to run (`busybox`, `app:1.0`). Nothing is pulled from a registry here: the host's image store must hold it (`busybox`, any tag, always is; others are imported from archives with `npm run images -- import`), else the container waits in `ErrImagePull`/`ImagePullBackOff`. It may be changed on an existing pod; a running container keeps its image until it is made again.",
  command:
    "The program to run and its first arguments, as a list (`[\"sh\", \"-c\", \"echo hi\"]`), not run through a shell. It replaces the image's entrypoint; when empty the image's is used. `$(VAR)` is replaced by the container's variable `VAR`; `$$(VAR)` stays a literal `$(VAR)`.",
  args: "Arguments for the command (`command`, or else the image's entrypoint); they replace the image's default arguments. `$(VAR)` references are expanded as in `command`.",
  workingDir: "The directory the command starts in. Defaults to the image's working directory, else `/`; it is made in the container if the image lacks it.",
  env: 'Environment variables to set in the container, in order. They come after those of `envFrom` and the Service variables, and replace any of the same name. They are fixed when the container is created: a later change of their source does not reach a running container.',
  'env.name': 'The variable\'s name, such as `LOG_LEVEL`. A later entry of the same name replaces an earlier one.',
  'env.value':
    'The value. `$(NAME)` is replaced by the value of a variable defined before this one (and left as written when there is none); `$$` stands for a literal `$`. Empty by default; not used with `valueFrom`.',
  'env.valueFrom':
    "Where to read the value from instead, exactly one of: `configMapKeyRef` or `secretKeyRef` (`name`, `key`, `optional`), a key of a ConfigMap or Secret of the pod's namespace; `fieldRef.fieldPath`, a field of the pod (`metadata.name`, `metadata.namespace`, `metadata.uid`, `metadata.labels['k']`, `metadata.annotations['k']`, `spec.nodeName`, `spec.serviceAccountName`, `status.podIP`, `status.podIPs`, `status.hostIP`, `status.hostIPs`); `resourceFieldRef` (`resource` such as `limits.memory`, `divisor`), a request or limit of the container. A missing ConfigMap, Secret or key keeps the container waiting in `CreateContainerConfigError` unless `optional: true`.",
  envFrom:
    'Sources whose every key becomes a variable: each entry a `configMapRef` or a `secretRef` (`name`, `optional`), with an optional `prefix` put before each key. They are read before `env`, whose variables win. A missing source keeps the container in `CreateContainerConfigError` unless `optional: true`.',
  ports:
    "The ports the container listens on. The list is informational (a process may listen on any port) but names ports for Services' `targetPort`, NetworkPolicies and `pods/<name>:<port>/proxy`. Defaults to none.",
  'ports.containerPort': "The port number the container listens on, on the pod's address (1-65535). Required.",
  'ports.name': "A name for the port, unique among the container's ports: at most 15 lower-case letters, digits and \"-\", with at least one letter. Services and NetworkPolicies can name the port by it.",
  'ports.protocol': '`TCP` (the default), `UDP` or `SCTP`.',
  'ports.hostPort':
    "A port of the host to expose the container port on (1-65535). The scheduler keeps two pods asking for one host port (same protocol, overlapping `hostIP`) off one host; the port is not forwarded to a pod in a network namespace of its own. On the host's network (`hostNetwork: true`) it defaults to `containerPort` and must equal it. Pod Security's `baseline` level refuses it.",
  'ports.hostIP': 'The host address a `hostPort` is for; default `0.0.0.0`, every address. The scheduler counts two pods as clashing on a port when their addresses are equal or either is every address.',
  resources:
    "The CPU and memory the container asks for (`requests`) and may use at most (`limits`). Requests decide where the pod fits and its `qosClass`; limits are enforced through the container's cgroups where the host can write them.",
  'resources.requests':
    'What is reserved for the container, by resource: `cpu` (cores: `500m` is half a core), `memory` (bytes: `128Mi`). A pod is placed only on a host whose allocatable cpu and memory, less what its other pods request, hold them. A resource given a limit and no request requests the limit; a request may not exceed its limit.',
  'resources.limits':
    'The most the container may use, by resource (`cpu`, `memory`). Where the host has writable cgroups, a container going over its memory limit is killed (`OOMKilled`, exit code 137) and one over its CPU limit is slowed down; elsewhere limits are not enforced.',
  'resources.claims': "Names of the pod's resource claims (dynamic resource allocation) the container uses. Not supported: this server has no `resource.k8s.io` API.",
  volumeMounts: "The pod's volumes to mount in the container's file system, each at its `mountPath`.",
  'volumeMounts.name': "The name of the volume to mount, one of the pod's `volumes`. Required.",
  'volumeMounts.mountPath': "The absolute path in the container where the volume appears, made if the image lacks it. Two mounts of one container may not share a path. Required.",
  'volumeMounts.readOnly': 'Whether to mount the volume read-only. Default `false`; ConfigMap, Secret, downward API and projected volumes are read-only whatever this says.',
  'volumeMounts.subPath':
    'A path inside the volume to mount instead of its root (`conf/app.ini`): relative, without `..`; a missing one is made a directory. A key of a ConfigMap or Secret volume mounted this way does not follow later changes of its source. Not with `subPathExpr`.',
  'volumeMounts.subPathExpr':
    "Like `subPath`, with `$(VAR)` expanded from the container's environment (`$(POD_NAME)` from a `fieldRef`, say). A missing or empty variable keeps the container in `CreateContainerConfigError`. Not with `subPath`.",
  ...describedUnder('readinessProbe', readinessProbe),
  ...describedUnder('livenessProbe', livenessProbe),
  ...describedUnder('startupProbe', startupProbe),
  lifecycle:
    "Hooks: `postStart` runs right after the container starts (until it ends the container is not running to the API and the pod's next containers wait; if it fails the container is killed), `preStop` before the container is stopped (deletion, a failed liveness probe, a deadline), within the grace period. Each names one handler: `exec.command` (run in the container), `httpGet` (`path`, `port`, `host`, `scheme`, `httpHeaders`) or `sleep.seconds`.",
  imagePullPolicy:
    '`Always`, `IfNotPresent` or `Never`. Defaulted as in Kubernetes (`Always` for an untagged or `:latest` image, else `IfNotPresent`) but not used: images are never pulled here, they come from the host\'s image store.',
  securityContext:
    "Security settings of this container, over the pod's `securityContext`: `runAsUser`, `runAsGroup`, `runAsNonRoot` (a container that would run as root is held in `CreateContainerConfigError`), `capabilities` (`add`, `drop`), `privileged` (every capability and the host's `/dev`), `allowPrivilegeEscalation` and `readOnlyRootFilesystem`. Applied where the host isolates containers; `seccompProfile`, `appArmorProfile`, `seLinuxOptions` and `procMount` are accepted and not applied.",
  terminationMessagePath:
    "The file in the container whose content (its first 4096 bytes) becomes the container's termination message (`state.terminated.message`) when it ends. Default `/dev/termination-log`.",
  terminationMessagePolicy:
    "`File` (the default) takes the termination message from `terminationMessagePath` only; `FallbackToLogsOnError` takes the end of the container's log (its last 80 lines, at most 2048 bytes) when it failed without writing one.",
  stdin: 'Whether the container has a standard input that `kubectl attach -i` can write to. Default `false`: its input is /dev/null. The input stays open between attach sessions unless `stdinOnce` is set.',
  stdinOnce:
    'With `stdin`: close the container\'s input for good when the first attach session that sent input ends, so the process reads an end of file. `kubectl run -i --rm` relies on it. Default `false`.',
  tty: "Whether the container runs on a terminal of its own: its output is logged as the terminal shows it and `kubectl attach -it` gets an interactive session. Usually set with `stdin`. Default `false`.",
  restartPolicy: 'Only for init containers, where the one value allowed is `Always`: it makes a sidecar. The API refuses it on an app container.',
};

/** How an init container differs from an app container. */
const initContainerFields: FieldDescriptions = {
  ...containerFields,
  name: 'The init container\'s name: a DNS label (lower-case letters, digits and "-", at most 63 characters), unique among the init, app and ephemeral containers of the pod. Cannot be changed.',
  resources:
    "The CPU and memory the init container asks for and may use. The pod is placed by the larger of its app containers' and sidecars' requests together, or any init container's request plus the sidecars started before it.",
  readinessProbe: 'For a sidecar (`restartPolicy: Always`) only; Kubernetes refuses probes on other init containers. Tells whether the sidecar is ready, which counts in the pod\'s readiness.',
  livenessProbe: 'For a sidecar (`restartPolicy: Always`) only; Kubernetes refuses probes on other init containers. A sidecar that fails it is restarted.',
  startupProbe: 'For a sidecar (`restartPolicy: Always`) only; Kubernetes refuses probes on other init containers. The next init container starts only once the sidecar\'s startup probe passed.',
  lifecycle: 'Hooks, as for an app container (`postStart`, `preStop`); Kubernetes accepts them only on a sidecar (`restartPolicy: Always`).',
  restartPolicy:
    "`Always` makes the init container a sidecar: the next init container starts once it runs (and its startup probe passed), it keeps running beside the app containers, is restarted whenever it exits and counts in the pod's readiness. Unset, it runs once to its end. No other value is accepted.",
};

/** The Container fields an ephemeral container may not set: the API refuses them by name. */
const notForEphemeral = ['ports', 'resources', 'readinessProbe', 'livenessProbe', 'startupProbe', 'lifecycle', 'restartPolicy'];

/** How an ephemeral container (`kubectl debug`) differs from an app container. */
const ephemeralContainerFields: FieldDescriptions = {
  ...containerFields,
  ...Object.fromEntries(
    Object.keys(containerFields)
      .map((path) => [path, notForEphemeral.find((field) => path === field || path.startsWith(`${field}.`))])
      .filter(([, field]) => field)
      .map(([path, field]) => [path, `Cannot be set on an ephemeral container: the API refuses its \`${field}\`.`]),
  ),
  name: 'The ephemeral container\'s name: a DNS label unique among the init, app and ephemeral containers of the pod. `kubectl logs -c` and `kubectl attach -c` take it.',
  'volumeMounts.subPath': 'Cannot be set on an ephemeral container: the API refuses it there.',
  'volumeMounts.subPathExpr': 'Cannot be set on an ephemeral container: the API refuses it there.',
  resizePolicy: 'Cannot be set on an ephemeral container: the API refuses it by name.',
  targetContainerName:
    "The name of a container of the pod whose process namespace this one joins once that container runs: `ps` shows its processes and its files are under `/proc/<pid>/root`. `kubectl debug --target` sets it. Unset, the container has processes of its own.",
};

/** A PersistentVolumeClaim's spec, by path from the spec (a generic ephemeral volume's claim template). */
export const claimSpecFields: FieldDescriptions = {
  accessModes: 'How the volume may be mounted: `ReadWriteOnce`, `ReadOnlyMany`, `ReadWriteMany` or `ReadWriteOncePod`. At least one is required; a volume made beforehand is bound only if it offers them all.',
  selector: 'A label selector (`matchLabels`, `matchExpressions`) on the labels of existing volumes: the claim binds only to a free volume it selects (not checked for a volume the claim names in `volumeName` or one reserved for it). A claim with a selector is not provisioned: without a fitting volume it waits, with a Warning `ProvisioningFailed` (`claim Selector is not supported`).',
  resources: 'The storage the claim asks for.',
  'resources.requests':
    'The size asked for, as `storage` (`1Gi`); required and more than 0. A volume of that size is carved from the datastore (counted against its capacity), or a volume made beforehand that is at least as big is bound.',
  'resources.limits': 'The most storage the volume may hold. Not enforced here.',
  volumeName: 'The PersistentVolume to bind the claim to, instead of one chosen or made for it.',
  storageClassName: 'The StorageClass that provides the volume. Unset: the default class (`vsan-default-storage-policy` unless an admin changed it); `""`: no class, only a volume made beforehand without one.',
  volumeMode: '`Filesystem` (the default) or `Block`. A volume made beforehand must have the same mode.',
  dataSource:
    'Fills the new volume from a source of the claim\'s namespace: a ready `VolumeSnapshot` (`apiGroup: snapshot.storage.k8s.io`), or a bound `PersistentVolumeClaim` of the same class to clone. Kept equal to `dataSourceRef`.',
  'dataSource.apiGroup': "The source's API group: `snapshot.storage.k8s.io` for a VolumeSnapshot, empty for a PersistentVolumeClaim.",
  'dataSource.kind': '`VolumeSnapshot` or `PersistentVolumeClaim`. Required.',
  'dataSource.name': "The source's name, in the claim's namespace. Required.",
  dataSourceRef: 'The same source as `dataSource`: either may be given and the other is set to match; two different sources are refused. Other kinds of source (volume populators) are not served.',
  'dataSourceRef.apiGroup': "The source's API group: `snapshot.storage.k8s.io` for a VolumeSnapshot, empty for a PersistentVolumeClaim.",
  'dataSourceRef.kind': '`VolumeSnapshot` or `PersistentVolumeClaim`. Required.',
  'dataSourceRef.name': "The source's name. Required.",
  'dataSourceRef.namespace': 'A namespace other than the claim\'s for the source. Dropped, as Kubernetes 1.32 drops it with cross-namespace sources turned off.',
  volumeAttributesClassName: 'A VolumeAttributesClass for the volume (its performance, say). Not used here.',
};

/** A PodSpec's fields, by path from the spec (`containers.image`): a Pod's `spec`, and every pod template's `spec.template.spec`. */
export const podSpecFields: FieldDescriptions = {
  containers: "The pod's app containers, started in order once the init containers are done, and run side by side. At least one is required; none can be added or removed later.",
  ...describedUnder('containers', containerFields),
  initContainers:
    "Containers run one after another, each to its successful end, before the app containers start; meanwhile the pod is `Pending` and its `Initialized` condition False. One that fails runs again after a back-off, unless the pod's `restartPolicy` is `Never`, which fails the pod. One with `restartPolicy: Always` is a sidecar that keeps running.",
  ...describedUnder('initContainers', initContainerFields),
  ephemeralContainers:
    "Containers added to a running pod to debug it (`kubectl debug`), only through the `pods/ephemeralcontainers` subresource: a pod is not created with any, and once added they are neither changed nor removed. Each is started once in the pod's sandbox, never restarted, and counts for neither the pod's phase nor its readiness.",
  ...describedUnder('ephemeralContainers', ephemeralContainerFields),
  restartPolicy:
    '`Always` (the default), `OnFailure` or `Never`: whether a container of the pod that exits is started again (sidecars always are). Restarts wait a back-off of 10 s doubling up to 5 minutes (`CrashLoopBackOff`). Under `Never`, or `OnFailure` once every container ended well, the pod ends `Succeeded` or `Failed`.',
  terminationGracePeriodSeconds:
    'Seconds a container is given to end after SIGTERM when the pod is deleted or the container stopped, `preStop` hooks included, before SIGKILL goes to all its processes. Default 30; a delete may give another (`kubectl delete --grace-period`). At least 2 s are left for the stop after the hooks.',
  activeDeadlineSeconds:
    'How long the pod may be active, in seconds from `status.startTime`, before its running containers are stopped (not restarted) and the pod is `Failed` with reason `DeadlineExceeded`. A positive integer; it may be set or lowered on an existing pod.',
  nodeSelector: 'Labels a host must have, every one, for the pod to be placed on it (`kubernetes.io/hostname: host-2`). Host labels come from `HOST_LABELS` and `kubectl label node`.',
  nodeName:
    'The host that runs the pod. The scheduler sets it when it binds the pod; given on creation, it bypasses the scheduler and that host starts the pod. It cannot change afterwards: a pod never moves. `kubectl get pods -o wide` shows it as NODE.',
  hostNetwork:
    "Whether the pod uses the machine's network instead of a network namespace of its own: its address is the host's (`127.0.0.1`), its ports are the machine's (each `containerPort` must equal its `hostPort`) and its containers keep the machine's host name. Default `false`; Pod Security's `baseline` level refuses it.",
  hostPID: "Whether the pod's containers use the machine's process namespace, so `ps` shows every process of the machine. Default `false`; not with `shareProcessNamespace`. Pod Security's `baseline` level refuses it.",
  hostIPC: "Whether the pod's containers use the machine's System V IPC, POSIX message queues and `/dev/shm` instead of the pod's own. Default `false`; Pod Security's `baseline` level refuses it.",
  tolerations:
    "The host taints the pod accepts. A `NoSchedule` taint keeps pods that do not tolerate it off the host; a `NoExecute` taint also evicts those already there. Host taints come from `HOST_TAINTS` and `kubectl taint node`. Tolerations may be added to an existing pod.",
  'tolerations.key': 'The taint key the toleration matches. Empty with operator `Exists`: every taint.',
  'tolerations.operator': '`Equal` (the default): the taint\'s value must equal `value`; `Exists`: any value.',
  'tolerations.value': 'The taint value to match under operator `Equal`; empty under `Exists`.',
  'tolerations.effect': 'The taint effect matched: `NoSchedule`, `PreferNoSchedule`, `NoExecute`, or empty for all of them.',
  'tolerations.tolerationSeconds': 'With effect `NoExecute`: how long, in seconds, the pod may stay on a host after the taint appears before it is evicted. Unset: it stays for good.',
  affinity:
    "Where the pod may go by labels. `nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`: host labels (`matchExpressions` with `In`, `NotIn`, `Exists`, `DoesNotExist`, and `Gt`/`Lt` comparing the label as an integer; `matchFields` on `metadata.name`), any term sufficing; `preferredDuringSchedulingIgnoredDuringExecution`: terms with a `weight` (1-100) that score the hosts they match up. `podAffinity`, `podAntiAffinity`: terms (`labelSelector`, `namespaces`, `topologyKey` such as `kubernetes.io/hostname`) to be near or away from matching pods, required (filters hosts) or preferred (`weight` 1-100, scores hosts).",
  volumes: "The pod's volumes, for its containers to mount (`volumeMounts`). Each has a name and one source; a volume given no source is an `emptyDir`.",
  'volumes.name': 'The volume\'s name, a DNS label unique in the pod, by which `volumeMounts` refer to it. Required.',
  'volumes.hostPath': "A file or directory of the machine itself (every host of a local cluster shares one machine), mounted into the containers with its ownership left as it is. Pod Security's `baseline` level refuses it.",
  'volumes.hostPath.path': 'The path on the machine. Required, without `..` elements; symbolic links are followed.',
  'volumes.hostPath.type':
    'What must be at `path` before the pod starts: `""` (the default: nothing is checked, a missing path is made a directory), `DirectoryOrCreate` (made 0755 if missing), `FileOrCreate` (an empty 0644 file, in an existing directory), `Directory`, `File`, `Socket`, `CharDevice` or `BlockDevice`. A failed check keeps the containers in `ContainerCreating` with a `FailedMount` Event.',
  'volumes.emptyDir': "An empty directory (mode 0777) made with the pod's sandbox, shared by its containers, kept across container restarts and removed with the pod.",
  'volumes.emptyDir.medium': '`""` (the default: the host\'s disk) or `Memory` (a tmpfs in Kubernetes). Here the directory is always on the host\'s disk.',
  'volumes.emptyDir.sizeLimit': 'The most the volume should hold (`1Gi`), a quantity of at least 0. Accepted and not enforced here.',
  'volumes.configMap':
    "The keys of a ConfigMap of the pod's namespace as files: `name`; `items` (`key`, `path`, `mode`) to pick keys and where they go, else every key of `data` and `binaryData` under its own name; `defaultMode` of the files (default 0644, shown as 420); `optional: true` to mount an empty volume when the ConfigMap is missing. Read-only; changes appear in running containers within a second (not in a `subPath` mount).",
  'volumes.secret':
    "The keys of a Secret of the pod's namespace as files, decoded: `secretName`; `items` (`key`, `path`, `mode`) to pick keys and where they go, else every key; `defaultMode` (default 0644, shown as 420); `optional: true` to mount an empty volume when the Secret is missing. Read-only; changes appear in running containers (not in a `subPath` mount).",
  'volumes.persistentVolumeClaim':
    "A PersistentVolumeClaim of the pod's namespace: `claimName`, and `readOnly` to mount it read-only. Its volume, a directory of the shared datastore, is mounted as it is, so the data outlives the pod and follows it to another host. The pod is not placed while the claim is missing or being deleted, and waits in `ContainerCreating` until it is bound.",
  'volumes.ephemeral':
    "A volume on a claim of the pod's own: a PersistentVolumeClaim `<pod>-<volume>` is made from `volumeClaimTemplate`, owned by the pod, and deleted with it (its volume then goes by the class's reclaim policy).",
  'volumes.ephemeral.volumeClaimTemplate': 'The claim to make for the pod. Required.',
  'volumes.ephemeral.volumeClaimTemplate.metadata': "Labels and annotations for the claim; no other metadata may be set (its name is always `<pod>-<volume>`).",
  'volumes.ephemeral.volumeClaimTemplate.spec': "The claim's spec, checked as any PersistentVolumeClaim's.",
  ...describedUnder('volumes.ephemeral.volumeClaimTemplate.spec', claimSpecFields),
  'volumes.ephemeral.readOnly': 'Whether to mount the volume read-only in every container. Default `false`.',
  'volumes.projected':
    'Files of several sources in one directory: `sources`, each one of `configMap` (`name`, `items`, `optional`), `secret` (`name`, `items`, `optional`), `downwardAPI` (`items`) or `serviceAccountToken` (`path`, `audience`, `expirationSeconds`, default 3600, renewed at 80 % of its life); and `defaultMode` of the files. Read-only and kept up to date. `clusterTrustBundle` sources are refused.',
  'volumes.downwardAPI':
    "Files holding fields of the pod: `items`, each a `path` with a `fieldRef.fieldPath` (`metadata.name`, `metadata.namespace`, `metadata.uid`, `metadata.labels`, `metadata.annotations`, or one of them as `metadata.labels['k']`) or a `resourceFieldRef` (`containerName`, `resource` such as `limits.cpu`, `divisor`), and a `mode`; `defaultMode` (default 0644). Read-only; updated when labels or annotations change.",
  schedulerName: "The scheduler that places the pod. Default `default-scheduler`, the cluster's; a pod naming another is left for that scheduler, which binds it through `pods/binding`.",
  serviceAccountName:
    "The ServiceAccount of the namespace the pod acts as: its containers get that account's API token unless `automountServiceAccountToken` is false. Default `default`; a pod naming another that does not exist is refused (403).",
  serviceAccount: 'An old name of `serviceAccountName`. Use `serviceAccountName`.',
  automountServiceAccountToken:
    'Whether the pod gets the volume `kube-api-access-<random>` (an API token bound to the pod, the cluster CA, the namespace) at `/var/run/secrets/kubernetes.io/serviceaccount` in every container. Default: the ServiceAccount\'s setting, else true.',
  hostname: "The host name the pod's containers see, a DNS label. Default: the pod's name. With `subdomain` it also gives the pod the DNS name `<hostname>.<subdomain>.<namespace>.svc.cluster.local`.",
  subdomain: 'A Service of the namespace (a headless one, usually): with it the pod has the DNS name `<hostname>.<subdomain>.<namespace>.svc.cluster.local` while it is ready. A StatefulSet\'s pods get one.',
  dnsPolicy:
    "How the pod's `/etc/resolv.conf` is made: `ClusterFirst` (the default: the cluster DNS, with the namespace's search path and `ndots:5`; the machine's resolver on the host's network), `ClusterFirstWithHostNet` (the cluster DNS even on the host's network), `Default` (the machine's resolver) or `None` (only `dnsConfig`).",
  dnsConfig: 'Additions to the resolver `dnsPolicy` gives: nameservers and search domains are appended, options merged by name. Required, with a nameserver, when `dnsPolicy` is `None`.',
  'dnsConfig.nameservers': 'IP addresses of DNS servers to add; at most 3 in all.',
  'dnsConfig.searches': 'Search domains to add, each a DNS subdomain; at most 32, of 2048 characters together.',
  'dnsConfig.options': 'Resolver options (`ndots`, `timeout`, `attempts`...), each replacing the option of the same name of the base.',
  'dnsConfig.options.name': 'The option\'s name, such as `ndots`. Required.',
  'dnsConfig.options.value': 'The option\'s value, such as `2`; unset for an option without one.',
  priority:
    'The pod\'s priority, set on creation from its `priorityClassName` (or the global default class; 0 without one). Pending pods are placed highest first, and a pod may preempt pods of lower priority. A value other than the class\'s is refused.',
  priorityClassName: 'The PriorityClass whose value becomes `priority`: `system-cluster-critical`, `system-node-critical` or one of the cluster\'s own. An unknown name is refused (403).',
  preemptionPolicy:
    '`PreemptLowerPriority` (the default): a pod that fits no host may have pods of lower priority removed to make room; `Never`: it waits instead. Set from the pod\'s PriorityClass.',
  runtimeClassName:
    "The RuntimeClass whose handler runs the pod. On creation the class's `overhead` becomes the pod's, and its node selector and tolerations are added. Hosts here have the handlers `\"\"` and `crx`; a class naming another leaves the pod in `ContainerCreating`.",
  hostAliases: "Extra entries for the containers' `/etc/hosts`, after those the host writes.",
  'hostAliases.ip': 'The IP address the names stand for. Required.',
  'hostAliases.hostnames': 'The names for that address, each a DNS subdomain.',
  schedulingGates:
    'Gates that keep the pod from being scheduled while any is listed (`kubectl get pods` shows `SchedulingGated`). Given on creation; afterwards they can only be removed, by whoever owns each, and the pod is placed once the last is gone.',
  'schedulingGates.name': 'The gate\'s name, a qualified name such as `example.com/quota-check`, unique in the list.',
  overhead: "What the pod costs beyond its containers (`cpu`, `memory`), set from its RuntimeClass on creation; the scheduler and quota add it to the pod's requests. Refused without a RuntimeClass that defines it.",
  securityContext:
    "Security settings for every container of the pod, which a container's own `securityContext` overrides: `runAsUser`, `runAsGroup`, `runAsNonRoot`, `supplementalGroups`, `fsGroup` (a group for the processes and for the files of the pod's volumes) and `fsGroupChangePolicy` (`Always` or `OnRootMismatch`). Applied where the host isolates containers; `seccompProfile`, `appArmorProfile`, `seLinuxOptions`, `sysctls` and `supplementalGroupsPolicy` are accepted and not applied.",
  enableServiceLinks:
    'Whether each container gets the variables of every Service of the namespace, as Docker links name them (`WEB_SERVICE_HOST`, `WEB_SERVICE_PORT`...). Default true. `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` are given either way.',
  shareProcessNamespace: "Whether the pod's containers share one process namespace, so each sees and can signal the others' processes (PID 1 is then the sandbox's own). Default `false`; not with `hostPID`.",
  readinessGates:
    'Extra conditions for readiness: each names a `conditionType` that must be `True` in `status.conditions` for the pod to be `Ready`, besides its containers being ready. Whoever owns a gate writes its condition through `pods/status`.',
  topologySpreadConstraints: 'Rules to spread the pod and those its `labelSelector` matches evenly over topology domains: hosts, or groups of hosts sharing a label value.',
  'topologySpreadConstraints.maxSkew': 'How many more matching pods a domain may hold than the emptiest one, with this pod placed. At least 1.',
  'topologySpreadConstraints.topologyKey': 'The host label whose values make the domains (`kubernetes.io/hostname`: each host its own). Hosts without it are left out.',
  'topologySpreadConstraints.whenUnsatisfiable': '`DoNotSchedule`: hosts where the pod would exceed `maxSkew` are not used; `ScheduleAnyway`: they are only scored lower.',
  'topologySpreadConstraints.labelSelector': "Which pods of the pod's namespace are counted in each domain.",
  'topologySpreadConstraints.minDomains': 'With `DoNotSchedule`: while there are fewer eligible domains than this, the missing ones count as empty, so pods do not pile up in the few there are. At least 1; unset means 1.',
  'topologySpreadConstraints.nodeAffinityPolicy': "`Honor` (the default): only hosts that pass the pod's `nodeSelector` and node affinity count; `Ignore`: every host does.",
  'topologySpreadConstraints.nodeTaintsPolicy': '`Ignore` (the default): hosts count whatever their taints; `Honor`: hosts with a taint the pod does not tolerate do not.',
  'topologySpreadConstraints.matchLabelKeys': "Keys of the pod's labels whose values are added to `labelSelector`, so that only pods with the same values (such as `pod-template-hash`) are counted.",
};

/** A container's state (`state`, `lastState`), by path from it. */
const containerStateFields: FieldDescriptions = {
  waiting: 'Not running: being created, waiting for a restart back-off, or unable to start.',
  'waiting.reason':
    'Why it waits, in a word: `ContainerCreating`, `PodInitializing`, `CrashLoopBackOff`, `ErrImagePull`, `ImagePullBackOff`, `CreateContainerConfigError`, `RunContainerError`, `PostStartHookError`...',
  'waiting.message': 'Details of why it waits, such as `configmap "app" not found` or the back-off before the next restart.',
  running: 'Running, since `startedAt`.',
  'running.startedAt': 'When this run of the container started (RFC 3339).',
  terminated: 'Ended, with its exit code and reason.',
  'terminated.exitCode': "The exit code of the container's process; 128 plus the signal's number when a signal ended it (137 for SIGKILL, as after running out of memory).",
  'terminated.signal': 'The signal that ended the process. Not reported here: `exitCode` says it.',
  'terminated.reason': 'Why it ended, in a word: `Completed` (exit code 0), `Error`, `OOMKilled`...',
  'terminated.message': "The container's termination message: the start of its `terminationMessagePath` file, or the end of its log under `FallbackToLogsOnError`.",
  'terminated.startedAt': 'When this run started (RFC 3339).',
  'terminated.finishedAt': 'When this run ended (RFC 3339).',
  'terminated.containerID': 'The id of the run that ended, `crx://<id>`.',
};

/** A container's status, by path from it: app, init and ephemeral containers alike. */
const containerStatusFields: FieldDescriptions = {
  name: "The container's name, as in the spec.",
  state: 'What the container is doing now: exactly one of `waiting`, `running` and `terminated`.',
  ...describedUnder('state', containerStateFields),
  lastState: "How the container's previous run ended (`terminated`), kept while it waits to restart and after it restarted. Empty before the first restart.",
  ...describedUnder('lastState', containerStateFields),
  ready: 'Whether the container is ready: running, started, and its readiness probe, if any, passing.',
  started: 'Whether the container has started: running and past its startup probe, if any.',
  restartCount: 'How many times the container has been restarted. `kubectl get pods` adds these up as RESTARTS.',
  image: 'The image the container runs, as the spec names it.',
  imageID:
    "The id of the image the container's host resolved `image` to when it created the container: for an image imported into the hosts' stores, its repository in full with its digest (`docker.io/library/app@sha256:<digest>`, `registry.local:5000/team/app@sha256:<digest>`); for the built-in busybox, `sha256:` and the digest of its busybox binary. Empty until the container is created, and for a container that runs on its host's own root (a host without isolation) or on a simulated host.",
  containerID: "The id of the container's current run in its host's runtime, `crx://<id>`; each restart has a new one.",
};

/** A PodStatus's fields, by path from the status. */
const podStatusFields: FieldDescriptions = {
  phase:
    '`Pending` (not placed yet, or a container has not started yet), `Running` (every container started; some run or are restarting), `Succeeded` (every container ended with 0, none to restart), `Failed` (every container ended, one at least in failure, or the pod was ended, as by `activeDeadlineSeconds`) or `Unknown`. The conditions and container statuses say more.',
  conditions:
    "The pod's conditions: `PodScheduled` (False with reason `Unschedulable` or `SchedulingGated` while not placed), `PodReadyToStartContainers` (its sandbox and network are set up), `Initialized` (its init containers are done), `ContainersReady`, `Ready` (readiness gates included) and `DisruptionTarget` (it is deleted by preemption or a `NoExecute` taint); and those of its `readinessGates`, written by others.",
  'conditions.type': "The condition's name (`Ready`, `PodScheduled`...), unique in the list.",
  'conditions.status': '`True`, `False` or `Unknown`.',
  'conditions.reason': 'Why the condition last changed, in one CamelCase word (`Unschedulable`, `ContainersNotReady`, `ReadinessGatesNotReady`).',
  'conditions.message': "A readable account of the condition, such as the scheduler's `0/3 hosts are available: 3 Insufficient memory...`.",
  'conditions.lastTransitionTime': 'When the condition last changed its status (RFC 3339).',
  'conditions.lastHeartbeatTime': "Not set on a pod's conditions.",
  'conditions.observedGeneration': "Not set on a pod's conditions.",
  'conditions.severity': "Not set on a pod's conditions.",
  message: 'Why the pod is in its state, in words, such as `Pod was active on the node longer than the specified deadline`.',
  reason: 'Why the pod is in its state, in one CamelCase word (`DeadlineExceeded`); `kubectl get pods` shows it as the STATUS.',
  hostIP: "The address of the pod's host as the pod sees it: the hosts share the machine, so it is `127.0.0.1`. Unset until the host takes the pod.",
  hostIPs: "The host's addresses, one `{ip}` each; the first is `hostIP`.",
  podIP:
    "The pod's address, shared by its containers: with a pod network (`POD_CIDR`) one of its range given by the scheduler, else a loopback address `127.x.y.z` of its own; on the host's network the host's. `kubectl get pods -o wide` shows it.",
  podIPs: "The pod's addresses, one `{ip}` each; the first is `podIP`.",
  startTime: "When the host made the pod's sandbox (RFC 3339), before any container was started. `activeDeadlineSeconds` counts from it.",
  qosClass:
    '`Guaranteed` (every container has cpu and memory limits, with requests equal to them), `BestEffort` (no container requests or limits anything) or `Burstable` (the rest). Set when the pod is created.',
  nominatedNodeName:
    'The host the pod is to run on once the pods of lower priority it preempted there are gone; room is held for it there meanwhile. `kubectl get pods -o wide` shows it as NOMINATED NODE.',
  containerStatuses: "The state of each app container, as its host reports it.",
  ...describedUnder('containerStatuses', containerStatusFields),
  initContainerStatuses: 'The state of each init container, in the order they run.',
  ...describedUnder('initContainerStatuses', containerStatusFields),
  'initContainerStatuses.ready':
    'For an init container that runs to its end: whether it ended with exit code 0. For a sidecar, as for an app container: running, started and its readiness probe, if any, passing.',
  ephemeralContainerStatuses: 'The state of each ephemeral container.',
  ...describedUnder('ephemeralContainerStatuses', containerStatusFields),
  'ephemeralContainerStatuses.lastState': 'Empty: an ephemeral container runs once.',
  'ephemeralContainerStatuses.ready': 'Always `false`: an ephemeral container is never ready.',
  'ephemeralContainerStatuses.started': 'Not reported for an ephemeral container, which has no probes.',
  'ephemeralContainerStatuses.restartCount': 'Always 0: an ephemeral container is never restarted.',
};

/** What the server keeps on real objects, which a template's metadata does not use. */
const unusedInTemplate = 'Not used in a template: the server sets it on the objects it keeps.';

/** A PodTemplateSpec's fields, by path from the template (`metadata.labels`, `spec.containers`): a PodTemplate's `template`, and a workload's `spec.template`. */
export const podTemplateFields: FieldDescriptions = {
  '': 'The template of pods: the labels, annotations and spec each pod made from it gets.',
  metadata: 'Labels and annotations for pods made from the template; its other fields are not used.',
  'metadata.labels': 'Labels for pods made from the template. A workload\'s selector must match them.',
  'metadata.annotations': 'Annotations for pods made from the template.',
  'metadata.name': 'Not used: pods made from a template get names of their own from whatever makes them.',
  'metadata.generateName': 'Not used: pods made from a template get names of their own from whatever makes them.',
  'metadata.namespace': 'Not used: pods made from a template go to the namespace of whatever makes them.',
  'metadata.finalizers': 'Not used: pods made from a template get no finalizers from it.',
  'metadata.ownerReferences': 'Not used: pods made from a template are owned by whatever makes them.',
  ...Object.fromEntries(
    [
      'uid',
      'resourceVersion',
      'generation',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'ownerReferences.apiVersion',
      'ownerReferences.kind',
      'ownerReferences.name',
      'ownerReferences.uid',
      'ownerReferences.controller',
      'ownerReferences.blockOwnerDeletion',
      'managedFields',
      'selfLink',
    ].map((path) => [`metadata.${path}`, unusedInTemplate]),
  ),
  spec: 'The spec of each pod made from the template, as a Pod\'s `spec`.',
  ...describedUnder('spec', podSpecFields),
};

/** Field descriptions by kind (descriptionKey). */
export const podDescriptions: Record<string, FieldDescriptions> = {
  '/Pod': {
    '':
      "A group of containers that share an address, volumes and a life cycle, run together on one host. Here a host runs each container as processes of the machine (isolated in its image where the runtime can), from images in the host's image store. Pods are usually made by a workload (a Deployment, a StatefulSet, a Job...).",
    spec: 'What the pod runs and how: its containers, volumes, and where it may be placed. Little of it can change once the pod exists: container images, `activeDeadlineSeconds`, added `tolerations` and the removal of `schedulingGates`.',
    ...describedUnder('spec', podSpecFields),
    status: "The pod's state as the scheduler and its host see it: phase, conditions, addresses and each container's state. Written by them (through `pods/status`), not by users.",
    ...describedUnder('status', podStatusFields),
  },
  '/PodTemplate': {
    '': 'A pod template kept as an object of its own, for tools and controllers to copy pods from. Nothing makes pods from it by itself.',
    ...describedUnder('template', podTemplateFields),
  },
};
