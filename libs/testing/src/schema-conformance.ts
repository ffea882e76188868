import {
  apiVersionOf, CRDS_RESOURCE, definitionFromCrd, FieldSet, ObjectEventTypes, qualifiedResource, ResourceDefinition, resourceDefinitions,
  storageVersion, withFieldSet,
} from '@openpacific/contracts';
import { RecordedEvent, resourceVersionOf } from '@openpacific/event-store';
import { schemaCompileError, StatusCause, validateAgainstSchema, validateObjectMeta } from '@openpacific/kube-api';
import { decryptSecret, SecretKey, secretKeyFrom } from '@openpacific/objects';

/** One way an object breaks its kind's schema, as the gateway would say it to a client sending the object back. */
export interface SchemaCause {
  field: string;
  reason: string;
  message: string;
}

/** An object some writer left in a shape its kind's served schema refuses. */
export interface SchemaViolation {
  kind: string;
  /** `pods`, `machines.cluster.x-k8s.io`: the resource of its stream. */
  resource: string;
  namespace?: string;
  name: string;
  /** The actor of the event that first wrote these problems (`system:serviceaccount:openpacific:cluster-api`). */
  writer: string;
  /** The component that appended that event (`cluster-api`). */
  source?: string;
  event: string;
  resourceVersion: string;
  /** What fieldValidation=Strict refuses, as `spec.infrastructureRef.className`. */
  unknownFields: string[];
  /** What the schema refuses (types, required fields, enums, bounds, metadata). */
  causes: SchemaCause[];
}

/** The kinds the log's objects are checked against: every built-in kind, and each custom kind while its CRD lasts. */
class Kinds {
  private readonly builtIn = new Map<string, ResourceDefinition>();
  private readonly custom = new Map<string, ResourceDefinition>();

  constructor() {
    // A view kind (core v1 Node of Host) has no objects of its own.
    for (const def of resourceDefinitions) if (!def.viewOf) this.builtIn.set(qualifiedResource(def), def);
  }

  of(resource: string): ResourceDefinition | undefined {
    return this.builtIn.get(resource) ?? this.custom.get(resource);
  }

  /** A CRD's kind, under the names it has accepted, as the gateway serves it; gone when its CRD is. */
  follow(e: RecordedEvent, crd: any): void {
    const name = crd?.metadata?.name;
    if (!name) return;
    if (e.type === ObjectEventTypes.deleted) {
      this.custom.delete(name);
      return;
    }
    try {
      const accepted = crd.status?.acceptedNames;
      const def = definitionFromCrd(accepted?.kind ? { ...crd, spec: { ...crd.spec, names: accepted } } : crd);
      if (def.versions.every((v) => !v.served || schemaCompileError(v.schema) === undefined)) this.custom.set(name, def);
    } catch {
      // A CRD the gateway could not serve either: its objects are not checked.
    }
  }
}

/**
 * Follows the log's object streams and checks each object as every event leaves it against its kind's storage
 * version schema with the gateway's own validator, unknown fields counted (fieldValidation=Strict). A problem is
 * reported once per object, naming the writer of the first event that left it in the object.
 */
export class SchemaConformanceTracker {
  readonly violations: SchemaViolation[] = [];
  /** Objects checked (one per stream that held one). */
  objects = 0;
  private readonly kinds = new Kinds();
  private readonly states = new Map<string, { object: any; problems: Set<string> }>();
  private readonly secretsKey?: SecretKey;

  /** `secretsKey`: the cluster's key (base64) Secrets are encrypted with in the log, to check what they hold too. */
  constructor(opts: { secretsKey?: string } = {}) {
    if (opts.secretsKey) this.secretsKey = secretKeyFrom(opts.secretsKey);
  }

