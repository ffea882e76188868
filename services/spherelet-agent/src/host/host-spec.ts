import { readFileSync } from 'node:fs';
import { arch, cpus, release, totalmem } from 'node:os';
import type { SphereletAgentConfig } from '../spherelet-agent.config';
import { hostIdentity } from './host-identity';

export const KUBELET_VERSION = 'v1.32.0-openpacific';

function osImage(): string {
  try {
    const line = readFileSync('/etc/os-release', 'utf8').split('\n').find((l) => l.startsWith('PRETTY_NAME='));
    return line ? line.slice('PRETTY_NAME='.length).replace(/^"|"$/g, '') : 'Linux';
  } catch {
    return 'Linux';
  }
}

function parseList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/** What a host's runtime says of itself at registration. */
export interface RuntimeDescription {
  driver: string;
  isolation: string;
  cgroups: string;
  /** `netns`: pods in their own network namespace on the host's bridge; `loopback`: the fallback, and why. */
  podNetwork: { mode: string; reason?: string; bridge?: string; gateway?: string };
}

/**
 * Kubernetes' NetworkUnavailable condition (False = pods can be networked), saying which pod network the host
 * runs: their own namespaces, or the loopback fallback and why.
 */
export function networkCondition(runtime: RuntimeDescription | undefined) {
  if (!runtime) return { type: 'NetworkUnavailable', status: 'Unknown', reason: 'RuntimeNotAnswering', message: 'crx-runtime did not answer at registration' };
  const { mode, reason, bridge, gateway } = runtime.podNetwork;
  if (mode === 'netns') {
    return { type: 'NetworkUnavailable', status: 'False', reason: 'PodNetworkNamespaces', message: `each pod has its own network namespace on bridge ${bridge} (gateway ${gateway})` };
  }
  return { type: 'NetworkUnavailable', status: 'False', reason: 'LoopbackFallback', message: `pods share the host's network with their own 127.x.y.z address: ${reason ?? 'the runtime gives no reason'}` };
}

/**
 * What a host offers, from config, defaulting to the machine it runs on; which machine it is, from its name, and
 * which boot of it, `bootID` (new at each start of its agent).
 */
export function hostDescription(config: SphereletAgentConfig, runtime: RuntimeDescription | undefined, bootID: string) {
  const cpu = config.HOST_CPU || String(cpus().length);
  const memory = config.HOST_MEMORY || `${Math.floor(totalmem() / 1024)}Ki`;
  const capacity = { cpu, memory, pods: String(config.HOST_PODS) };
  const goArch = arch() === 'x64' ? 'amd64' : arch();
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': config.HOST_NAME,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': goArch,
  };
  for (const pair of parseList(config.HOST_LABELS)) {
    const [k, v] = pair.split('=');
    labels[k] = v ?? '';
  }
  const taints = parseList(config.HOST_TAINTS).map((t) => {
    const [kv, effect] = t.split(':');
    const [key, value] = kv.split('=');
    return { key, ...(value ? { value } : {}), effect };
  });
  // Says in the host's status whether its containers are isolated and limited (the "says so").
  const isolation = runtime
    ? { type: 'ContainerIsolation', status: runtime.isolation === 'none' ? 'False' : 'True', reason: runtime.isolation === 'none' ? 'HostRoot' : 'ImageRootfs', message: `isolation: ${runtime.isolation}; cgroups: ${runtime.cgroups}` }
    : { type: 'ContainerIsolation', status: 'Unknown', reason: 'RuntimeNotAnswering', message: 'crx-runtime did not answer at registration' };
  return {
    isolation,
    network: networkCondition(runtime),
    podNetwork: runtime?.podNetwork.mode === 'netns' ? 'netns' : 'loopback',
    labels,
    taints,
    capacity,
    allocatable: { ...capacity },
    addresses: [
      { type: 'InternalIP', address: config.HOST_ADDRESS || '127.0.0.1' },
      { type: 'Hostname', address: config.HOST_NAME },
    ],
    nodeInfo: {
      ...hostIdentity(config.HOST_NAME, bootID),
      kubeletVersion: KUBELET_VERSION,
      osImage: osImage(),
      kernelVersion: release(),
      operatingSystem: 'linux',
      architecture: goArch,
      containerRuntimeVersion: runtime ? `crx://${runtime.driver}` : 'crx://unknown',
    },
  };
}
