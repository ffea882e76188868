import type { KubeletReply, KubeletRequest } from '@openpacific/contracts';
import { containerLogs } from './container-logs';
import { DebuggingHost, METHOD_NOT_ALLOWED, ROUTE_NOT_FOUND } from './debugging-host';
import { runInContainer, runningPodList } from './running-pods';

/** The web services kubelet installs with its debugging handlers enabled, as served here. */
const SERVICES = ['containerLogs', 'run', 'runningpods'] as const;

/**
 * kubelet's debugging handlers (`enableDebuggingHandlers`, on by default): `GET /containerLogs/{ns}/{pod}/{container}`,
 * `GET /runningpods/` and `POST /run/{ns}/{pod}[/{uid}]/{container}?cmd=`, answered as kubelet 1.32 answers them;
 * undefined for any other path. `exec`, `attach` and `portForward` stream, which one request and reply cannot.
 */
export function debuggingAnswer(req: KubeletRequest, host: DebuggingHost): Promise<KubeletReply> | undefined {
  const [, root, ...rest] = req.path.split('/');
  const service = SERVICES.find((s) => s === root);
  if (!service) return undefined;
  let params: string[];
  try {
    params = rest.map(decodeURIComponent);
  } catch {
    return Promise.resolve(ROUTE_NOT_FOUND);
  }
  const query = new URLSearchParams(req.query);
  switch (service) {
    case 'containerLogs':
      if (params.length !== 3) return Promise.resolve(ROUTE_NOT_FOUND);
      if (req.method !== 'GET') return Promise.resolve(METHOD_NOT_ALLOWED);
      return containerLogs(host, { namespace: params[0], pod: params[1], container: params[2] }, query);
    case 'run':
      if (params.length !== 3 && params.length !== 4) return Promise.resolve(ROUTE_NOT_FOUND);
      if (req.method !== 'POST') return Promise.resolve(METHOD_NOT_ALLOWED);
      // The uid form's uid is not looked at: kubelet finds the pod by its full name, which it always has.
      return runInContainer(host, { namespace: params[0], pod: params[1], container: params[params.length - 1] }, query.get('cmd') ?? '');
    case 'runningpods':
      // Its one route is the web service's root, `/runningpods/`. Go's mux redirects `/runningpods` there; that
      // redirect is not made here (it falls to the mux's 404).
      if (params.length !== 1 || params[0] !== '') return rest.length === 0 ? undefined : Promise.resolve(ROUTE_NOT_FOUND);
      if (req.method !== 'GET') return Promise.resolve(METHOD_NOT_ALLOWED);
      return runningPodList(host.runtime);
  }
}
