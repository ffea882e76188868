import { labelSelector } from './common';
import { describedUnder, descriptionKey, type FieldDescriptions } from './field-descriptions';

// ---- Shapes several kinds share, by path from where they sit; `what` describes the field itself. ----

/** A core v1 ObjectReference, as Events name their objects. */
function objectReference(what: string): FieldDescriptions {
  return {
    '': what,
    apiVersion: 'The API group and version of the object (`v1`, `apps/v1`).',
    kind: 'The kind of the object (`Pod`, `Node`, `Deployment`).',
    name: 'The name of the object.',
    namespace: 'The namespace of the object; empty for a cluster-scoped one.',
    uid: 'The uid of the object, which tells it apart from an earlier object of the same name.',
    resourceVersion: 'The resourceVersion of the object the reporter saw, when it gave one.',
    fieldPath: 'The part of the object meant, when not the whole of it: `spec.containers{web}` names one container of a pod.',
  };
}

/** A status condition (the shape Namespace and Node share). */
const conditionFields: FieldDescriptions = {
  status: '`True`, `False` or `Unknown`: whether the condition named by `type` holds.',
  message: 'A sentence for people on why the condition is as it is.',
  lastTransitionTime: 'When `status` last changed (RFC 3339).',
  observedGeneration: 'Not set on this kind: its conditions are not tied to a generation of the object.',
  severity: 'Not set on this kind (the condition shape is shared with Cluster API kinds, which rate a false condition `Error`, `Warning` or `Info`).',
};

/** A core v1 Taint. */
const taintFields: FieldDescriptions = {
  key: 'The taint\'s key, a label-style name (`dedicated`, `example.com/maintenance`).',
  value: 'An optional value, which a toleration with operator `Equal` must name.',
  effect:
    '`NoSchedule`: pods that do not tolerate it are not placed here. `NoExecute`: besides, pods already here are deleted unless they tolerate it (after their `tolerationSeconds`, if they set any). `PreferNoSchedule` is accepted, but the scheduler does not weigh it.',
  timeAdded: 'When the taint was added (RFC 3339), if its writer said. Eviction does not read it: `tolerationSeconds` count from when the scheduler saw the pod on the tainted host.',
};

/** A core v1 Toleration. */
const tolerationFields: FieldDescriptions = {
  key: 'The taint key tolerated. Empty, with operator `Exists`, tolerates every taint.',
  operator: '`Equal` (the default: the taint must have `value`) or `Exists` (any value of the key).',
  value: 'The taint value tolerated with `Equal`; empty with `Exists`.',
  effect: 'The taint effect tolerated: `NoSchedule`, `PreferNoSchedule` or `NoExecute`; empty for all three.',
  tolerationSeconds:
    'For a `NoExecute` taint only: how many seconds a pod may stay on a host after the taint appears before it is evicted. Unset means for ever; zero or less means at once.',
};

/** A port of core v1 Endpoints and of an EndpointSlice: the port the endpoints themselves serve. */
const endpointPortFields: FieldDescriptions = {
  name: 'Which Service port this is, matched by name (empty for a single unnamed port). A DNS label, required and unique when there are several ports.',
  port: 'The port number on the endpoints, 1-65535: the Service\'s target port as the pods resolve it.',
  protocol: '`TCP` (the default), `UDP` or `SCTP`.',
  appProtocol: 'The application protocol of the port (`http`, `kubernetes.io/h2c`), copied from the Service port\'s `appProtocol`.',
};

/** A LoadBalancerStatus (Service and Ingress). */
function loadBalancerStatus(what: string, ingress: string): FieldDescriptions {
  return { '': what, ingress };
}

// ---- core v1 ----

const namespaceConditionFields: FieldDescriptions = {
  '': 'What holds up a terminating namespace, as `kubectl describe ns` shows it; set only while the namespace is being deleted.',
  type:
    '`NamespaceContentRemaining` (objects are left), `NamespaceFinalizersRemaining` (objects wait on finalizers), or `NamespaceDeletionDiscoveryFailure`, `NamespaceDeletionContentFailure` and `NamespaceDeletionGroupVersionParsingFailure` (always `False` here).',
  reason:
    'Why, in a CamelCase word: `SomeResourcesRemain` or `SomeFinalizersRemain` while something is left, else `ContentRemoved`, `ContentHasNoFinalizers`, `ContentDeleted` and the like.',
  lastHeartbeatTime: 'Not set on namespaces.',
  ...conditionFields,
  message: 'What is left (`Some resources are remaining: configmaps. has 1 resource instances`), or that nothing is (`All content successfully removed`).',
};

const namespace: FieldDescriptions = {
  '':
    'A cluster-scoped group of objects with its own quotas, limits, policies and pod addresses (one /24 of the pod network). Where hosts give pods networks of their own, pods of other namespaces cannot connect to its pods unless a NetworkPolicy allows it. Deleting a namespace deletes everything in it.',
  spec: 'What must happen before the namespace can be removed. Kept by the server: an update of the namespace leaves it unchanged.',
  'spec.finalizers':
    'Cleanups that must finish before the namespace is removed; the server puts `kubernetes` here at creation. The namespace controller takes it out once every object in the namespace is gone.',
  status: 'The namespace\'s lifecycle, kept by the server.',
  'status.phase':
    '`Active`, or `Terminating` once its deletion has been asked for: its objects are being deleted and no new ones may be created in it. The STATUS column.',
  ...describedUnder('status.conditions', namespaceConditionFields),
};

