import { goDuration } from '@openpacific/contracts';
import type { SphereletAgentConfig } from '../spherelet-agent.config';

/** What a host's pods are given beyond the agent's settings (a sim host's are given no DNS). */
export interface HostPodSettings {
  /** The cluster DNS address written into pods' resolv.conf (`PodWorkerOptions.clusterDns`). */
  clusterDns?: string;
  /** The host's registration taints (`hostDescription(...).taints`). */
  taints: Array<{ key: string; value?: string; effect: string }>;
}

/**
 * The KubeletConfiguration (kubelet.config.k8s.io/v1beta1) fields the agent's settings really set, in that type's
 * field order, as `/configz` shows them: how often every pod is looked at again (`syncFrequency`), the cluster DNS
 * and domain written into pods' resolv.conf, the host resolv.conf a `Default` pod copies, the most pods the host
 * takes, and its registration. Nothing the agent does not do is claimed: it has no eviction thresholds, PID limit,
 * image garbage collection or static pods, so those fields are absent.
 */
export function kubeletConfiguration(config: SphereletAgentConfig, pods: HostPodSettings): Record<string, unknown> {
  return {
    syncFrequency: goDuration(config.POD_RESYNC_MS / 1000),
    ...(pods.clusterDns ? { clusterDomain: 'cluster.local', clusterDNS: [pods.clusterDns] } : {}),
    maxPods: config.HOST_PODS,
    resolvConf: '/etc/resolv.conf',
    ...(pods.taints.length ? { registerWithTaints: pods.taints } : {}),
    registerNode: true,
  };
}
