/**
 * A host's kubelet API, as kube-apiserver reaches it for `nodes/<name>/proxy/<path>`: the gateway asks the host's
 * agent by request/reply on `natsNames(prefix).kubelet(host)` (an answer larger than a message goes through the
 * payloads bucket), and passes on what the agent answers as kubelet's HTTP server would.
 */
export interface KubeletRequest {
  method: string;
  /** The path after `/proxy`, as sent (percent-encoded): `/stats/summary`. */
  path: string;
  /** The query, without its `?` (`only_cpu_and_memory=true`); '' when none. */
  query: string;
}

export interface KubeletReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * kubelet's port (a Node's `status.daemonEndpoints.kubeletEndpoint.Port` in Kubernetes): `nodes/<name>:10250/proxy`
 * is the host's agent, as `nodes/<name>/proxy` is.
 */
export const KUBELET_PORT = 10250;