const event: FieldDescriptions = {
  reason: 'A short CamelCase code for what happened (`Scheduled`, `BackOff`, `NodeNotReady`): the REASON column. At most 128 characters.',
  type: '`Normal`, or `Warning` for something that may need attention.',
  action: 'What the reporter did, or failed to do, about the object (`Binding`, `Killing`). Required with `eventTime`, at most 128 characters.',
  related: 'A second object the event concerns, if any.',
  eventTime: 'When the event happened, to the microsecond, for Events of the newer kind; written back with six fractional digits.',
  series: 'For an event that keeps happening, in the newer kind of Event: how often so far and when last.',
  'series.count': 'How many times the event has happened so far, at least 2.',
  'series.lastObservedTime': 'When the event last happened (to the microsecond).',
  reportingInstance: 'Which instance of the reporter wrote the Event (a host\'s name, a replica\'s id). Required with `eventTime`, at most 128 characters.',
};

/** The older `source` of an Event (core `source`, events.k8s.io `deprecatedSource`). */
const eventSource: FieldDescriptions = {
  component: 'The component that reported the Event (`default-scheduler`, `node-controller`, `spherelet` for a host\'s agent).',
  host: 'The host the reporter runs on, for Events a host\'s agent writes.',
};

const relatedReference = objectReference(event.related);

const coreEvent: FieldDescriptions = {
  ...event,
  '':
    'A report that something happened to an object (a pod was scheduled, a host stopped heartbeating), written by controllers, hosts and clients: what `kubectl get events` and `kubectl describe` show. The same Events are served as `events.k8s.io/v1` Events, with other field names.',
  ...describedUnder('involvedObject', objectReference('The object the Event is about. An Event without `eventTime` must be in its namespace (in `default` for a cluster-scoped object).')),
  ...describedUnder('related', relatedReference),
  message: 'What happened, in words for people; at most 1024 characters.',
  source: 'Who reported the Event, in the older form (the newer is `reportingComponent` and `reportingInstance`).',
  ...describedUnder('source', eventSource),
  firstTimestamp: 'When the event was first seen (RFC 3339).',
  lastTimestamp: 'When the event was last seen (RFC 3339). With `count`, `kubectl describe` shows a repeated event on one line: `4s (x3 over 21s)`.',
  count: 'How many times the event has been seen. A host\'s agent counts a repeated event up on the Event it wrote first instead of writing another.',
  reportingComponent: 'The controller that wrote the Event (`default-scheduler`, `endpointslice-controller`). Required with `eventTime`, as a qualified name.',
  eventTime: `${event.eventTime} Such an Event also needs \`reportingComponent\`, \`reportingInstance\`, \`action\` and \`reason\`.`,
};

const nodeConditionFields: FieldDescriptions = {
  '':
    'The host\'s state: `Ready` (its heartbeats), `NetworkUnavailable` (which pod network it runs) and `ContainerIsolation` (ours: whether containers run isolated in their images).',
  type: '`Ready`, `NetworkUnavailable` or `ContainerIsolation`.',
  reason:
    'For `Ready`: `HostReady` (heartbeats arrive), `HeartbeatMissed` (none for `HOST_GRACE_MS`, 3 s by default), `HostRegistered` or `HostStatusUnknown` (a new run not heard from yet). For `NetworkUnavailable`: `PodNetworkNamespaces` or `LoopbackFallback`; for `ContainerIsolation`: `ImageRootfs` or `HostRoot`.',
  lastHeartbeatTime: 'When the host last heartbeat: the renewal of its Lease in `kube-node-lease`, added when the Node is read (heartbeats are never stored, so the Host object has none).',
  ...conditionFields,
};

const node: FieldDescriptions = {
  '':
    'A host of the cluster (a spherelet-agent and its crx-runtime), seen as a Kubernetes Node: a view of the `Host` (`infrastructure.openpacific.io`) of the same name, registered by its agent. Labels, annotations, cordon and taints written here are kept on the Host.',
  spec: 'Whether and which pods may be placed on the host. Only `unschedulable` and `taints` can be changed; they are kept on the Host.',
  'spec.unschedulable':
    'Whether the host is cordoned: `true` keeps new pods off it (`kubectl cordon`, `kubectl uncordon`) while pods already there keep running. STATUS then shows `SchedulingDisabled`.',
  'spec.providerID': '`openpacific://<host name>`, unless the Host names another id. Read-only.',
  'spec.podCIDR': 'Not set: pods get their addresses by namespace (one /24 of the pod range each), not by host.',
  'spec.taints': 'Marks that keep pods off the host unless they tolerate them (`kubectl taint node`). A host\'s agent adds those of its `HOST_TAINTS` setting at each start.',
  ...describedUnder('spec.taints', taintFields),
  status: 'What the host\'s agent reported when it registered, and the host\'s readiness as the scheduler judges it from heartbeats. Read-only.',
  'status.capacity':
    'What the host offers: `cpu` (cores), `memory` and `pods` (how many it takes), from its agent\'s `HOST_CPU`, `HOST_MEMORY` and `HOST_PODS`; by default the machine\'s cores and memory and 110 pods.',
  'status.allocatable':
    'What pods may request of the host, which the scheduler places them against. The same as `capacity` here: nothing is held back for the system.',
  ...describedUnder('status.conditions', nodeConditionFields),
  'status.addresses': 'How to reach the host: `InternalIP` (its agent\'s `HOST_ADDRESS`: `127.0.0.1` for a Supervisor host, as hosts run on the cluster\'s machine; a guest cluster\'s node, its VM\'s address) and `Hostname` (its name).',
  'status.addresses.type': '`InternalIP` or `Hostname`; hosts report no `ExternalIP`, `InternalDNS` or `ExternalDNS`.',
  'status.addresses.address': 'The address, or the name for `Hostname`.',
  'status.nodeInfo':
    'The host\'s identity and software: `machineID` (32 hex digits) and `systemUUID`, the host\'s own (several hosts share a machine), made from its name and the same at every start; `bootID`, a random UUID new at each start of its agent (a new one records a Warning `Rebooted` Event on the Node); `kubeletVersion` (`v1.32.0-openpacific`, the VERSION column), `osImage`, `kernelVersion`, `operatingSystem` (`linux`), `architecture` and `containerRuntimeVersion` (`crx://<driver>`).',
  'status.runtimeHandlers': 'The runtime handlers a RuntimeClass may name for pods here. Every host has two: the default (empty name) and `crx`.',
  'status.runtimeHandlers.name': 'The handler\'s name, as a RuntimeClass\'s `handler` gives it; empty for the default one.',
  'status.runtimeHandlers.features': 'Optional features the handler supports.',
  'status.runtimeHandlers.features.recursiveReadOnlyMounts': 'Whether the handler can make a read-only mount read-only all the way down (a mount\'s `recursiveReadOnly`). `false` on our hosts.',
  'status.runtimeHandlers.features.userNamespaces': 'Whether the handler can run a pod in a user namespace of its own (`hostUsers: false`). `false` on our hosts.',
};

