/**
 * A kind served by the api-gateway is one declarative entry of this shape. Later
 * issues add kinds by adding entries to the registry (`resources/index.ts`).
 */
export type JsonSchema = Record<string, any>;

export interface PrinterColumn {
  /** Header as kubectl shows it (kubectl upper-cases it). */
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /**
   * Either a JSONPath into the object (`.status.phase`, filters such as
   * `.status.conditions[?(@.type=="Ready")].status` allowed) or a template of
   * several paths: `{.involvedObject.kind}/{.involvedObject.name}`.
   */
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
  /** A cell no JSONPath can express (Node's `Ready,SchedulingDisabled`); used instead of jsonPath. */
  value?: (obj: any) => unknown;
  /** A cell that is a length of time (a Job's DURATION), in ms at `now`; shown as kubectl shows ages, empty when undefined. */
  duration?: (obj: any, now: Date) => number | undefined;
  /** What a `duration` cell shows when there is no length of time (default: nothing). */
  absent?: string;
  /** A `date` cell shown as the timestamp it is, not as an age (kube-apiserver's default table: Created At). */
  timestamp?: boolean;
}

export interface ResourceVersionDefinition {
  name: string;
  served: boolean;
  storage: boolean;
  /** OpenAPI v3 schema of the whole object (apiVersion, kind, metadata, spec, status...). */
  schema: JsonSchema;
  printerColumns: PrinterColumn[];
  /** A custom kind's field selectors besides metadata.name and metadata.namespace (`spec.color`): its selectableFields. */
  selectableFields?: string[];
  /** A deprecated version's warning, sent with every request to it (a `Warning: 299` header kubectl prints). */
  deprecationWarning?: string;
}

export interface ResourceDefinition {
  /** API group; '' for the core group (served under /api/v1). */
  group: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  scope: 'Namespaced' | 'Cluster';
  /** Newest first: the first served version is the preferred one. */
  versions: ResourceVersionDefinition[];
  /** The verbs discovery lists; every verb when absent (read-only kinds such as AuditRecord say `get`, `list`). */
  verbs?: string[];
  subresources: {
    status?: boolean;
    /**
     * `labelSelectorPath`: where the Scale's `status.selector` is read (a custom kind's); `selector`: the string a
     * built-in kind computes for it (a ReplicationController's label map); `status.selector` otherwise.
     */
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string; selector?: (obj: any) => string };
    /**
     * Subresources that write one field of `spec` and nothing else (`pods/ephemeralcontainers` writes
     * `spec.ephemeralContainers`): GET answers the object, PUT and PATCH take the whole object and keep only that
     * field of it. By subresource name, the field's name under `spec`.
     */
    specFields?: Record<string, string>;
    /**
     * Subresources that write one field of `status` and nothing else (`certificatesigningrequests/approval` writes
     * `status.conditions`), taken as `specFields` are.
     */
    statusFields?: Record<string, string>;
    /** Subresources of another kind that the gateway answers itself (`pods/eviction`, `serviceaccounts/token`), for discovery. */
    served?: Array<{ name: string; group: string; version: string; kind: string; verbs: string[] }>;
  };
  /** Built-in kinds accept strategic merge patches; custom kinds answer 415. */
  strategicMergePatch: boolean;
  /**
   * A DELETE that removes an object at once answers with the object itself, not with the Status that names it
   * (kube-apiserver's `ReturnDeletedObject`, which a few core kinds set: Pod, Service, Namespace, ...). Clients
   * written against kube-apiserver read one or the other by kind. A deletion that waits (finalizers, a graceful
   * pod, a terminating namespace) answers with the object, now with its deletionTimestamp, for every kind.
   */
  returnsDeletedObject?: boolean;
  /**
   * Names must be DNS-1123 labels (Namespace), DNS-1035 labels (Service), DNS-1123 subdomains (most kinds), or only one
   * path segment: not `.` or `..`, no `/` or `%` (the RBAC kinds: `system:basic-user`).
   */
  nameFormat: 'dns1123-label' | 'dns1123-subdomain' | 'dns1035-label' | 'path-segment';
  /**
   * Patch-merge keys for lists inside this kind, by JSON path with `[]` for list
   * items (`spec.containers` -> `name`), used by strategic merge patch.
   */
  mergeKeys?: Record<string, string>;
  /**
   * A view kind has no objects of its own: it is another resource's objects
   * shown in a different shape (core v1 Node is a view of Host). Reads convert
   * with `toView`, writes convert back with `fromView` onto the stored object.
   * `creates`: new objects may be created through the view (`fromView` then gets no stored object), as
   * events.k8s.io/v1 Events are core Events created in their newer shape.
   */
  viewOf?: { resource: string; toView: (stored: any) => any; fromView: (view: any, stored: any) => any; creates?: boolean };
  /**
   * Conversion between served versions. Objects are stored at the storage
   * version only; without `conversion` every version has the same shape and
   * only `apiVersion` changes. Both functions return new objects and never
   * mutate their arguments.
   */
  conversion?: ResourceConversion;
  /**
   * A custom kind converted between versions by a webhook (its CRD's `spec.conversion.strategy: Webhook`): where
   * the webhook is and the ConversionReview versions it reads. The api-gateway calls it for every object read or
   * written at a version other than the one it is stored at.
   */
  conversionWebhook?: { clientConfig: { url?: string; service?: { namespace?: string; name?: string; path?: string; port?: number }; caBundle?: string }; reviewVersions: string[] };
  /**
   * A custom kind's structural schema (CustomResourceDefinition): fields an object schema does not declare are
   * unknown unless it says `x-kubernetes-preserve-unknown-fields`, and `default`s are filled in.
   */
  structural?: boolean;
}

