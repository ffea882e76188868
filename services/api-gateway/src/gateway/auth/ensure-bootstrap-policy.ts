import { ObjectEventTypes, rfc3339 } from '@openpacific/contracts';
import type { GatewayCore } from '../core';
import { deepEqual, prepareForCreate, prepareForUpdate } from '../handlers/object-rules';
import { AUTOUPDATE_ANNOTATION, bootstrapObjects } from './bootstrap-policy';
import { isAggregated } from './role-aggregation';

const SYSTEM = { username: 'system:apiserver', groups: ['system:masters'] };

/**
 * The built-in ClusterRoles and ClusterRoleBindings exist from the first start. Like kube-apiserver, each start
 * puts back their rules (new kinds included) unless an admin annotated them `rbac.authorization.kubernetes.io/autoupdate: "false"`.
 */
export async function ensureBootstrapPolicy(core: GatewayCore): Promise<void> {
  for (const { resource, object } of bootstrapObjects(core.registry.builtinDefinitions)) {
    const served = core.registry.storage(resource);
    const name = object.metadata.name;
    const existing = core.readModel.get(resource, undefined, name)?.object;
    const expectedVersion = core.readModel.streamVersion(resource, undefined, name);
    let write;
    if (!existing) {
      const prepared = prepareForCreate(served.def, structuredClone(object), undefined);
      prepared.metadata.creationTimestamp = rfc3339();
      write = { operation: 'CREATE' as const, eventType: ObjectEventTypes.created, object: prepared };
    } else {
      if (existing.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') continue;
      // An aggregated role's rules are the aggregator's to keep (they include roles added since): its selectors and labels are put back.
      const aggregated = isAggregated(object);
      const fields = aggregated ? ['aggregationRule', 'roleRef', 'subjects'] : ['rules', 'aggregationRule', 'roleRef', 'subjects'];
      const labelled = Object.entries<string>(object.metadata.labels).every(([k, v]) => existing.metadata.labels?.[k] === v);
      if (labelled && fields.every((f) => deepEqual(existing[f], object[f]))) continue;
      const next = prepareForUpdate(served.def, existing, {
        ...existing,
        metadata: { ...existing.metadata, labels: { ...existing.metadata.labels, ...object.metadata.labels } },
        rules: aggregated && existing.rules?.length ? existing.rules : object.rules,
        aggregationRule: object.aggregationRule,
        subjects: object.subjects,
        roleRef: existing.roleRef ?? object.roleRef,
      });
      for (const f of ['rules', 'aggregationRule', 'subjects', 'roleRef']) if (next[f] === undefined) delete next[f];
      write = { operation: 'UPDATE' as const, eventType: ObjectEventTypes.updated, object: next, oldObject: existing };
    }
    try {
      await core.writer.write({ served, ...write, expectedVersion, actor: SYSTEM, dryRun: false, skipAdmission: true });
    } catch (err) {
      // Another gateway replica wrote it first.
      if ((err as { code?: string }).code !== 'EVENTSTORE.VERSION_CONFLICT') throw err;
    }
  }
}