const immutableData =
  'When `true`, the data and `immutable` itself can no longer change (the metadata still can): delete and recreate the object instead. Unset means changeable.';

const secret: FieldDescriptions = {
  '':
    'A small piece of confidential data (a password, a key, a token, a certificate) that pods and controllers use by name. Encrypted with AES-256-GCM in the event log (key `SECRETS_ENCRYPTION_KEY`) and served decrypted to whoever RBAC lets read Secrets, which the `view` role does not.',
  data: 'The entries: keys of letters, digits, `-`, `_` and `.`, with base64-encoded values. At most 1 MiB in all, decoded.',
  stringData:
    'Entries given as plain text, for convenience: on write each is base64-encoded into `data` (over a key of the same name). Never stored or returned as such.',
  type:
    'What the Secret holds, which decides the keys it needs: `Opaque` (the default: anything), `kubernetes.io/tls` (`tls.crt`, `tls.key`), `kubernetes.io/dockerconfigjson`, `kubernetes.io/basic-auth`, `kubernetes.io/ssh-auth`, `kubernetes.io/service-account-token` (the server fills in `data.token`). Cannot be changed.',
  immutable: immutableData,
};

const configMap: FieldDescriptions = {
  '': 'Configuration that is not secret, for pods to read as environment variables, command arguments or files of a volume, or for any program to read through the API.',
  data: 'Text entries: keys of letters, digits, `-`, `_` and `.` with UTF-8 string values. `data` and `binaryData` hold at most 1 MiB together, and a key may be in only one of them.',
  binaryData: 'Binary entries: values base64-encoded in the object and given to pods as the raw bytes.',
  immutable: immutableData,
};

const resourceQuota: FieldDescriptions = {
  '':
    'Limits on what the objects of a namespace may use in all: pods, CPU and memory, storage, numbers of objects. The policy service weighs every write against them (exactly, even across replicas) and refuses one that would exceed them with a 403. Once a namespace has a quota, only the storage classes a quota names may be used in it.',
  spec: 'The limits, and which pods they apply to.',
  'spec.hard':
    'The most the namespace may use of each resource named: `pods`, `requests.cpu` (or `cpu`), `requests.memory`, `limits.cpu`, `limits.memory`, `requests.storage`, `persistentvolumeclaims`, `<class>.storageclass.storage.k8s.io/requests.storage`, `count/<resource>.<group>`, `services.nodeports`, `services.loadbalancers`, `configmaps`, `secrets`, `services`.',
  'spec.scopes':
    'Limits the quota to the pods matching all these: `Terminating` or `NotTerminating` (with or without `activeDeadlineSeconds`), `BestEffort` or `NotBestEffort`, `PriorityClass` (having one), `CrossNamespacePodAffinity`. A scoped quota counts nothing else; its scopes cannot change.',
  'spec.scopeSelector': 'Scopes written as requirements with operators and values; the way to limit a quota to pods of given priority classes.',
  'spec.scopeSelector.matchExpressions': 'Requirements that must all hold, along with `scopes`, for a pod to count against the quota.',
  'spec.scopeSelector.matchExpressions.scopeName': 'The scope, one of the names `scopes` takes (`PriorityClass`, `BestEffort`, `Terminating`...).',
  'spec.scopeSelector.matchExpressions.operator':
    '`Exists` for every scope but `PriorityClass`, which also takes `In`, `NotIn` and `DoesNotExist` about the pod\'s `priorityClassName`.',
  'spec.scopeSelector.matchExpressions.values': 'The priority class names for `In` and `NotIn`; empty for `Exists` and `DoesNotExist`.',
  status: 'The limits in force and what is used, kept by the policy service.',
  'status.hard': 'The limits in force: a copy of `spec.hard`.',
  'status.used': 'What the namespace\'s objects use now of each resource in `hard` (of a scoped quota, the pods it matches).',
};

