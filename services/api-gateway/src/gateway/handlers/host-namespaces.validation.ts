import type { StatusCause } from '@openpacific/kube-api';

/** kube-apiserver's default for a Pod on its host's network: a port without a hostPort has its containerPort. */
export function defaultHostNetworkPorts(spec: any): void {
  if (spec?.hostNetwork !== true) return;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const p of c?.ports ?? []) {
      if (p && (p.hostPort === undefined || p.hostPort === 0)) p.hostPort = p.containerPort;
    }
  }
}

/**
 * A Pod's host namespaces as kube-apiserver 1.32 validates them: on the host's network every port's hostPort is its
 * containerPort, and hostPID excludes a shared process namespace (named under the security context, as there).
 */
export function validateHostNamespaces(spec: any): StatusCause[] {
  const causes: StatusCause[] = [];
  if (spec?.hostNetwork === true) {
    for (const [list, at] of [[spec.containers, 'spec.containers'], [spec.initContainers, 'spec.initContainers']] as const) {
      ((list ?? []) as any[]).forEach((c, i) => ((c?.ports ?? []) as any[]).forEach((p, j) => {
        if ((p?.hostPort ?? 0) !== p?.containerPort) {
          causes.push({ field: `${at}[${i}].ports[${j}].containerPort`, reason: 'FieldValueInvalid', message: `Invalid value: ${p?.containerPort}: must match \`hostPort\` when \`hostNetwork\` is true` });
        }
      }));
    }
  }
  if (spec?.hostPID === true && spec.shareProcessNamespace === true) {
    causes.push({ field: 'spec.securityContext.shareProcessNamespace', reason: 'FieldValueInvalid', message: 'Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled' });
  }
  return causes;
}
