import type { ContainerStatus, ExecSyncRequest, ExecSyncResponse, KubeletReply, PodSandbox, ReadLogsRequest, ReadLogsResponse } from '@openpacific/contracts';

/**
 * What kubelet's debugging handlers ask of the host's container runtime: crx-runtime (`CrxClient`) on a real host. A
 * runtime that runs no processes (a sim host's) has neither `execSync` nor `readLogs`.
 */
export interface KubeletRuntime {
  listPodSandboxes(): Promise<PodSandbox[]>;
  listContainers(): Promise<ContainerStatus[]>;
  execSync?(req: ExecSyncRequest): Promise<ExecSyncResponse & { timedOut?: boolean }>;
  readLogs?(req: ReadLogsRequest): Promise<ReadLogsResponse>;
}

/** go-restful's `WriteError`: the error's text as the whole body, its type as Go's server sniffs plain text. */
export const restfulError = (status: number, message: string): KubeletReply => ({ status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: message });

/** go-restful's answers for a path of one of its web services that no route matches, and for a route's other methods. */
export const ROUTE_NOT_FOUND = restfulError(404, '404: Page Not Found');
export const METHOD_NOT_ALLOWED = restfulError(405, '405: Method Not Allowed');

/** What the debugging handlers read of the host: the pods bound to it (kubelet's pod manager) and its runtime. */
export interface DebuggingHost {
  pods(): any[];
  readonly runtime: KubeletRuntime;
}

/** The bound pod of that namespace and name (kubelet's `GetPodByName`). */
export function boundPod(host: DebuggingHost, namespace: string, name: string): any {
  return host.pods().find((p) => p.metadata?.namespace === namespace && p.metadata?.name === name);
}