const limitRange: FieldDescriptions = {
  '':
    'Defaults and bounds per object in a namespace: CPU and memory of each container or pod, storage of each claim. The policy service applies it when pods are created and claims written, filling in defaults and refusing what is out of bounds with a 403. A VirtualMachine\'s class is held to the `Container` maximum too.',
  spec: 'The limits, by the kind of thing they constrain.',
  'spec.limits': 'The entries; when several have one `type`, all of them apply.',
  'spec.limits.type': 'What the entry constrains: `Container` (each container and init container), `Pod` (the sum of a pod\'s containers) or `PersistentVolumeClaim` (a claim\'s storage request).',
  'spec.limits.default': 'The limits (`cpu`, `memory`) a container gets when it sets none. `Container` entries only; when unset, `max`.',
  'spec.limits.defaultRequest': 'The requests a container gets when it sets none. `Container` entries only; when unset, `default`, else `min`.',
  'spec.limits.min': 'The least a container or pod may request of each resource (for a claim, the least storage).',
  'spec.limits.max': 'The most a container or pod may have as its limit of each resource (for a claim, the most storage). A VirtualMachine\'s class must fit the `Container` maximum.',
  'spec.limits.maxLimitRequestRatio': 'The largest limit-to-request ratio per resource: `cpu: 2` lets a limit be at most twice the request.',
};

const serviceAccount: FieldDescriptions = {
  '':
    'An identity for programs in pods (and for tools) to call the API with: `system:serviceaccount:<namespace>:<name>`, given rights by RBAC bindings. Every namespace has a `default` one; pods get a short-lived token of their account unless that is turned off.',
  secrets: 'Secrets tied to the account, as object references. Nothing fills or reads it here: a token Secret is tied by its `kubernetes.io/service-account.name` annotation.',
  imagePullSecrets: 'Registry credentials for pulling the images of the account\'s pods. Accepted but not used: hosts never pull images, they run those imported into their store.',
  automountServiceAccountToken:
    '`false` stops pods of the account getting the API token volume at `/var/run/secrets/kubernetes.io/serviceaccount`. A pod\'s own `automountServiceAccountToken` wins; unset means mounted.',
};

const service: FieldDescriptions = {
  '':
    'A stable address and port for the pods a label selector picks, with connections spread round robin over the ready ones. The elected vm-operator\'s balancer listens on the cluster IP (and a LoadBalancer\'s address and node ports), and cluster DNS names it `<name>.<namespace>.svc.cluster.local`.',
  spec: 'How the Service is reached and which pods serve it. A field not listed here is refused under kubectl\'s default strict validation (`unknown field "spec.sessionAfinity"`).',
  'spec.externalName': 'For `ExternalName`: the DNS name the Service is an alias of; cluster DNS answers the Service\'s name with a CNAME to it. Required for that type, not allowed for the others.',
  'spec.sessionAffinityConfig': 'Settings of `ClientIP` session affinity; set by default for it, not allowed with `None`.',
  'spec.sessionAffinityConfig.clientIP': 'The client address stickiness.',
  'spec.sessionAffinityConfig.clientIP.timeoutSeconds': 'Seconds a client may be quiet and keep its endpoint: more than 0 and at most 86400; default 10800 (three hours).',
  'spec.loadBalancerIP': 'An address asked of the load balancer. Kept; the address given is the one of the LoadBalancer range the Service\'s cluster IP maps to.',
  'spec.loadBalancerSourceRanges': 'Client address ranges (CIDRs) a load balancer should accept. Kept, not enforced by the balancer.',
  'spec.loadBalancerClass': 'Which load balancer implementation serves a `LoadBalancer` Service; unset means the cluster\'s own (the vm-operator\'s balancer). It cannot change once set.',
  'spec.healthCheckNodePort': 'For a `LoadBalancer` with `externalTrafficPolicy: Local` only: a node port (allocated unless chosen, kept on update, freed when the policy or type changes away) on which each host answers kube-proxy\'s health check: `200` while it has a ready endpoint of the Service, `503` otherwise. It cannot change while the Service needs it.',
  'spec.allocateLoadBalancerNodePorts':
    'For `LoadBalancer` only (refused on other types, and dropped when the type changes away): `true` by default, giving every port a node port. `false` gives one only to the ports that name a `nodePort` (still held, so no other Service may take it); the others have none and are reached at the cluster IP and the load balancer address. Set back to `true`, the ports without one get one; set to `false`, node ports already given are kept. The `services.nodeports` quota counts only the named ones when it is `false`.',
  'spec.trafficDistribution': 'A hint on how to prefer endpoints (`PreferClose`). Kept, not used by the balancer.',
  'spec.type':
    '`ClusterIP` (the default: an address inside the cluster), `NodePort` (also a port 30000-32767 on `127.0.0.1` of the cluster\'s machine), `LoadBalancer` (also an address of the LoadBalancer range) or `ExternalName` (a DNS alias for `externalName`, without a proxy).',
  'spec.ports': 'The ports the Service serves; required unless it is headless or `ExternalName`.',
  'spec.ports.name': 'The port\'s name, a DNS label; required, and unique, when there are several ports. The endpoints\' ports repeat it.',
  'spec.ports.protocol': '`TCP` (the default), `UDP` or `SCTP`. TCP and UDP are proxied; SCTP ports get endpoints but no proxy.',
  'spec.ports.appProtocol': 'The application protocol spoken on the port (`http`, `kubernetes.io/h2c`), a hint for tools; copied to the endpoints, not used by the balancer.',
  'spec.ports.port': 'The port the Service listens on at its addresses, 1-65535.',
  'spec.ports.targetPort':
    'The pods\' port connections are sent to: a number, or the name of a container port looked up on each pod. Defaults to `port`; a pod without the named port is left out, with a `FailedToResolveTargetPort` Event.',
  'spec.ports.nodePort':
    'For `NodePort` and `LoadBalancer`: a port, 30000-32767, also listened on at `127.0.0.1` of the cluster\'s machine. Picked at random when not given, except for a `LoadBalancer` with `allocateLoadBalancerNodePorts: false`, whose port then has none; no other Service may hold it.',
  'spec.selector':
    'Labels of the pods to send traffic to: pods of the Service\'s namespace that carry them all. Without one, the Service\'s endpoints are the EndpointSlices (or Endpoints) someone else writes for it.',
  'spec.clusterIP':
    'The address inside the cluster, picked at random from the service range (`SERVICE_CIDR`) unless given; it cannot change. `None` makes the Service headless: no address or proxy, and DNS answers with the pods\' addresses.',
  'spec.clusterIPs': 'The cluster addresses as a list: on our IPv4, single-stack cluster, just `clusterIP`.',
  'spec.externalIPs': 'More addresses for the Service. Kept and shown as EXTERNAL-IP by `kubectl get svc`, but nothing listens on them here.',
  'spec.sessionAffinity':
    '`None` (the default) or `ClientIP`: a client address keeps going to the endpoint it last reached until it has been quiet for `sessionAffinityConfig.clientIP.timeoutSeconds` (10800 by default).',
  'spec.ipFamilies': 'The IP families of the cluster addresses: `[IPv4]`, as the cluster is IPv4 only (a headless Service without a selector gets `[IPv4, IPv6]`, as in Kubernetes).',
  'spec.ipFamilyPolicy':
    '`SingleStack` (the default), `PreferDualStack` or `RequireDualStack` (what a headless Service without a selector gets). Addresses are IPv4 whatever it says.',
  'spec.internalTrafficPolicy': '`Cluster` (the default): connections from inside the cluster go to any ready endpoint. `Local` is accepted, but the balancer treats it as `Cluster`.',
  'spec.externalTrafficPolicy':
    'For `NodePort` and `LoadBalancer` Services and those with `externalIPs`: `Cluster` (the default) or `Local`. With `Local`, a host\'s node port (on the host\'s own address, which its Node\'s annotation `openpacific.io/node-port-address` names: `127.<100 + n>.0.1` for `host-<n>` up to 150) reaches only the endpoints on that host, and refuses connections when it has none; the cluster IP, the load balancer address and `127.0.0.1` still reach every ready endpoint.',
  'spec.publishNotReadyAddresses':
    'When `true`, every pod the Service selects counts as ready, Ready or not: it gets connections and a DNS name from the start, so a StatefulSet\'s members can find each other before they are Ready.',
  status: 'What the cluster made for the Service, kept by the Service controller.',
  ...describedUnder(
    'status.loadBalancer',
    loadBalancerStatus(
      'The LoadBalancer\'s address, once the balancer listens on it.',
      'For a `LoadBalancer`: `[{ip, ipMode: VIP}]`, the address of the LoadBalancer range at its cluster IP\'s offset (`10.96.0.7` gets `10.128.0.7`). EXTERNAL-IP shows `<pending>` until then.',
    ),
  ),
  'status.conditions': 'Conditions of the Service; none are set here.',
};

