/**
 * Level-triggered reconciliation.
 *
 * A reconcile receives a key (e.g. `namespace/name`), never the event that caused
 * it to run. It reads the current desired and observed state for that key,
 * acts to close the gap, and recomputes status from what it found. Events only
 * say "look at this key again": several events may collapse into one reconcile,
 * a reconcile may run with no new event (resync, retry), and it must give the
 * same outcome whichever of those happened. So a reconcile must be idempotent
 * and must not branch on what changed.
 */
export const levelTriggered = true;

/** What a reconcile may ask for besides success. */
export interface ReconcileResult {
  /** Look at this key again after this many ms even though it succeeded (e.g. polling a slow host). */
  requeueAfterMs?: number;
}

/** See {@link levelTriggered}: reads the world for `key`; throw to retry with backoff, throw `TerminalError` to give up. */
export type ReconcileFn = (key: string) => Promise<ReconcileResult | void>;
