import type { CrxClient } from '@openpacific/messaging';

/**
 * What the agent asks of a host's container runtime. `CrxClient` (crx-runtime over NATS) is one; the sim
 * fleet's in-process `SimRuntime` is the other, so a hundred simulated hosts need no hundred runtime processes.
 */
export type PodRuntime = Pick<
  CrxClient,
  'runPodSandbox' | 'stopPodSandbox' | 'removePodSandbox' | 'listPodSandboxes' | 'createContainer' | 'startContainer' | 'stopContainer' | 'listContainers' | 'execSync' | 'writeVolume'
>;

/** What the host lease asks of the runtime: it hands the lease on, and the runtime fences the epoch when it runs out. */
export type LeaseRuntime = Pick<CrxClient, 'renewLease'>;
