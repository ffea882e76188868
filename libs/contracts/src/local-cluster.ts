/** The local cluster's state file, written by the launcher and read by the chaos tool, the invariant checker and tests. */

export interface ManagedServer {
  /** Whether the launcher started it (and so restarts it); false for a server it found running. */
  managed: boolean;
  pid?: number;
  url: string;
}

export interface HostState {
  name: string;
  pgid: number;
  /** False while a killed host waits to be powered on again. */
  up: boolean;
  crxRoot: string;
  agentPid?: number;
  runtimePid?: number;
}

/** `${DATA_DIR}/cluster.json`: what is running now, for the chaos tool and tests. */
export interface ClusterState {
  launcherPid: number;
  dataDir: string;
  server: string;
  gateways: { name: string; server: string }[];
  kubeconfig: string;
  databaseUrl: string;
  natsUrl: string;
  natsPrefix: string;
  nats: ManagedServer;
  postgres: ManagedServer;
  hosts: HostState[];
  services: { name: string; service: string; pid: number; healthPort: number }[];
}
