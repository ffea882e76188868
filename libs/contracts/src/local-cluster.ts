import { AddressInfo, createServer } from 'node:net';

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

/** Ports this process has handed out: a port is free until its service binds it, so it is never given twice. */
const handedOut = new Set<number>();

/**
 * Ports another process chose that are bound only later (a gateway binds its port after its boot):
 * `freePort` must not hand them out meanwhile, though nothing listens on them yet.
 */
export function reservePorts(ports: number[]): void {
  for (const port of ports) handedOut.add(port);
}

/** A loopback port nothing listens on right now, for the local cluster's services and the tests' clusters. */
export async function freePort(): Promise<number> {
  // Below Linux's ephemeral range (32768-60999): a port the OS hands out for listen(0) can be taken by the
  // local end of some outgoing connection before the service that was given it binds it. And below 30000,
  // where Services' node ports (30000-32767) listen on 127.0.0.1.
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  return anyPort();
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function anyPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
