import type { StatusCause } from '@openpacific/kube-api';

function goRoleRef(ref: any): string {
  return `rbac.RoleRef{APIGroup:${JSON.stringify(ref?.apiGroup ?? '')}, Kind:${JSON.stringify(ref?.kind ?? '')}, Name:${JSON.stringify(ref?.name ?? '')}}`;
}

/** roleRef never changes after create (delete and recreate the binding instead), as in kube-apiserver. */
export function validateBindingUpdate(old: any, next: any): StatusCause[] {
  const a = old?.roleRef ?? {};
  const b = next?.roleRef ?? {};
  if (a.apiGroup === b.apiGroup && a.kind === b.kind && a.name === b.name) return [];
  return [{ field: 'roleRef', reason: 'FieldValueInvalid', message: `Invalid value: ${goRoleRef(b)}: cannot change roleRef` }];
}

/** A ServiceAccount subject of a ClusterRoleBinding needs its namespace. */
export function validateClusterRoleBinding(binding: any): StatusCause[] {
  const causes: StatusCause[] = [];
  (binding?.subjects ?? []).forEach((s: any, i: number) => {
    if (s?.kind === 'ServiceAccount' && !s.namespace) causes.push({ field: `subjects[${i}].namespace`, reason: 'FieldValueRequired', message: 'Required value' });
  });
  return causes;
}