const endpointAddress: FieldDescriptions = {
  ip: 'The endpoint\'s IP address; it may not be unspecified or link-local. Loopback addresses are allowed here, as pods may live on loopback.',
  hostname: 'The endpoint\'s host name, a DNS label: a pod\'s `spec.hostname` when its `spec.subdomain` is the Service. Cluster DNS then answers `<hostname>.<service>.<namespace>.svc.cluster.local`.',
  nodeName: 'The host the endpoint runs on.',
  targetRef: 'The object behind the address, usually its pod (`kind`, `namespace`, `name`, `uid`).',
};

const endpoints: FieldDescriptions = {
  '':
    'The addresses and ports behind the Service of the same name. The Service controller writes them for a Service with a selector; for one without, you may write them yourself, and they are copied into EndpointSlices, the newer form of the same list.',
  subsets: 'Groups of addresses that serve the same ports. None when no pod is behind the Service.',
  'subsets.addresses': 'Endpoints ready for traffic: for the controller\'s Endpoints, the Ready pods.',
  ...describedUnder('subsets.addresses', endpointAddress),
  'subsets.notReadyAddresses': 'Endpoints that exist but get no traffic, such as pods not Ready yet.',
  ...describedUnder('subsets.notReadyAddresses', endpointAddress),
  'subsets.ports': 'The ports every address of the subset serves.',
  ...describedUnder('subsets.ports', endpointPortFields),
};

const componentStatus: FieldDescriptions = {
  '':
    'The health of one part of the control plane (`event-store`, `nats`, `cluster-api`, `garbage-collector`, `policy`, `scheduler`, `vm-operator`), checked on each request and never stored. Deprecated in Kubernetes but still served; get and list only.',
  conditions: 'One condition, `Healthy`.',
  'conditions.type': '`Healthy`.',
  'conditions.status': '`True` when the part answers (for an elected service, when some instance holds its leader lock), else `False`.',
  'conditions.message': '`ok` when healthy.',
  'conditions.error': 'Why the part is unhealthy, such as `no instance holds the "scheduler" leader lock`.',
};

// ---- events.k8s.io ----