export interface ResourceConversion {
  /**
   * Turns an object a client wrote at `fromVersion` into the storage shape
   * (`apiVersion` set to the storage version). On update pass the current stored
   * object as `stored`: fields `fromVersion` cannot express are kept from it, so a
   * v1alpha1 client's update does not wipe v1alpha5-only fields. Fields of
   * `fromVersion` that storage cannot express are kept in an annotation of the
   * stored object and given back by `fromStorage` to that version.
   */
  toStorage(obj: any, fromVersion: string, stored?: any): any;
  /** Shows a stored object at `toVersion` (any served version, `apiVersion` set). */
  fromStorage(obj: any, toVersion: string): any;
}

export function apiVersionOf(def: Pick<ResourceDefinition, 'group'>, version: string): string {
  return def.group ? `${def.group}/${version}` : version;
}

/** `namespaces`, `virtualmachines.vmoperator.vmware.com`: how kube-apiserver names a resource in messages. */
export function qualifiedResource(def: Pick<ResourceDefinition, 'group' | 'plural'>): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

export function storageVersion(def: ResourceDefinition): ResourceVersionDefinition {
  const v = def.versions.find((x) => x.storage);
  if (!v) throw new Error(`resource ${def.plural} has no storage version`);
  return v;
}

/**
 * The built-in kinds whose objects carry `metadata.generation`, as kube-apiserver 1.32's strategies set it (1 on
 * create, one up when the spec changes): the workloads, and the kinds whose controllers report an
 * `observedGeneration`. The other built-in kinds (Pod, Service, ConfigMap, Secret, Namespace, Node, Event,
 * Endpoints, PersistentVolume(Claim), ControllerRevision, RBAC, ...) have none. Every custom kind has one.
 */
const GENERATION_KINDS = new Set([
  'apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet', '/ReplicationController', 'batch/Job', 'batch/CronJob',
  'policy/PodDisruptionBudget', 'autoscaling/HorizontalPodAutoscaler', 'networking.k8s.io/NetworkPolicy', 'networking.k8s.io/Ingress',
  'networking.k8s.io/IngressClass', 'discovery.k8s.io/EndpointSlice', 'apiextensions.k8s.io/CustomResourceDefinition',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
]);

/** Does an object of this kind carry `metadata.generation`? Custom kinds (served as CRDs are, no strategic merge patch) always do. */
export function carriesGeneration(def: Pick<ResourceDefinition, 'group' | 'kind' | 'strategicMergePatch'>): boolean {
  return !def.strategicMergePatch || GENERATION_KINDS.has(`${def.group}/${def.kind}`);
}
