/** What the launcher prints once the cluster serves; tests parse the machine-readable line. */
export interface ReadyInfo {
  server: string;
  kubeconfig: string;
  dataDir: string;
  caFile: string;
  tokenFile: string;
  databaseUrl: string;
  natsUrl: string;
  natsPrefix: string;
  /** Every gateway instance; `server` is the first one's. */
  gateways: { name: string; server: string }[];
  hosts: { name: string; pgid: number }[];
  /** The control-plane services (not in host groups), for tests that stop one. */
  services: { name: string; pid: number }[];
}

export const readyMarker = 'OPENPACIFIC_READY';

export function formatReady(info: ReadyInfo): string[] {
  return [
    `OpenPacific is running: API at ${info.server}`,
    `  export KUBECONFIG=${info.kubeconfig}`,
    ...(info.gateways.length > 1 ? [`  gateways: ${info.gateways.map((g) => `${g.name} ${g.server}`).join(', ')}`] : []),
    `  hosts: ${info.hosts.map((h) => `${h.name} (pgid ${h.pgid})`).join(', ')}`,
    `  logs: ${info.dataDir}/logs`,
    'Press Ctrl-C to stop.',
    `${readyMarker} ${JSON.stringify(info)}`,
  ];
}

export function parseReadyLine(line: string): ReadyInfo | undefined {
  if (!line.startsWith(`${readyMarker} `)) return undefined;
  return JSON.parse(line.slice(readyMarker.length + 1)) as ReadyInfo;
}
