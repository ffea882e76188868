import { CRD_CLEANUP_FINALIZER, CRDS_RESOURCE, ObjectEventTypes } from '@openpacific/contracts';
import { ObjectChange, PassLoop, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { commitUpdateInternal } from '../controllers/internal-update';
import { GatewayCore } from '../core';
import { deleteObject } from '../handlers/delete';
import { Actor } from '../store/object-writer';
import { namesAndConditions, setCondition } from './crd.status';

const ACTOR: Actor = { username: 'system:apiserver', groups: ['system:masters'] };

/**
 * apiextensions' controllers, in the gateway that leads garbage collection: names and the NamesAccepted and
 * Established conditions, `storedVersions`, and the cleanup of a deleted CRD's custom resources before the CRD
 * itself goes (the `customresourcecleanup.apiextensions.k8s.io` finalizer). Level-triggered passes over every CRD.
 */
export class CrdController {
  private readonly loop: PassLoop;
  private unsubscribe?: () => void;

  constructor(private readonly core: GatewayCore, logger: Logger, opts = { debounceMs: 20, resyncMs: 30_000 }) {
    this.loop = new PassLoop(() => this.pass(), { ...opts, onError: (err) => logger.warn('CustomResourceDefinition pass failed', { error: (err as Error).message }) });
  }

  start(): void {
    this.unsubscribe = this.core.hub.subscribe((change) => {
      if (this.concerns(change)) this.loop.schedule();
    });
    this.loop.start();
  }

  stop(): void {
    this.unsubscribe?.();
    this.loop.stop();
  }

  /** A CRD changed, or a custom resource went (a terminating CRD may now have none left). */
  private concerns(change: ObjectChange): boolean {
    return change.resource === CRDS_RESOURCE || (change.type === 'DELETED' && !!this.core.registry.customDefinition(change.resource));
  }

  private async pass(): Promise<void> {
    const crds = this.core.readModel.list(CRDS_RESOURCE);
    const all = crds.map((s) => s.object);
    for (const stored of crds) {
      if (stored.object.metadata.deletionTimestamp) await this.cleanUp(stored);
      else await this.accept(stored, all);
    }
  }

  private async accept(stored: StoredObject, all: any[]): Promise<void> {
    const crd = stored.object;
    const { accepted, namesAccepted, established } = namesAndConditions(crd, all);
    const storage = crd.spec.versions?.find((v: any) => v.storage)?.name;
    await commitUpdateInternal(this.core, CRDS_RESOURCE, stored, (o) => {
      o.status ??= {};
      o.status.acceptedNames = accepted;
      setCondition(o, namesAccepted);
      setCondition(o, established);
      const versions: string[] = o.status.storedVersions ?? [];
      if (storage && !versions.includes(storage)) o.status.storedVersions = [...versions, storage];
    }, ACTOR, ObjectEventTypes.statusUpdated);
  }

  /** Deletes every custom resource of the CRD; once none is left, lets the CRD go. */
  private async cleanUp(stored: StoredObject): Promise<void> {
    const crd = stored.object;
    if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) return;
    const resource = crd.metadata.name;
    const def = this.core.registry.customDefinition(resource);
    const remaining = this.core.readModel.list(resource);
    if (def && remaining.length > 0) {
      const served = this.core.registry.storage(resource);
      for (const cr of remaining) {
        if (cr.object.metadata.deletionTimestamp) continue;
        await deleteObject(this.core, served, cr.object.metadata.namespace, cr.object.metadata.name, {}, ACTOR, false).catch((err) => {
          if (err?.status?.code !== 404) throw err;
        });
      }
      return;
    }
    await commitUpdateInternal(this.core, CRDS_RESOURCE, stored, (o) => {
      setCondition(o, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionCompleted', message: 'removed all instances' });
      o.metadata.finalizers = o.metadata.finalizers.filter((f: string) => f !== CRD_CLEANUP_FINALIZER);
      if (o.metadata.finalizers.length === 0) delete o.metadata.finalizers;
    }, ACTOR);
  }
}
