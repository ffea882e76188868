import { carriesGeneration, ObjectEventTypes } from '@openpacific/contracts';
import { GatewayCore } from '../core';
import { prepareForCreate, sameObject, specChanged } from '../handlers/object-rules';
import { Actor } from '../store/object-writer';
import { commitUpdateInternal } from './internal-update';

/** An object a gateway controller keeps as it must be, whatever clients do to it. */
export interface KeptObject {
  resource: string;
  namespace: string;
  name: string;
  actor: Actor;
  /** The object to create when there is none: apiVersion, kind, metadata (name, namespace, labels…) and content. */
  make(): any;
  /** Puts right what must be so on a copy of the existing object, in place (what clients may add besides stays). */
  correct(obj: any): void;
}

/**
 * Makes `kept` exist as it must, written directly (no admission, the actor as author): created when there is none
 * (again when it was deleted), corrected when it differs, left alone while it is being deleted (it is made again once
 * gone). A write that loses a race is left to the next pass, which sees the winner. Says what it wrote.
 */
export async function keepObject(core: GatewayCore, kept: KeptObject): Promise<'created' | 'corrected' | undefined> {
  const { readModel, registry, writer } = core;
  const served = registry.storage(kept.resource);
  const stored = readModel.get(kept.resource, kept.namespace, kept.name);
  if (stored?.object.metadata.deletionTimestamp) return undefined;
  if (stored) {
    const next = structuredClone(stored.object);
    kept.correct(next);
    if (sameObject(next, stored.object)) return undefined;
    const corrected = await commitUpdateInternal(core, kept.resource, stored, (obj) => {
      kept.correct(obj);
      if (carriesGeneration(served.def) && specChanged(stored.object, obj)) obj.metadata.generation = (stored.object.metadata.generation ?? 1) + 1;
    }, kept.actor);
    return corrected ? 'corrected' : undefined;
  }
  const object = prepareForCreate(served.def, kept.make(), kept.namespace);
  try {
    await writer.write({
      served, operation: 'CREATE', eventType: ObjectEventTypes.created, object,
      expectedVersion: readModel.streamVersion(kept.resource, kept.namespace, kept.name), actor: kept.actor, dryRun: false, skipAdmission: true,
    });
    return 'created';
  } catch (err) {
    // Made meanwhile (by a client, or another pass): the next pass corrects it if need be.
    if ((err as { code?: string }).code !== 'EVENTSTORE.VERSION_CONFLICT') throw err;
    return undefined;
  }
}
