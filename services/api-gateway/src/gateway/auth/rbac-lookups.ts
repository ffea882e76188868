import { CLUSTER_ROLE_BINDINGS_RESOURCE, CLUSTER_ROLES_RESOURCE, ROLE_BINDINGS_RESOURCE, ROLES_RESOURCE } from '@openpacific/contracts';
import type { RbacLookups } from '@openpacific/authz';
import type { ReadModel } from '@openpacific/objects';

/** Roles and bindings as the read model holds them now. */
export function readModelLookups(readModel: ReadModel): RbacLookups {
  return {
    clusterRole: (name) => readModel.get(CLUSTER_ROLES_RESOURCE, undefined, name)?.object,
    role: (namespace, name) => readModel.get(ROLES_RESOURCE, namespace, name)?.object,
    clusterRoleBindings: () => readModel.list(CLUSTER_ROLE_BINDINGS_RESOURCE).map((s) => s.object),
    roleBindings: (namespace) => readModel.list(ROLE_BINDINGS_RESOURCE, namespace).map((s) => s.object),
  };
}
