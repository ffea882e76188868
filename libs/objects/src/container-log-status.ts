/** A container's or pod's name as Go's %q prints it (DNS names: nothing to escape). */
const q = (name: string) => `"${name}"`;

/**
 * The runtime's id of the container whose log is asked for, from the pod's status as its host reports it, or the
 * reason there is none, in kubelet's words (its `validateContainerLogStatus`, which `kubectl logs` meets too): the
 * previous one only from `lastState`; else the running one, the last terminated one, or why it has not started.
 */
export function logContainerId(pod: any, container: string, previous: boolean): { id: string } | { error: string } {
  const name = pod.metadata.name;
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const status = statuses.find((s: any) => s.name === container);
  if (!status) return { error: `container ${q(container)} in pod ${q(name)} is not available` };
  const last = status.lastState?.terminated;
  const { waiting, running, terminated } = status.state ?? {};
  const id = (cid: string) => ({ id: cid.replace(/^[a-z]+:\/\//, '') });
  const isTerminated = { error: `container ${q(container)} in pod ${q(name)} is terminated` };
  if (previous) return last?.containerID ? id(last.containerID) : { error: `previous terminated container ${q(container)} in pod ${q(name)} not found` };
  if (running) return id(status.containerID);
  if (terminated) return terminated.containerID ? id(terminated.containerID) : last?.containerID ? id(last.containerID) : isTerminated;
  if (last) return last.containerID ? id(last.containerID) : isTerminated;
  if (waiting) {
    const why = waiting.reason === 'ErrImagePull' ? "image can't be pulled" : waiting.reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : waiting.reason;
    return { error: `container ${q(container)} in pod ${q(name)} is waiting to start: ${why}` };
  }
  return { error: `container ${q(container)} in pod ${q(name)} is waiting to start - no logs yet` };
}