const eventsV1Event: FieldDescriptions = {
  ...event,
  '':
    'The core v1 Events in their newer shape: each Event can be read and written through either group (`regarding` is `involvedObject`, `note` is `message`, the `deprecated...` fields are the core ones). Written through this group, an Event needs `eventTime`, `reportingController`, `reportingInstance`, `action`, `reason` and a `type`, and an update may change only `series`.',
  eventTime: `${event.eventTime} Required in this group; \`null\` for an Event written in the core shape without one.`,
  reportingController: 'The controller that wrote the Event, as a qualified name (`example.com/agent`); the core `reportingComponent`. Required.',
  ...describedUnder('regarding', objectReference('The object the Event is about; the core `involvedObject`.')),
  ...describedUnder('related', relatedReference),
  note: 'What happened, in words for people; at most 1024 characters. The core `message`.',
  deprecatedSource: 'The core `source`, set by older writers; must be left out through this group.',
  ...describedUnder('deprecatedSource', eventSource),
  deprecatedFirstTimestamp: 'The core `firstTimestamp`; must be left out through this group.',
  deprecatedLastTimestamp: 'The core `lastTimestamp`; must be left out through this group.',
  deprecatedCount: 'The core `count`; must be left out through this group, which counts repeats in `series`.',
};

// ---- discovery.k8s.io ----

const endpointSlice: FieldDescriptions = {
  '':
    'A part of a Service\'s endpoints (the Service controller puts at most 100 in one), found by its label `kubernetes.io/service-name`. The Service controller writes them for Services with a selector; for one without, write your own (or Endpoints, which are copied): the balancer, the ingress controller and cluster DNS read them.',
  addressType: '`IPv4`, `IPv6` or `FQDN`: the kind of every address in the slice. Required; only `IPv4` slices are used for proxying and DNS here.',
  endpoints: 'The endpoints, each a pod or an address.',
  'endpoints.addresses': 'The endpoint\'s addresses, of the slice\'s `addressType`: for a pod, its IP.',
  'endpoints.conditions': 'The endpoint\'s state. A missing `ready` or `serving` counts as true.',
  'endpoints.conditions.ready': 'Whether the endpoint should get new connections: for a pod, Ready and not terminating (always `true` when the Service has `publishNotReadyAddresses`).',
  'endpoints.conditions.serving':
    'Whether the endpoint can serve, terminating or not: for a pod, its Ready condition. When no endpoint is `ready`, the balancer uses those `serving` and `terminating`.',
  'endpoints.conditions.terminating': 'Whether the endpoint is going away (its pod is being deleted). A terminating pod stays in the slice through its grace period.',
  'endpoints.targetRef': 'The object behind the endpoint, usually its pod (with its uid).',
  'endpoints.nodeName': 'The host the endpoint runs on.',
  'endpoints.hostname':
    'The endpoint\'s DNS host name: a pod\'s `spec.hostname` when its `spec.subdomain` is the Service. Cluster DNS answers `<hostname>.<service>.<namespace>.svc.cluster.local` with its address.',
  'endpoints.zone': 'The zone the endpoint is in. The Service controller leaves it unset.',
  ports: 'The ports every endpoint of the slice serves: the Service\'s ports at the target port its pods resolve. Pods resolving a named port to different numbers go in different slices.',
  ...describedUnder('ports', endpointPortFields),
};

// ---- networking.k8s.io ----

const policyPeer: FieldDescriptions = {
  ...describedUnder(
    'podSelector',
    labelSelector('Pods the peer matches: of the policy\'s namespace, or of the namespaces `namespaceSelector` picks when both are given. `{}` means every pod.'),
  ),
  ...describedUnder(
    'namespaceSelector',
    labelSelector('Namespaces whose pods the peer matches, by their labels (each carries `kubernetes.io/metadata.name: <name>`); `{}` means all. With `podSelector`, only pods matching both.'),
  ),
  ipBlock: 'A range of addresses the peer matches, pods\' addresses included. Not together with a selector.',
  'ipBlock.cidr': 'The range, as an IPv4 CIDR (`10.64.3.0/24`).',
  'ipBlock.except': 'Ranges to leave out, each strictly inside `cidr`.',
};

const policyPort: FieldDescriptions = {
  protocol: '`TCP` (the default), `UDP` or `SCTP`.',
  port: 'A port number, or the name of a container port looked up on the destination pod. Without it, every port of the protocol.',
  endPort: 'The last port of a range that starts at `port`, which must then be a number no greater than it.',
};

const networkPolicy: FieldDescriptions = {
  '':
    'Which connections the pods it selects may take (ingress) and open (egress), enforced by the elected vm-operator with nftables where pods have network namespaces of their own. Unlike in Kubernetes, a pod no ingress policy selects takes connections from its own namespace only (and from outside the pod network).',
  spec: 'Which pods the policy is about, and what it lets them do.',
  ...describedUnder('spec.podSelector', labelSelector('The pods of the policy\'s namespace it applies to; `{}` selects them all.')),
  'spec.policyTypes': '`Ingress`, `Egress` or both: the directions the policy restricts. Defaults to `[Ingress]`, with `Egress` too when `egress` rules are given.',
  'spec.ingress':
    'Rules for incoming connections: a selected pod takes a new connection when some rule of the policies selecting it allows it. No rules allows nothing.',
  'spec.ingress.from': 'The sources the rule allows; any one of them will do. Without `from`, every source.',
  ...describedUnder('spec.ingress.from', policyPeer),
  'spec.ingress.ports': 'The destination ports the rule allows. Without it, every port and protocol.',
  ...describedUnder('spec.ingress.ports', policyPort),
  'spec.egress': 'Rules for new connections the selected pods open to pods and Services; traffic leaving the pod network is not filtered. No rules allows nothing.',
  'spec.egress.to': 'The destinations the rule allows; any one of them will do. Without `to`, every destination.',
  ...describedUnder('spec.egress.to', policyPeer),
  'spec.egress.ports': 'The destination ports the rule allows. Without it, every port and protocol.',
  ...describedUnder('spec.egress.ports', policyPort),
};

