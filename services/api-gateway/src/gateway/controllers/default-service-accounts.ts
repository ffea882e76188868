import type { Logger } from '@openpacific/service-kit';
import { SERVICE_ACCOUNTS_RESOURCE } from '@openpacific/contracts';
import { PassLoop } from '@openpacific/objects';
import { GatewayCore } from '../core';
import { Actor } from '../store/object-writer';
import { keepObject } from './kept-object';

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
    for (const { object: ns } of this.core.readModel.list('namespaces')) {
      const namespace = ns.metadata.name;
      if (ns.metadata.deletionTimestamp) continue;
      // Made when missing; what users set on it stays (nothing of it is the controller's to put back).
      await keepObject(this.core, {
        resource: SERVICE_ACCOUNTS_RESOURCE, namespace, name: 'default', actor: ACTOR,
        make: () => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } }),
        correct: () => undefined,
      });
    }
  }
}
