import { AdmissionRequest, EventMetadata, ObjectEventType, objectStreamId } from '@openpacific/contracts';
import { EventStore, GroupCommit, RecordedEvent, resourceVersionOf, StreamAppend } from '@openpacific/event-store';
import { policyAskReason } from '../admission/policy-applies';
import { ServedResource } from '../registry/registry';
import { AdmissionClient, AdmissionListener } from './admission-client';
import { ObjectTurns } from './object-turns';
import { encryptSecret, LogFollower, ReadModel, SecretKey } from '@openpacific/objects';

export interface Actor {
  username: string;
  groups: string[];
  /** The user's uid and extra attributes, when its authenticator knows them (a ServiceAccount token's). */
  uid?: string;
  extra?: Record<string, string[]>;
}

/**
 * One write. Admission's warnings go to `warn`, the response's `Warning` headers (decode.ts `warn`); its audit
 * annotations to `annotate`, the request's audit record (audit/audit-annotations.ts).
 */
export interface ObjectWrite extends AdmissionListener {
  served: ServedResource;
  operation: AdmissionRequest['operation'];
  subresource?: string;
  eventType: ObjectEventType;
  /** The complete new state at the storage version (the last state for a deletion). */
  object: any;
  oldObject?: any;
  /** Stream version the write is based on; a different one in the log is a conflict. */
  expectedVersion: number;
  actor: Actor;
  dryRun: boolean;
  requestId?: string;
  userAgent?: string;
  /** Internal controllers of the gateway write without admission. */
  skipAdmission?: boolean;
  /**
   * Checks an object that mutating admission changed (a webhook's patch) as the kind's validation checks any,
   * throwing its 422 (kube-apiserver validates after mutating admission); returns it as it is to be stored.
   */
  recheck?: (patched: any, sent: any) => any;
  /**
   * A write through a subresource with a kind of its own (`scale`): admission is asked about that kind's objects,
   * not the stored ones, and what mutating admission made of the new one becomes the object to store (`toStored`,
   * throwing a 422 for what cannot be stored), as kube-apiserver admits `/scale` as an autoscaling/v1 Scale.
   */
  admitAs?: AdmittedAs;
  /**
   * The allocation events that go with the object's (handlers/allocations.ts), given the object as it is to be
   * stored: a write that has any appends them with its own in one transaction; one without goes through GroupCommit.
   */
  allocations?: (object: any, metadata: EventMetadata) => StreamAppend[];
}

export interface AdmittedAs {
  kind: { group: string; version: string; kind: string };
  object: any;
  oldObject: any;
  toStored: (admitted: any) => any;
}

/** What the policy service is asked about a write (its uid aside). */
export function admissionRequestOf(w: ObjectWrite): Omit<AdmissionRequest, 'uid'> {
  const as = w.admitAs;
  return {
    operation: w.operation,
    user: w.actor,
    resource: { group: w.served.def.group, version: w.served.version.name, resource: w.served.def.plural },
    subResource: w.subresource,
    kind: as ? as.kind.kind : w.served.def.kind,
    ...(as ? { kindGroupVersion: { group: as.kind.group, version: as.kind.version } } : {}),
    namespace: w.object.metadata.namespace,
    name: w.object.metadata.name,
    object: w.operation === 'DELETE' ? undefined : as ? as.object : w.object,
    oldObject: as ? as.oldObject : w.oldObject,
    dryRun: w.dryRun,
  };
}

/**
 * The one way objects change: admission, then an append at the expected
 * stream version, then wait until the read model has applied it so the caller
 * reads its own write. Appends of concurrent requests are committed together
 * (GroupCommit): one round trip and one commit for a burst of writes.
 */
export class ObjectWriter {
  private readonly commits: GroupCommit;
  /** Read-modify-writes of one object take turns in this gateway (patch). */
  readonly turns = new ObjectTurns();

  constructor(
    private readonly store: EventStore,
    private readonly follower: LogFollower,
    private readonly readModel: ReadModel,
    private readonly admission: AdmissionClient,
    private readonly secretKey?: SecretKey,
    /** Whether a write that no admitter of the policy service could touch is stored without asking (policy-applies.ts). */
    private readonly skipNeedlessAdmission = true,
  ) {
    // Two statements at once: the pool has 10 connections, four of which the follower, the relay and the
    // two leader elections hold; the log follower, the relay and the audit writer need the rest.
    this.commits = new GroupCommit(store, { maxInFlight: 2 });
  }

  async write(w: ObjectWrite): Promise<any> {
    let object = w.object;
    if (!w.skipAdmission) {
      // Everything this gateway acknowledged, or served to a reader, is at or below its follower's position:
      // the policy service decides on at least that much of the log (without reading it to its end first).
      const readAt = this.follower.current;
      const request = admissionRequestOf(w);
      // Decided on the read model at `readAt` itself (nothing is awaited in between): what the policy service would
      // decide on at least. With nothing there that any admitter looks at, its answer is a bare "allowed".
      if (!this.skipNeedlessAdmission || policyAskReason(request, this.readModel) !== undefined) {
        const verdict = await this.admission.admit(request, readAt, w);
        if (verdict.patchedObject) {
          const patched = w.admitAs ? w.admitAs.toStored(verdict.patchedObject) : verdict.patchedObject;
          object = w.recheck ? w.recheck(patched, object) : patched;
        }
      }
    }
    // Nothing is stored, so a dry-run change keeps the version it was made on (kube-apiserver's dry-run update
    // answers the stored resourceVersion: `kubectl diff` shows no change of it); a dry-run create has none.
    if (w.dryRun) return w.oldObject ? { ...object, metadata: { ...object.metadata, resourceVersion: w.oldObject.metadata.resourceVersion } } : object;
    const metadata: EventMetadata = { actor: w.actor.username, source: 'api-gateway', requestId: w.requestId, userAgent: w.userAgent };
    const streamId = objectStreamId(w.served.resource, object.metadata.namespace, object.metadata.name);
    // Secrets go to the log encrypted; the read model gets them back decrypted.
    const logged = w.served.resource === 'secrets' && this.secretKey ? encryptSecret(object, this.secretKey) : object;
    const event = { type: w.eventType, data: { resource: w.served.resource, object: logged }, metadata };
    const expectedVersion = w.expectedVersion === 0 ? 'no_stream' : w.expectedVersion;
    const allocations = w.allocations?.(object, metadata);
    const recorded = allocations?.length
      ? await this.appendWithAllocations({ streamId, events: [event], expectedVersion }, allocations)
      : await this.commits.append(streamId, event, expectedVersion);
    const applied = await this.follower.waitFor(recorded);
    const stored = this.readModel.get(w.served.resource, object.metadata.namespace, object.metadata.name);
    if (applied && stored && stored.object.metadata.uid === object.metadata.uid) return stored.object;
    return { ...object, metadata: { ...object.metadata, resourceVersion: resourceVersionOf(recorded) } };
  }

  /**
   * The object's event and its allocations' in one statement, all or nothing: a conflict on the object's stream or on
   * an allocation's is the VersionConflictError naming that stream.
   */
  private async appendWithAllocations(own: StreamAppend, allocations: StreamAppend[]): Promise<RecordedEvent> {
    const [written] = await this.store.appendBatch([own, ...allocations]);
    return written.events[0];
  }
}
