import { fieldForbidden, fieldInvalid, fieldRequired, StatusCause } from '@openpacific/kube-api';

const HANDLER_TYPES = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;

/**
 * kube-apiserver's validateLifecycle for one container (`at`: `spec.containers[0]`): each of postStart and preStop
 * names exactly one handler, an exec has a command, and a sleep lasts more than nothing and no longer than the pod's
 * terminationGracePeriodSeconds.
 */
export function validateLifecycle(container: any, at: string, gracePeriod: number | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const phase of ['postStart', 'preStop'] as const) {
    const handler = container?.lifecycle?.[phase];
    if (handler === undefined || handler === null) continue;
    const path = `${at}.lifecycle.${phase}`;
    const types = HANDLER_TYPES.filter((t) => handler[t] !== undefined && handler[t] !== null);
    if (types.length === 0) causes.push(fieldRequired(path, 'must specify a handler type'));
    for (const extra of types.slice(1)) causes.push(fieldForbidden(`${path}.${extra}`, 'may not specify more than 1 handler type'));
    const [type] = types;
    if (type === 'exec' && !handler.exec.command?.length) causes.push(fieldRequired(`${path}.exec.command`));
    if (type === 'sleep' && gracePeriod !== undefined) {
      const seconds = handler.sleep.seconds ?? 0;
      if (seconds <= 0 || seconds > gracePeriod) causes.push(fieldInvalid(`${path}.sleep`, seconds, `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod})`));
    }
  }
  return causes;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;

/**
 * kube-apiserver's validation of a container's probes (`at`: `spec.containers[0]`): each names exactly one handler (an
 * exec one a command), a probe's own terminationGracePeriodSeconds is more than nothing and is not for readiness, and
 * liveness and startup probes pass on one success.
 */
export function validateProbes(container: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const probe = container?.[kind];
    if (probe === undefined || probe === null) continue;
    const path = `${at}.${kind}`;
    const types = PROBE_HANDLERS.filter((t) => probe[t] !== undefined && probe[t] !== null);
    if (types.length === 0) causes.push(fieldRequired(path, 'must specify a handler type'));
    for (const extra of types.slice(1)) causes.push(fieldForbidden(`${path}.${extra}`, 'may not specify more than 1 handler type'));
    if (types[0] === 'exec' && !probe.exec.command?.length) causes.push(fieldRequired(`${path}.exec.command`));
    if (types[0] === 'grpc' && !(probe.grpc.port >= 1 && probe.grpc.port <= 65535)) causes.push(fieldInvalid(`${path}.grpc.port`, probe.grpc.port, 'must be between 1 and 65535, inclusive'));
    const grace = probe.terminationGracePeriodSeconds;
    if (grace !== undefined && grace !== null) {
      if (kind === 'readinessProbe') causes.push(fieldInvalid(`${path}.terminationGracePeriodSeconds`, grace, 'must not be set for readinessProbes'));
      else if (grace <= 0) causes.push(fieldInvalid(`${path}.terminationGracePeriodSeconds`, grace, 'must be greater than 0'));
    }
    if (kind !== 'readinessProbe' && probe.successThreshold !== undefined && probe.successThreshold !== 1) causes.push(fieldInvalid(`${path}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
  return causes;
}

/** What an init container that is not a sidecar (`restartPolicy: Always`) may not have, as kube-apiserver refuses it. */
export function initContainerForbidden(container: any, at: string): StatusCause[] {
  if (container?.restartPolicy === 'Always') return [];
  return (['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const)
    .filter((f) => container?.[f] !== undefined && container?.[f] !== null)
    .map((f) => fieldForbidden(`${at}.${f}`, 'may not be set for init containers without restartPolicy=Always'));
}
