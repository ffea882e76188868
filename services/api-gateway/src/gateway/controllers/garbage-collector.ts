import { ObjectEventTypes, qualifiedResource } from '@openpacific/contracts';
import type { Logger } from '@openpacific/service-kit';
import { ObjectChange, PassLoop } from '@openpacific/objects';
import { GatewayCore } from '../core';
import { deleteObject } from '../handlers/delete';
import { commitUpdateInternal } from './internal-update';
import { countRemaining, sameConditions, terminatingConditions } from './namespace-conditions';
import { Actor } from '../store/object-writer';

const GC_ACTOR: Actor = { username: 'system:serviceaccount:kube-system:generic-garbage-collector', groups: ['system:serviceaccounts'] };
const NS_ACTOR: Actor = { username: 'system:serviceaccount:kube-system:namespace-controller', groups: ['system:serviceaccounts'] };

/**
 * The garbage collector and the namespace lifecycle, as kube-controller-manager
 * runs them: level-triggered passes over the whole read model, after changes
 * (debounced) and on a periodic resync. Every action is idempotent and
 * written at an expected stream version, so a pass racing another writer just
 * tries again on the next pass.
 *  - dependents whose owners are all gone are deleted (background cascading);
 *  - an owner held by `foregroundDeletion` deletes its dependents first, then goes;
 *  - an owner held by `orphan` releases its dependents, then goes;
 *  - a Terminating namespace deletes everything in it, then goes.
 */
export class GarbageCollector {
  private readonly loop: PassLoop;
  private unsubscribe?: () => void;

  constructor(
    private readonly core: GatewayCore,
    private readonly logger: Logger,
    opts = { debounceMs: 50, resyncMs: 10_000 },
  ) {
    this.loop = new PassLoop(() => this.pass(), {
      debounceMs: opts.debounceMs,
      resyncMs: opts.resyncMs,
      onError: (err) => logger.warn('garbage collection pass failed', { error: (err as Error).message }),
    });
  }

  start(): void {
    this.unsubscribe = this.core.hub.subscribe((change) => {
      if (this.concerns(change)) this.loop.schedule();
    });
    this.loop.start();
  }

  /**
   * Whether a change can give a pass anything to do. A pass walks every object, so the plain
   * create or update of an object nobody owns, that is not being deleted and is not in a terminating
   * namespace (most writes) does not start one: none of the three steps would act on it. The
   * periodic resync still walks everything.
   */
  private concerns(change: ObjectChange): boolean {
    if (change.type === 'DELETED' || change.resource === 'namespaces') return true;
    for (const o of [change.object, change.previous]) {
      const meta = o?.metadata;
      if (meta?.deletionTimestamp || meta?.ownerReferences?.length) return true;
    }
    const ns = change.object.metadata.namespace;
    return !!ns && !!this.core.readModel.get('namespaces', undefined, ns)?.object.metadata.deletionTimestamp;
  }

  stop(): void {
    this.unsubscribe?.();
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    await this.collectOrphans();
    await this.finishOwners();
    await this.finishNamespaces();
  }

  private async collectOrphans(): Promise<void> {
    const { readModel } = this.core;
    for (const resource of this.servedResources()) {
      for (const stored of readModel.list(resource)) {
        const refs: any[] = stored.object.metadata.ownerReferences ?? [];
        if (refs.length === 0 || stored.object.metadata.deletionTimestamp) continue;
        if (refs.some((ref) => readModel.findByUid(ref.uid))) continue;
        await this.tryDelete(resource, stored.object, GC_ACTOR);
      }
    }
  }

