import { qualifiedResource } from '@openpacific/contracts';
import { badRequest, notFound } from '@openpacific/kube-api';
import { CrxClient } from '@openpacific/messaging';
import { logContainerId } from '@openpacific/objects';
import { GatewayCore, ResourceRequest } from '../core';

const FOLLOW_POLL_MS = 250;

/**
 * `kubectl logs [-f] [-c] [--tail] [--since] [--timestamps] [--previous]`: read
 * from the crx-runtime of the pod's host over NATS; `follow` keeps reading
 * from where the last read ended until the container exits or the client goes.
 */
export async function handleLogs(core: GatewayCore, r: ResourceRequest): Promise<void> {
  const { served, namespace, name } = r.target;
  const pod = core.readModel.get(served.resource, namespace, name!)?.object;
  if (!pod) throw notFound(qualifiedResource(served.def), name!);
  const containerName = podContainerName(pod, r.query.get('container'));
  const previous = r.query.get('previous') === 'true';
  if (!pod.spec.nodeName) {
    if (previous) throw badRequest(`previous terminated container "${containerName}" in pod "${name}" not found`);
    throw badRequest(`container "${containerName}" in pod "${name}" is waiting to start: ${podContainerStatus(pod, containerName)?.state?.waiting?.reason ?? 'ContainerCreating'}`);
  }
  // Which container's log, or why none, as the pod's kubelet answers kube-apiserver.
  const target = logContainerId(pod, containerName, previous);
  if ('error' in target) throw badRequest(target.error);
  const num = (key: string) => (r.query.get(key) !== null ? Number(r.query.get(key)) : undefined);
  const sinceSeconds = num('sinceSeconds');
  const sinceTime = r.query.get('sinceTime') ?? (sinceSeconds !== undefined ? new Date(Date.now() - sinceSeconds * 1000).toISOString() : undefined);
  const crx = new CrxClient(core.nats, core.natsPrefix, pod.spec.nodeName);
  const containerId = target.id;
  const first = await readOrExplain(crx, { containerId, tailLines: num('tailLines'), sinceTime, timestamps: r.query.get('timestamps') === 'true', limitBytes: num('limitBytes') }, pod.spec.nodeName);

  r.res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  r.res.write(first.content);
  if (r.query.get('follow') !== 'true' || previous) {
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
      const next = await crx.readLogs({ containerId, fromByte: at, timestamps: r.query.get('timestamps') === 'true' });
      if (next.content) r.res.write(next.content);
      at = next.nextByte;
      finished = next.finished;
    } catch {
      finished = true; // the host went away; the stream ends as kubectl expects
    }
  }
  r.res.end();
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
