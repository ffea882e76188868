import { rfc3339 } from './time';

/** The two fields of an object's metadata that a deletion under way is read from. */
export interface DeletionMeta {
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
}

/**
 * Marks a deletion begun `at` (ms since the epoch; now when left out) with `graceSeconds` to run, as kube-apiserver's
 * BeforeDelete writes it: `deletionGracePeriodSeconds` the grace period, `deletionTimestamp` when it ends (`at` plus
 * the grace period, to the second), not when it was asked. A deletion held only by finalizers has 0: it ends at once.
 * Whoever needs when it was asked takes the grace period back off (job-policies' podFinishedAt).
 */
export function markDeletion(metadata: DeletionMeta, graceSeconds: number, at: number = Date.now()): void {
  metadata.deletionTimestamp = rfc3339(at + graceSeconds * 1000);
  metadata.deletionGracePeriodSeconds = graceSeconds;
}
