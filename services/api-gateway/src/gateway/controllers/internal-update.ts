import { ObjectEventType, ObjectEventTypes } from '@openpacific/contracts';
import { GatewayCore } from '../core';
import { readyToDelete, sameObject } from '../handlers/object-rules';
import { Actor } from '../store/object-writer';
import { StoredObject } from '@openpacific/objects';

/**
 * A change made by the gateway's own controllers: applied to the stored
 * state at its stream version, without admission. A conflict is left for the
 * next pass, which sees the newer state.
 */
export async function commitUpdateInternal(
  core: GatewayCore,
  resource: string,
  stored: StoredObject,
  mutate: (obj: any) => void,
  actor: Actor,
  /** `ResourceStatusUpdated` for a change of the status alone (an eviction's take of a disruption budget). */
  updateType: ObjectEventType = ObjectEventTypes.updated,
): Promise<boolean> {
  const served = core.registry.storage(resource);
  const next = structuredClone(stored.object);
  delete next.metadata.resourceVersion;
  mutate(next);
  if (sameObject(next, stored.object)) return false;
  const deleting = readyToDelete(served.def, next);
  try {
    await core.writer.write({
      served,
      operation: deleting ? 'DELETE' : 'UPDATE',
      eventType: deleting ? ObjectEventTypes.deleted : updateType,
      object: next,
      oldObject: stored.object,
      expectedVersion: stored.streamVersion,
      actor,
      dryRun: false,
      skipAdmission: true,
    });
    return true;
  } catch (err) {
    if ((err as { code?: string })?.code === 'EVENTSTORE.VERSION_CONFLICT') return false;
    throw err;
  }
}
