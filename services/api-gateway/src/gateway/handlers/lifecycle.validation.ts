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
