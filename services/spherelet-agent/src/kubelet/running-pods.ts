import type { KubeletReply } from '@openpacific/contracts';
import { goQuote } from '@openpacific/kube-api';
import { boundPod, DebuggingHost, KubeletRuntime, restfulError } from './debugging-host';

/** A pod as the runtime has it running: what kubelet's runtime cache lists (`GetPods(false)`). */
export interface RunningPod {
  uid: string;
  name: string;
  namespace: string;
  containers: { id: string; name: string; image: string }[];
}

/**
 * The pods the runtime runs: each pod with a ready sandbox or a running container, with its running containers, as
 * kubelet's runtime manager groups them by pod uid. Sorted by namespace and name (kubelet's order is a map's).
 */
export async function runningPods(runtime: KubeletRuntime): Promise<RunningPod[]> {
  const [sandboxes, containers] = await Promise.all([runtime.listPodSandboxes(), runtime.listContainers()]);
  const byId = new Map(sandboxes.map((s) => [s.id, s]));
  const pods = new Map<string, RunningPod>();
  const podOf = (config: { podUid: string; podName: string; podNamespace: string }) => {
    let pod = pods.get(config.podUid);
    if (!pod) pods.set(config.podUid, (pod = { uid: config.podUid, name: config.podName, namespace: config.podNamespace, containers: [] }));
    return pod;
  };
  for (const s of sandboxes) if (s.state === 'SANDBOX_READY') podOf(s.config);
  for (const c of containers) {
    const sandbox = byId.get(c.sandboxId);
    if (c.state === 'CONTAINER_RUNNING' && sandbox) podOf(sandbox.config).containers.push({ id: c.id, name: c.name, image: c.image });
  }
  return [...pods.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/**
 * A running pod as kubelet encodes it (`Pod.ToAPIPod` through the v1 codec): its name, namespace and uid, its running
 * containers' names and images, and the fields Go writes although empty.
 */
function apiPod(p: RunningPod) {
  return {
    metadata: { name: p.name, namespace: p.namespace, uid: p.uid, creationTimestamp: null },
    spec: { containers: p.containers.length ? p.containers.map((c) => ({ name: c.name, image: c.image, resources: {} })) : null },
    status: {},
  };
}

/** `GET /runningpods/`: a v1 PodList of the pods the runtime runs (not the pods bound here: that is `/pods`); 500 if the runtime does not answer. */
export async function runningPodList(runtime: KubeletRuntime): Promise<KubeletReply> {
  let pods: RunningPod[];
  try {
    pods = await runningPods(runtime);
  } catch (err) {
    return restfulError(500, (err as Error).message);
  }
  // Go encodes a list with no items as null, and its JSON encoder ends the document with a newline.
  const list = { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: pods.length ? pods.map(apiPod) : null };
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: `${JSON.stringify(list)}\n` };
}

/** How long `/run`'s command may take: kubelet sets none, but the gateway waits 10 s for the host's answer. */
export const RUN_TIMEOUT_SECONDS = 4;

/**
 * `POST /run/{namespace}/{pod}[/{uid}]/{container}?cmd=`: the command (`cmd` split at each space) run in the pod's
 * running container, answered with its output, stdout then stderr, as kubelet's `getRun` answers (which labels it
 * JSON, whatever it is; nothing at all when the command wrote nothing). 404 `pod does not exist` for a pod not bound
 * here; 500 with kubelet's words for a container the runtime does not run, a command that fails, or a runtime that
 * cannot run one.
 */
export async function runInContainer(host: DebuggingHost, at: { namespace: string; pod: string; container: string }, cmd: string): Promise<KubeletReply> {
  if (!boundPod(host, at.namespace, at.pod)) return restfulError(404, 'pod does not exist');
  const command = cmd.split(' ');
  try {
    const running = (await runningPods(host.runtime)).find((p) => p.namespace === at.namespace && p.name === at.pod);
    const container = running?.containers.find((c) => c.name === at.container);
    if (!container) return restfulError(500, `container not found (${goQuote(at.container)})`);
    if (!host.runtime.execSync) return restfulError(500, `ExecSync is not supported: the host's runtime runs no processes`);
    const out = await host.runtime.execSync({ containerId: container.id, command, timeoutSeconds: RUN_TIMEOUT_SECONDS });
    if (out.timedOut) return restfulError(500, `command ${goQuote(command.join(' '))} timed out`);
    if (out.exitCode !== 0) return restfulError(500, `command '${command.join(' ')}' exited with ${out.exitCode}: ${out.stderr}`);
    const body = out.stdout + out.stderr;
    return body ? { status: 200, headers: { 'Content-Type': 'application/json' }, body } : { status: 200, headers: {}, body: '' };
  } catch (err) {
    return restfulError(500, (err as Error).message);
  }
}
