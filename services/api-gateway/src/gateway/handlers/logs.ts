import { qualifiedResource } from '@openpacific/contracts';
import { badRequest, fieldForbidden, fieldInvalid, invalid, notFound, StatusCause } from '@openpacific/kube-api';
import { CrxClient } from '@openpacific/messaging';
import { logContainerId } from '@openpacific/objects';
import { GatewayCore, ResourceRequest } from '../core';
import { parseInt64 } from './query-params';

const FOLLOW_POLL_MS = 250;

/**
 * `kubectl logs [-f] [-c] [--tail] [--since] [--timestamps] [--previous]`: read
 * from the crx-runtime of the pod's host over NATS; `follow` keeps reading
 * from where the last read ended until the container exits or the client goes.
 */
export async function handleLogs(core: GatewayCore, r: ResourceRequest): Promise<void> {
  const { served, namespace, name } = r.target;
  const options = podLogOptionsOf(r.query, name!);
  const pod = core.readModel.get(served.resource, namespace, name!)?.object;
  if (!pod) throw notFound(qualifiedResource(served.def), name!);
  const containerName = podContainerName(pod, r.query.get('container'));
  const { previous, timestamps } = options;
  if (!pod.spec.nodeName) {
    if (previous) throw badRequest(`previous terminated container "${containerName}" in pod "${name}" not found`);
    throw badRequest(`container "${containerName}" in pod "${name}" is waiting to start: ${podContainerStatus(pod, containerName)?.state?.waiting?.reason ?? 'ContainerCreating'}`);
  }
  // Which container's log, or why none, as the pod's kubelet answers kube-apiserver.
  const target = logContainerId(pod, containerName, previous);
  if ('error' in target) throw badRequest(target.error);
  const { sinceSeconds, tailLines, limitBytes } = options;
  const sinceTime = options.sinceTime ?? (sinceSeconds !== undefined ? new Date(Date.now() - sinceSeconds * 1000).toISOString() : undefined);
  const crx = new CrxClient(core.nats, core.natsPrefix, pod.spec.nodeName);
  const containerId = target.id;
  const first = await readOrExplain(crx, { containerId, tailLines, sinceTime, timestamps, limitBytes }, pod.spec.nodeName);

  r.res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  r.res.write(first.content);
  if (!options.follow || previous) {
    r.res.end();
    return;
  }
  let closed = false;
  r.res.on('close', () => (closed = true));
  let at = first.nextByte;
  let finished = first.finished;
  while (!closed && !finished) {
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    try {
      const next = await crx.readLogs({ containerId, fromByte: at, timestamps });
      if (next.content) r.res.write(next.content);
      at = next.nextByte;
      finished = next.finished;
    } catch {
      finished = true; // the host went away; the stream ends as kubectl expects
    }
  }
  r.res.end();
}

export interface PodLogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  /** RFC 3339, as given. */
  sinceTime?: string;
  tailLines?: number;
  limitBytes?: number;
}

/** RFC 3339 as Go's time.RFC3339 parses it (fractional seconds allowed). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * A pod log request's PodLogOptions as kube-apiserver reads them from the query: decoded by the parameter codec (an
 * integer that is none, or a time that is not RFC 3339, is a 400; a boolean is false only as `0` or `false`), then
 * ValidatePodLogOptions: a negative `tailLines`, a `limitBytes` or `sinceSeconds` under 1, or both `sinceTime` and
 * `sinceSeconds`, is a 422 `PodLogOptions "<pod>" is invalid: …`.
 */
export function podLogOptionsOf(query: URLSearchParams, pod: string): PodLogOptions {
  const flag = (key: string) => {
    const v = query.get(key);
    return v !== null && !(v === '0' || v.toLowerCase() === 'false');
  };
  const int = (key: string) => {
    const v = query.get(key);
    return v === null ? undefined : parseInt64(v);
  };
  const options: PodLogOptions = { follow: flag('follow'), previous: flag('previous'), timestamps: flag('timestamps') };
  const [sinceSeconds, tailLines, limitBytes] = [int('sinceSeconds'), int('tailLines'), int('limitBytes')];
  const sinceTime = query.get('sinceTime') || undefined;
  if (sinceTime !== undefined && !(RFC3339.test(sinceTime) && Number.isFinite(Date.parse(sinceTime)))) {
    throw badRequest(`parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": sinceTime must be an RFC 3339 time`);
  }
  const causes: StatusCause[] = [];
  if (tailLines !== undefined && tailLines < 0) causes.push(fieldInvalid('tailLines', tailLines, 'must be greater than or equal to 0'));
  if (limitBytes !== undefined && limitBytes < 1) causes.push(fieldInvalid('limitBytes', limitBytes, 'must be greater than 0'));
  if (sinceSeconds !== undefined && sinceTime !== undefined) causes.push(fieldForbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  else if (sinceSeconds !== undefined && sinceSeconds < 1) causes.push(fieldInvalid('sinceSeconds', sinceSeconds, 'must be greater than 0'));
  if (causes.length > 0) throw invalid('PodLogOptions', pod, '', causes);
  return { ...options, sinceSeconds, sinceTime, tailLines, limitBytes };
}

async function readOrExplain(crx: CrxClient, req: Parameters<CrxClient['readLogs']>[0], host: string) {
  try {
    return await crx.readLogs(req);
  } catch (err) {
    throw badRequest(`cannot read logs from host ${host}: ${(err as Error).message}`);
  }
}

/** Every container of the pod's spec: app, init and ephemeral containers. */
export function podContainerSpecs(pod: any): any[] {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
}

/** The status of the pod's container of that name, app, init or ephemeral. */
export function podContainerStatus(pod: any, name: string): any {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  return statuses.find((s: any) => s.name === name);
}

/**
 * The container a request for the pod's logs, exec or attach means: the one named (an app, init or ephemeral container),
 * or the pod's only app container; refusals worded as kube-apiserver's.
 */
export function podContainerName(pod: any, requested: string | null): string {
  const containers: any[] = pod.spec.containers ?? [];
  const inits: any[] = pod.spec.initContainers ?? [];
  const name = pod.metadata.name;
  if (!requested) {
    if (containers.length === 1) return containers[0].name;
    const initChoice = inits.length > 0 ? ` or one of the init containers: [${inits.map((c) => c.name).join(' ')}]` : '';
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]${initChoice}`);
  }
  if (!podContainerSpecs(pod).some((c) => c.name === requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}
