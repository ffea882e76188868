import type { FieldDescriptions } from './field-descriptions';

/** Every kind's `apiVersion`, `kind` and `metadata` (ObjectMeta). */
export const commonDescriptions: FieldDescriptions = {
  apiVersion: 'The group and version of the schema this object is written in (`v1`, `apps/v1`, `vmoperator.vmware.com/v1alpha5`). The server answers in the version the request asked for.',
  kind: 'The type of the object, in CamelCase (`Pod`, `VirtualMachine`). It must match the resource the request is sent to.',
  metadata: 'Name, namespace, labels and the other data every object carries, most of it kept by the server.',
  'metadata.name':
    'The object\'s name, unique among objects of its kind in its namespace (or in the cluster for a cluster-scoped kind). It cannot be changed after creation; most kinds take a DNS subdomain: lower-case letters, digits, "-" and ".", at most 253 characters.',
  'metadata.generateName':
    'A prefix from which the server makes a unique name when `name` is empty: it appends five random characters. Used by controllers that create many objects of one template.',
  'metadata.namespace': 'The namespace the object lives in; empty for a cluster-scoped kind. A namespaced object created without one goes to the namespace of the request.',
  'metadata.uid': 'A unique id the server gives the object when it is created; an object deleted and created again under the same name gets a new one. Read-only.',
  'metadata.resourceVersion':
    'An opaque version of the object, changed by every write. A client sends back the one it read to update the object only if nobody changed it meanwhile (the server answers 409 Conflict otherwise), and watches from it. Read-only.',
  'metadata.generation': 'A number raised each time the desired state (usually the spec) changes; controllers report in status the generation they last acted on. Read-only.',
  'metadata.creationTimestamp': 'When the server created the object (RFC 3339, UTC). Read-only.',
  'metadata.deletionTimestamp':
    'When the object is to be gone: set when a delete is requested while finalizers or a grace period keep it. Once set, the object is only waiting to be removed. Read-only.',
  'metadata.deletionGracePeriodSeconds': 'The seconds the object was given to end gracefully when its deletion was requested. Read-only.',
  'metadata.labels': 'Key/value pairs to organise and select objects by (`kubectl get -l app=web`, a Service or ReplicaSet selector). Keys may carry a DNS prefix (`example.com/tier`).',
  'metadata.annotations': 'Key/value pairs of data for tools and people that is not used to select objects; values may be long text.',
  'metadata.ownerReferences':
    'The objects this one belongs to. When every owner is deleted, the garbage collector deletes this object too; a reference with `blockOwnerDeletion` holds a foreground deletion of its owner until this object is gone.',
  'metadata.ownerReferences.apiVersion': "The owner's API group and version.",
  'metadata.ownerReferences.kind': "The owner's kind.",
  'metadata.ownerReferences.name': "The owner's name, in this object's namespace (owners of namespaced objects are in the same namespace or cluster-scoped).",
  'metadata.ownerReferences.uid': "The owner's uid: a reference to a deleted and re-created owner of the same name does not count.",
  'metadata.ownerReferences.controller': 'Whether this owner is the controller that manages the object. At most one owner reference may say true.',
  'metadata.ownerReferences.blockOwnerDeletion': 'Whether a foreground deletion of the owner waits until this object is deleted.',
  'metadata.finalizers':
    'Names of the things that must be done before the object is removed. A deleted object with finalizers stays, with `deletionTimestamp` set, until each is taken out by whoever does that work.',
  'metadata.managedFields': 'Which field manager (a client, a controller) set which fields, and by which operation, as server-side apply records it. `kubectl get -o yaml --show-managed-fields` shows it.',
  'metadata.selfLink': 'Not set: Kubernetes stopped filling it in version 1.20.',
};

/**
 * A metav1.LabelSelector's parts, by path from the selector (`spec.selector`), for every kind that holds one; the
 * selector's own entry ('') says what it selects where it is used (`labelSelector`).
 */
export const labelSelectorFields: FieldDescriptions = {
  matchLabels: 'Labels an object must carry, each with exactly the value given (`app: web`). All must match, and so must every `matchExpressions` requirement.',
  matchExpressions: 'Requirements on labels, all of which must hold besides `matchLabels`. An empty selector (no labels, no expressions) selects everything.',
  'matchExpressions.key': 'The label key the requirement is about.',
  'matchExpressions.operator':
    '`In` (the label is there with one of `values`), `NotIn` (the label is missing or has none of `values`), `Exists` (the key is there, whatever its value) or `DoesNotExist`.',
  'matchExpressions.values': 'The values for `In` and `NotIn`, at least one. Must be empty for `Exists` and `DoesNotExist`.',
};

/** A label selector described as `what`, with the shared parts (`labelSelectorFields`). */
export function labelSelector(what: string): FieldDescriptions {
  return { '': what, ...labelSelectorFields };
}