const ingressBackend: FieldDescriptions = {
  service: 'A Service of the Ingress\'s namespace to send the requests to, spread over its ready endpoints.',
  'service.name': 'The Service\'s name.',
  'service.port': 'The Service port, by `number` or by `name`.',
  'service.port.name': 'The Service port\'s name.',
  'service.port.number': 'The Service port\'s number, 1-65535.',
  resource: 'Another object of the namespace as the backend, instead of a Service. Accepted, but the built-in controller does not route to it (404).',
  'resource.apiGroup': 'The object\'s API group; empty for the core group.',
  'resource.kind': 'The object\'s kind.',
  'resource.name': 'The object\'s name.',
};

const ingress: FieldDescriptions = {
  '':
    'Routes for HTTP requests, by host and path, to Services, served by the controller of its class. The built-in class `openpacific` is served by the elected vm-operator at one address (the `.10` of the LoadBalancer range), port 80, and 443 for `tls` entries.',
  spec: 'The routes and the class that serves them.',
  'spec.ingressClassName':
    'The IngressClass that serves the Ingress. Left out (and without the older `kubernetes.io/ingress.class` annotation), the default class (annotated `ingressclass.kubernetes.io/is-default-class`, `openpacific` at first) is filled in at creation.',
  'spec.defaultBackend': 'Where requests that match no rule go. Of several Ingresses that have one, the oldest\'s is used; with none, such requests get 404.',
  ...describedUnder('spec.defaultBackend', ingressBackend),
  'spec.rules': 'Routes by host, then by path. The rules of every Ingress of the class are served together.',
  'spec.rules.host':
    'The host name the rule is for (`shop.example.com`), or a wildcard standing for one more label (`*.example.com`); not an IP address. Without it, the rule takes requests no host rule takes.',
  'spec.rules.http': 'The rule\'s HTTP paths.',
  'spec.rules.http.paths': 'Paths and their backends. Of the paths matching a request, the longest wins, `Exact` before `Prefix` at equal length.',
  'spec.rules.http.paths.path': 'The path to match; it must start with `/` for `Exact` and `Prefix`.',
  'spec.rules.http.paths.pathType':
    'Required: `Exact` (the whole path), `Prefix` (by `/`-separated elements: `/a` matches `/a/b`, not `/ab`) or `ImplementationSpecific` (matched as `Prefix` here).',
  'spec.rules.http.paths.backend': 'Where matching requests go.',
  ...describedUnder('spec.rules.http.paths.backend', ingressBackend),
  'spec.tls': 'Certificates for hosts: with one, the controller also serves HTTPS on port 443, picking the certificate by the name the client asks for (SNI).',
  'spec.tls.hosts': 'The host names the certificate is for (wildcards allowed). An entry without hosts serves names no other entry has.',
  'spec.tls.secretName': 'A `kubernetes.io/tls` Secret of the Ingress\'s namespace holding `tls.crt` and `tls.key`. One that is missing or unreadable is passed over.',
  status: 'Where the Ingress is served, kept by its controller.',
  ...describedUnder(
    'status.loadBalancer',
    loadBalancerStatus(
      'The addresses the Ingress answers on.',
      '`[{ip}]`: the class\'s address (such as `127.203.0.10`), set when the controller first serves the Ingress. The ADDRESS column.',
    ),
  ),
};

const ingressClass: FieldDescriptions = {
  '': 'A kind of Ingress, and the controller that serves it. The cluster starts with `openpacific` (controller `openpacific.io/ingress`), the default class.',
  spec: 'The controller of the class, and its configuration.',
  'spec.controller':
    'The controller\'s name, a domain-prefixed path (`openpacific.io/ingress`). Required and cannot change; Ingresses of a class with another controller are left to that controller.',
  'spec.parameters': 'An object holding the controller\'s configuration for the class. The built-in controller reads none.',
  'spec.parameters.apiGroup': 'The parameters object\'s API group; empty for the core group.',
  'spec.parameters.kind': 'The parameters object\'s kind. Required.',
  'spec.parameters.name': 'The parameters object\'s name. Required.',
  'spec.parameters.scope': '`Cluster` (the default: a cluster-scoped object) or `Namespace` (then `namespace` says which).',
  'spec.parameters.namespace': 'The parameters object\'s namespace, with `scope: Namespace` only.',
};

// ---- coordination.k8s.io, scheduling.k8s.io, node.k8s.io ----

const microTime = 'written back in UTC with six fractional digits';

