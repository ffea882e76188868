import type { Logger } from '@openpacific/service-kit';
import { ObjectEventTypes, SERVICE_ACCOUNTS_RESOURCE } from '@openpacific/contracts';
import { PassLoop } from '@openpacific/objects';
import { GatewayCore } from '../core';
import { nowTimestamp, prepareForCreate } from '../handlers/object-rules';
import { Actor } from '../store/object-writer';

const ACTOR: Actor = { username: 'system:serviceaccount:kube-system:service-account-controller', groups: ['system:serviceaccounts'] };

/**
 * Kubernetes' ServiceAccount controller: every namespace that is not terminating has a ServiceAccount `default`
 * (`kubectl create token default`, a pod's `serviceAccountName` when it names none), made again if deleted. Run by
 * the gateway that leads garbage collection, after namespace and ServiceAccount changes and at a resync.
 */
export class DefaultServiceAccounts {
  private readonly loop: PassLoop;
  private unsubscribe?: () => void;

  constructor(private readonly core: GatewayCore, logger: Logger, opts = { debounceMs: 50, resyncMs: 30_000 }) {
    this.loop = new PassLoop(() => this.pass(), { ...opts, onError: (err) => logger.warn('default service account pass failed', { error: (err as Error).message }) });
  }

  start(): void {
    this.unsubscribe = this.core.hub.subscribe((change) => {
      if (change.resource === 'namespaces' || (change.resource === SERVICE_ACCOUNTS_RESOURCE && change.type === 'DELETED')) this.loop.schedule();
    });
    this.loop.start();
  }

  stop(): void {
    this.unsubscribe?.();
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    const { readModel, registry, writer } = this.core;
    const served = registry.storage(SERVICE_ACCOUNTS_RESOURCE);
    for (const { object: ns } of readModel.list('namespaces')) {
      const name = ns.metadata.name;
      if (ns.metadata.deletionTimestamp || readModel.get(SERVICE_ACCOUNTS_RESOURCE, name, 'default')) continue;
      const object = prepareForCreate(served.def, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } }, name);
      object.metadata.creationTimestamp = nowTimestamp();
      try {
        await writer.write({
          served, operation: 'CREATE', eventType: ObjectEventTypes.created, object,
          expectedVersion: readModel.streamVersion(SERVICE_ACCOUNTS_RESOURCE, name, 'default'), actor: ACTOR, dryRun: false, skipAdmission: true,
        });
      } catch (err) {
        // Written meanwhile (by a user, or after the namespace began to go): the next pass sees it.
        if ((err as { code?: string }).code !== 'EVENTSTORE.VERSION_CONFLICT') throw err;
      }
    }
  }
}
