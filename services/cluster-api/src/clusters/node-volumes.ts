import { guestRequest, isNotFound } from './guest-client';
import type { GuestAccess } from './guest-nodes';
import { nodeUnreachable } from './node-drain';

/** One look at a Node's volumes: detached (or nothing to wait for), still attached (which), or the look failed. */
export type VolumeDetachOutcome = { done: true } | { done: false; failed: false; attached: string[] } | { done: false; failed: true; message: string };

/**
 * Whether the drained Node still has volumes attached (`status.volumesAttached`), as Cluster API waits for them
 * before the VM goes (a vSphere volume still attached would go with the VM's disks). Nothing is waited for on a Node
 * the guest no longer has, nor on an unreachable one (its volumes cannot be detached).
 */
export async function nodeVolumesDetached(access: GuestAccess, nodeName: string, opts: { timeoutMs?: number } = {}): Promise<VolumeDetachOutcome> {
  let node: any;
  try {
    node = await guestRequest(access, 'GET', `/api/v1/nodes/${encodeURIComponent(nodeName)}`, { timeoutMs: opts.timeoutMs });
  } catch (err) {
    if (isNotFound(err)) return { done: true };
    return { done: false, failed: true, message: `unable to get Node ${nodeName}: ${(err as Error).message}` };
  }
  if (nodeUnreachable(node)) return { done: true };
  const attached: string[] = (node.status?.volumesAttached ?? []).map((v: any) => String(v.name));
  return attached.length ? { done: false, failed: false, attached } : { done: true };
}