const lease: FieldDescriptions = {
  '':
    'A claim with an expiry, for leader election: the holder renews it, others may take it over when it lapses (client-go\'s leader election works against it). `kube-node-lease` holds one per host, renewed from its heartbeats, never stored and not writable.',
  spec: 'Who holds the lease, and until when.',
  'spec.holderIdentity': 'Who holds the lease (a candidate\'s id; for a node Lease, the host\'s name). The HOLDER column.',
  'spec.leaseDurationSeconds': 'How long the lease lasts after `renewTime`, in seconds; once that has passed, others may take it. Above 0; 40 for node Leases.',
  'spec.acquireTime': `When the current holder took the lease (${microTime}). For a node Lease, when the host's current run began.`,
  'spec.renewTime': `When the holder last renewed the lease (${microTime}). A node Lease is renewed from heartbeats, at most every 10 s.`,
  'spec.leaseTransitions': 'How many times the lease has changed hands; at least 0.',
  'spec.strategy': 'For coordinated leader election: how the leader is chosen, `OldestEmulationVersion` or a domain-prefixed name of your own.',
  'spec.preferredHolder': 'For coordinated leader election: the candidate that should hold the lease next, which asks the holder to let go. Only with `strategy`.',
};

const priorityClass: FieldDescriptions = {
  '':
    'A name for a pod priority. A pod naming it in `spec.priorityClassName` gets its `value` and `preemptionPolicy`; the scheduler places higher priorities first and may preempt lower ones to make room. `system-cluster-critical` and `system-node-critical` always exist.',
  value: 'The priority: higher is more important. At most 1000000000 for classes of your own (the system classes are above); cannot change.',
  globalDefault: 'Whether pods that name no class get this one. Only one class may say `true`; with none, such pods get priority 0.',
  description: 'Free text on what the class is for.',
  preemptionPolicy:
    '`PreemptLowerPriority` (the default: a pod that fits nowhere may have lower-priority pods deleted to make room) or `Never` (it waits instead). Cannot change.',
};

const runtimeClass: FieldDescriptions = {
  '':
    'A name pods give in `spec.runtimeClassName` for the runtime handler that runs them, with what such pods cost beyond their containers and where they may run. Admission applies it to each new pod.',
  handler:
    'The runtime handler, a DNS label that cannot change. Our hosts have `crx`; a pod of a class naming another is placed but waits in `ContainerCreating` (`FailedCreatePodSandBox`).',
  overhead: 'What each pod of the class costs beyond its containers.',
  'overhead.podFixed': 'Resources (`cpu`, `memory`) set as each pod\'s `spec.overhead`: the scheduler and quota count them on top of the containers\' requests.',
  scheduling: 'Where pods of the class may run, applied to each pod at admission.',
  'scheduling.nodeSelector': 'Host labels merged into each pod\'s `nodeSelector`. A pod asking another value for one of the keys is refused.',
  'scheduling.tolerations': 'Tolerations added to each pod of the class.',
  ...describedUnder('scheduling.tolerations', tolerationFields),
};

// ---- metrics.k8s.io ----

const sampleTimes: FieldDescriptions = {
  timestamp: 'When the sample\'s window ends (RFC 3339).',
  window: 'How long the sample covers, which CPU use is averaged over (`10.004s`: about the agent\'s `METRICS_INTERVAL_MS`).',
};

const nodeMetrics: FieldDescriptions = {
  '':
    'A host\'s CPU and memory use now, as `kubectl top nodes` shows it: computed on each request from the host\'s latest sample, never stored. Get and list only.',
  ...sampleTimes,
  usage:
    'What the host uses: `cpu` in cores (`250m`) and `memory` as working set (`12Mi`). The sum of its running containers and its own agent and runtime, not the whole machine.',
};

const podMetrics: FieldDescriptions = {
  '':
    'A pod\'s CPU and memory use now, per container, as `kubectl top pods` shows it: computed on each request from its host\'s latest sample, never stored. A new pod shows up one interval after it starts.',
  ...sampleTimes,
  containers: 'The use of each of the pod\'s running containers.',
  'containers.name': 'The container\'s name.',
  'containers.usage': 'What the container uses: `cpu` in cores averaged over `window`, and `memory` as working set (resident memory less inactive file cache).',
};

/** Field descriptions by kind (descriptionKey). */
export const coreDescriptions: Record<string, FieldDescriptions> = {
  [descriptionKey('', 'Namespace')]: namespace,
  [descriptionKey('', 'Event')]: coreEvent,
  [descriptionKey('', 'Node')]: node,
  [descriptionKey('', 'Secret')]: secret,
  [descriptionKey('', 'ConfigMap')]: configMap,
  [descriptionKey('', 'ResourceQuota')]: resourceQuota,
  [descriptionKey('', 'LimitRange')]: limitRange,
  [descriptionKey('', 'ServiceAccount')]: serviceAccount,
  [descriptionKey('', 'Service')]: service,
  [descriptionKey('', 'Endpoints')]: endpoints,
  [descriptionKey('', 'ComponentStatus')]: componentStatus,
  [descriptionKey('events.k8s.io', 'Event')]: eventsV1Event,
  [descriptionKey('discovery.k8s.io', 'EndpointSlice')]: endpointSlice,
  [descriptionKey('networking.k8s.io', 'NetworkPolicy')]: networkPolicy,
  [descriptionKey('networking.k8s.io', 'Ingress')]: ingress,
  [descriptionKey('networking.k8s.io', 'IngressClass')]: ingressClass,
  [descriptionKey('coordination.k8s.io', 'Lease')]: lease,
  [descriptionKey('scheduling.k8s.io', 'PriorityClass')]: priorityClass,
  [descriptionKey('node.k8s.io', 'RuntimeClass')]: runtimeClass,
  [descriptionKey('metrics.k8s.io', 'NodeMetrics')]: nodeMetrics,
  [descriptionKey('metrics.k8s.io', 'PodMetrics')]: podMetrics,
};