  observe(e: RecordedEvent): void {
    const data = e.data as { resource?: string; object?: any; set?: FieldSet } | undefined;
    if (!data?.resource || (!data.object && !data.set)) return;
    const state = this.states.get(e.streamId);
    const object = data.object ?? (state?.object && withFieldSet(state.object, data.set!));
    if (!object) return;
    if (data.resource === CRDS_RESOURCE) this.kinds.follow(e, object);
    const def = this.kinds.of(data.resource);
    if (!def) return;
    if (!state) this.objects++;
    const found = checkObject(def, data.resource === SECRETS ? this.asServed(object) : object);
    const problems = new Set([...found.unknownFields.map((f) => `unknown\u0000${f}`), ...found.causes.map(causeKey)]);
    const before = state?.problems ?? new Set<string>();
    this.states.set(e.streamId, { object, problems });
    const unknownFields = found.unknownFields.filter((f) => !before.has(`unknown\u0000${f}`));
    const causes = found.causes.filter((c) => !before.has(causeKey(c)));
    if (unknownFields.length === 0 && causes.length === 0) return;
    this.violations.push({
      kind: def.kind,
      resource: data.resource,
      ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
      name: object.metadata?.name ?? e.streamId,
      writer: e.metadata?.actor ?? '(unknown)',
      ...(e.metadata?.source ? { source: e.metadata.source } : {}),
      event: e.type,
      resourceVersion: resourceVersionOf(e),
      unknownFields,
      causes,
    });
  }

  /**
   * A Secret as the gateway serves it: the log holds its data, stringData and annotations encrypted in `encrypted`
   * (libs/objects secret-codec.ts), which is storage, not a field. Without the key only the rest is checked.
   */
  private asServed(secret: any): any {
    if (typeof secret.encrypted !== 'string') return secret;
    if (this.secretsKey) {
      try {
        return decryptSecret(secret, this.secretsKey);
      } catch {
        // Another key than the cluster's (another cluster's data folder): checked as without one.
      }
    }
    const { encrypted: _, ...rest } = secret;
    return rest;
  }
}

const SECRETS = 'secrets';

function causeKey(c: SchemaCause): string {
  return `${c.field}\u0000${c.message}`;
}

/**
 * What the gateway would refuse of this object sent back at its storage version with fieldValidation=Strict: its
 * unknown fields, schema and metadata violations, and an apiVersion or kind other than the stored kind's.
 */
export function checkObject(def: ResourceDefinition, object: any): { unknownFields: string[]; causes: SchemaCause[] } {
  const storage = storageVersion(def);
  // A custom kind's objects stay at the version they were written at when the CRD's storage version moves on.
  const version = (def.structural && def.versions.find((v) => apiVersionOf(def, v.name) === object.apiVersion)) || storage;
  const causes: StatusCause[] = [];
  const expected = apiVersionOf(def, version.name);
  if (object.apiVersion !== expected) causes.push({ field: 'apiVersion', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(object.apiVersion)}: stored as ${expected}` });
  if (object.kind !== def.kind) causes.push({ field: 'kind', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(object.kind)}: must be ${def.kind}` });
  const result = validateAgainstSchema(def, version.name, object, 'Strict');
  // Not the name: it is checked once, by the kind's own rules (an RBAC name may hold colons), and never changes.
  const meta = validateObjectMeta(object.metadata, { nameFormat: def.nameFormat, namespaced: def.scope === 'Namespaced' }).filter((c) => c.field !== 'metadata.name');
  causes.push(...meta, ...result.causes);
  return { unknownFields: result.unknownFields.map((f) => f.replace(/^\./, '')), causes: causes.map((c) => ({ field: c.field ?? '', reason: c.reason ?? '', message: c.message ?? '' })) };
}

/** The object's problems as a client would read them: kubectl's unknown-field warnings, then the 422's causes. */
export function describeSchemaViolation(v: SchemaViolation): string {
  const at = v.namespace ? `${v.namespace}/${v.name}` : v.name;
  const problems = [...v.unknownFields.map((f) => `unknown field "${f}"`), ...v.causes.map((c) => `${c.field}: ${c.message}`)];
  return `${v.kind} ${at} written by ${v.writer}${v.source ? ` (${v.source})` : ''} in ${v.event} at ${v.resourceVersion}: ${problems.join('; ')}`;
}