  private async finishOwners(): Promise<void> {
    const { readModel } = this.core;
    for (const resource of this.servedResources()) {
      for (const stored of readModel.list(resource)) {
        const meta = stored.object.metadata;
        const finalizers: string[] = meta.finalizers ?? [];
        if (!meta.deletionTimestamp) continue;
        const dependents = readModel.dependentsOf(meta.uid).filter((d) => this.core.registry.definition(d.resource));
        if (finalizers.includes('orphan')) {
          for (const d of dependents) {
            await commitUpdateInternal(this.core, d.resource, d.stored, (o) => {
              o.metadata.ownerReferences = o.metadata.ownerReferences.filter((ref: any) => ref.uid !== meta.uid);
              if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
            }, GC_ACTOR);
          }
          if (dependents.length === 0) await this.removeFinalizer(resource, stored, 'orphan');
        } else if (finalizers.includes('foregroundDeletion')) {
          for (const d of dependents) {
            if (!d.stored.object.metadata.deletionTimestamp) await this.tryDelete(d.resource, d.stored.object, GC_ACTOR, 'Foreground');
          }
          if (dependents.length === 0) await this.removeFinalizer(resource, stored, 'foregroundDeletion');
        }
      }
    }
  }

  private async finishNamespaces(): Promise<void> {
    const { readModel } = this.core;
    for (const ns of readModel.list('namespaces')) {
      if (!ns.object.metadata.deletionTimestamp) continue;
      const name = ns.object.metadata.name;
      let remaining = 0;
      const left: { resource: string; group: string; finalizers?: string[] }[] = [];
      for (const def of this.core.registry.namespacedResources()) {
        for (const stored of readModel.list(qualifiedResource(def), name)) {
          remaining++;
          left.push({ resource: def.plural, group: def.group, finalizers: stored.object.metadata.finalizers });
          if (!stored.object.metadata.deletionTimestamp) await this.tryDelete(qualifiedResource(def), stored.object, NS_ACTOR);
        }
      }
      // What holds it, in the namespace deleter's conditions (kubectl describe ns shows them).
      const conditions = terminatingConditions(ns.object.status?.conditions, countRemaining(left));
      if (remaining > 0 && !sameConditions(ns.object.status?.conditions, conditions)) {
        await commitUpdateInternal(this.core, 'namespaces', ns, (o) => {
          o.status = { ...(o.status ?? {}), conditions };
        }, NS_ACTOR, ObjectEventTypes.statusUpdated).catch((err) => this.logger.debug('a namespace\'s conditions were not written; the next pass tries again', { namespace: name, error: (err as Error).message }));
        continue;
      }
      if (remaining === 0 && (ns.object.spec?.finalizers ?? []).includes('kubernetes')) {
        await commitUpdateInternal(this.core, 'namespaces', ns, (o) => {
          o.spec.finalizers = o.spec.finalizers.filter((f: string) => f !== 'kubernetes');
        }, NS_ACTOR);
      }
    }
  }

  /** The resources of the read model whose kinds are served: a custom kind's objects outlive no CRD, but are skipped if they ever do. */
  private servedResources(): string[] {
    return this.core.readModel.resources().filter((r) => this.core.registry.definition(r));
  }

  private async removeFinalizer(resource: string, stored: any, finalizer: string): Promise<void> {
    await commitUpdateInternal(this.core, resource, stored, (o) => {
      o.metadata.finalizers = o.metadata.finalizers.filter((f: string) => f !== finalizer);
      if (o.metadata.finalizers.length === 0) delete o.metadata.finalizers;
    }, GC_ACTOR);
  }

  private async tryDelete(resource: string, obj: any, actor: Actor, propagationPolicy: 'Background' | 'Foreground' = 'Background'): Promise<void> {
    const served = this.core.registry.storage(resource);
    try {
      await deleteObject(this.core, served, obj.metadata.namespace, obj.metadata.name, { propagationPolicy }, actor, false);
    } catch (err) {
      if ((err as any)?.status?.code === 404) return;
      this.logger.debug('deleting a dependent failed; retrying on the next pass', { resource, name: obj.metadata.name, error: (err as Error).message });
      this.loop.schedule(200);
    }
  }
}
