import type { Logger } from '@openpacific/service-kit';
import { PassLoop } from '@openpacific/objects';
import { aggregatedRules, isAggregated } from '../auth/role-aggregation';
import { GatewayCore } from '../core';
import { deepEqual } from '../handlers/object-rules';
import { Actor } from '../store/object-writer';
import { commitUpdateInternal } from './internal-update';

const CLUSTER_ROLES = 'clusterroles.rbac.authorization.k8s.io';
const ACTOR: Actor = { username: 'system:serviceaccount:kube-system:clusterrole-aggregation-controller', groups: ['system:serviceaccounts'] };

/**
 * Keeps every aggregated ClusterRole's rules the union of the ClusterRoles its selectors pick (role-aggregation.ts),
 * after any ClusterRole changes and at a resync; run by the gateway that leads garbage collection.
 */
export class RoleAggregator {
  private readonly loop: PassLoop;
  private unsubscribe?: () => void;

  constructor(private readonly core: GatewayCore, logger: Logger, opts = { debounceMs: 50, resyncMs: 30_000 }) {
    this.loop = new PassLoop(() => this.pass(), { ...opts, onError: (err) => logger.warn('role aggregation pass failed', { error: (err as Error).message }) });
  }

  start(): void {
    this.unsubscribe = this.core.hub.subscribe((change) => {
      if (change.resource === CLUSTER_ROLES) this.loop.schedule();
    });
    this.loop.start();
  }

  stop(): void {
    this.unsubscribe?.();
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    const stored = this.core.readModel.list(CLUSTER_ROLES);
    const roles = stored.map((s) => s.object);
    for (const s of stored) {
      if (!isAggregated(s.object) || s.object.metadata.deletionTimestamp) continue;
      const rules = aggregatedRules(s.object, roles);
      if (deepEqual(rules, s.object.rules ?? [])) continue;
      await commitUpdateInternal(this.core, CLUSTER_ROLES, s, (o) => {
        o.rules = rules;
      }, ACTOR);
    }
  }
}
