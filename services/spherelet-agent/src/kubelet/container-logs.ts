import type { KubeletReply } from '@openpacific/contracts';
import { goQuote } from '@openpacific/kube-api';
import { logContainerId } from '@openpacific/objects';
import { boundPod, DebuggingHost, restfulError } from './debugging-host';

/** The fields of a v1 `PodLogOptions` that kubelet reads from a `/containerLogs` query. */
export interface PodLogOptions {
  tailLines?: number;
  limitBytes?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps: boolean;
  previous: boolean;
  follow: boolean;
}

const INT64 = /^[+-]?\d+$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** A query value as Go's `ParseInt(…, 10, 64)` takes it; undefined when absent or empty, null when it is no int64. */
function int64(value: string | null): number | undefined | null {
  if (value === null || value === '') return undefined;
  if (!INT64.test(value)) return null;
  const n = BigInt(value);
  return n > 9223372036854775807n || n < -9223372036854775808n ? null : Number(n);
}

/** A query flag as the apimachinery conversion reads one: set unless `0` or `false` (in any case). */
const flag = (value: string | null) => value !== null && value !== '0' && value.toLowerCase() !== 'false';

/**
 * The query decoded into `PodLogOptions` and checked as kubelet does, or kubelet's answer to it: 400
 * `Unable to decode query.` for a number or time it cannot read, 422 `Invalid request.` for options the API refuses
 * (a negative `tailLines`, `limitBytes` or `sinceSeconds` under 1, both `sinceSeconds` and `sinceTime`). The old
 * `tail` parameter stands for `tailLines` (`all`: no limit).
 */
export function podLogOptions(query: URLSearchParams): PodLogOptions | KubeletReply {
  const tail = query.get('tail');
  const tailLines = tail ? (tail === 'all' ? undefined : int64(tail)) : int64(query.get('tailLines'));
  const limitBytes = int64(query.get('limitBytes'));
  const sinceSeconds = int64(query.get('sinceSeconds'));
  const sinceTime = query.get('sinceTime') || undefined;
  if (tailLines === null || limitBytes === null || sinceSeconds === null || (sinceTime !== undefined && !(RFC3339.test(sinceTime) && !Number.isNaN(Date.parse(sinceTime))))) {
    return restfulError(400, '{"message": "Unable to decode query."}');
  }
  const invalid = (tailLines !== undefined && tailLines < 0) || (limitBytes !== undefined && limitBytes < 1)
    || (sinceSeconds !== undefined && (sinceTime !== undefined || sinceSeconds < 1));
  if (invalid) return restfulError(422, '{"message": "Invalid request."}');
  return { tailLines, limitBytes, sinceSeconds, sinceTime, timestamps: flag(query.get('timestamps')), previous: flag(query.get('previous')), follow: flag(query.get('follow')) };
}

/**
 * `GET /containerLogs/{namespace}/{pod}/{container}`: the container's log as the host's runtime keeps it (what
 * `kubectl logs` reads too), with kubelet's options and answers: 400 for a missing part of the path, 404 for a pod not
 * bound here or a container it does not have, 400 with the reason when the container has no log to show. `follow`
 * cannot be served by one reply, and is refused with a 400 saying so.
 */
export async function containerLogs(host: DebuggingHost, at: { namespace: string; pod: string; container: string }, query: URLSearchParams): Promise<KubeletReply> {
  if (!at.pod) return restfulError(400, '{"message": "Missing podID."}');
  if (!at.container) return restfulError(400, '{"message": "Missing container name."}');
  if (!at.namespace) return restfulError(400, '{"message": "Missing podNamespace."}');
  const options = podLogOptions(query);
  if ('status' in options) return options;
  if (options.follow) return restfulError(400, 'follow is not served through nodes/proxy here (one request, one reply): use "kubectl logs -f"');
  const pod = boundPod(host, at.namespace, at.pod);
  if (!pod) return restfulError(404, `pod ${goQuote(at.pod)} does not exist`);
  const specs = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
  if (!specs.some((c: any) => c.name === at.container)) return restfulError(404, `container ${goQuote(at.container)} not found in pod ${goQuote(at.pod)}`);
  const target = logContainerId(pod, at.container, options.previous);
  if ('error' in target) return restfulError(400, target.error);
  const { readLogs } = host.runtime;
  if (!readLogs) return restfulError(400, `failed to read the log of container ${goQuote(at.container)} in pod ${goQuote(at.pod)}: the host's runtime runs no processes and keeps no logs`);
  const sinceTime = options.sinceTime ?? (options.sinceSeconds !== undefined ? new Date(Date.now() - options.sinceSeconds * 1000).toISOString() : undefined);
  try {
    const log = await readLogs.call(host.runtime, { containerId: target.id, tailLines: options.tailLines, limitBytes: options.limitBytes, sinceTime, timestamps: options.timestamps });
    return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: log.content };
  } catch (err) {
    return restfulError(400, (err as Error).message);
  }
}
