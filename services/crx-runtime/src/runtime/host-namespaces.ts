import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PodSandboxConfig } from '@openpacific/contracts';
import type { ShimSpec } from '../shim/container-process';
import { hostAliasLines } from './pod-network';

/** The host's address as its pods see it: a pod on the host's network has it as its own (`status.podIP`). */
export const HOST_ADDRESS = '127.0.0.1';

/**
 * The host's namespaces an isolated container of this sandbox keeps (crx-init's OP_HOST_NAMESPACES): the PID one for
 * `hostPID`, the UTS one for `hostNetwork` (containerd gives a host-network pod the host's name too). The network and
 * IPC ones are kept by joining none (`podIpcNamespace`).
 */
export function hostNamespaces(config: PodSandboxConfig): Pick<NonNullable<ShimSpec['isolation']>, 'hostNamespaces'> {
  const kept: ('pid' | 'uts')[] = [];
  if (config.hostPID) kept.push('pid');
  if (config.hostNetwork) kept.push('uts');
  return kept.length ? { hostNamespaces: kept } : {};
}

/**
 * The pod's IPC namespace, which its isolated containers join (crx-init's OP_IPCNS): the one its pause made with its
 * network namespace, as a pause container's; none (the host's) for `hostIPC`, and for a sandbox without a pause (on the
 * host's network, or a host without a pod network), where its containers share the machine's as before.
 */
export function podIpcNamespace(config: PodSandboxConfig, pausePid: number | undefined): Pick<NonNullable<ShimSpec['isolation']>, 'ipcns'> {
  return pausePid && !config.hostIPC ? { ipcns: `/proc/${pausePid}/ns/ipc` } : {};
}

/**
 * `<sandbox dir>/hosts` for a pod on the host's network, as kubelet writes it: the machine's own /etc/hosts under
 * kubelet's header (its entries are the host's, and so are the pod's name and address), then the pod's host aliases.
 */
export function writeHostNetworkHostsFile(directory: string, hostsFile = '/etc/hosts', aliases?: Array<{ ip: string; hostnames: string[] }>): string {
  let content = '';
  try {
    content = readFileSync(hostsFile, 'utf8');
  } catch {
    // A machine without one: the header alone, as an empty file under it.
  }
  const path = join(directory, 'hosts');
  writeFileSync(path, `# Kubernetes-managed hosts file (host network).\n${content}${hostAliasLines(aliases)}`);
  return path;
}
