import { Allocation, allocationAppend, allocationStreamId as streamOf, ErrorCodes, EventMetadata, isAllocationStream } from '@openpacific/contracts';
import type { StreamAppend } from '@openpacific/event-store';
import type { KubeApiError } from '@openpacific/kube-api';
import type { GatewayCore } from '../core';
import type { AllocationLedger } from '@openpacific/objects';

/**
 * The compare-and-set that makes cluster IPs and node ports safe across gateway replicas, as kube-apiserver's
 * allocators make them safe across API servers. A write that gives an object an address or a port appends, in one
 * transaction with the object's event, one event per such address or port to that address's stream, expecting the
 * version the gateway's read model showed for the stream when it judged the address free (AllocationChecks). A replica
 * whose read model had not yet seen another's allocation of the address meets a version conflict and decides again
 * once it has (retryingAllocations): an allocated address is picked anew, a chosen one is refused as already allocated.
 */

export type { Allocation } from '@openpacific/contracts';

/** What one write judged free, at which version of each address's stream. */
export class AllocationChecks {
  private readonly judged = new Map<string, number>();

  constructor(private readonly ledger: AllocationLedger) {}

  /** These were just judged free against the read model (the same point of the log as the ledger). */
  free(...allocations: Allocation[]): void {
    for (const a of allocations) {
      const stream = streamOf(a);
      this.judged.set(stream, this.ledger.version(stream));
    }
  }

  /** The version the write expects: where it was judged free (the latest judgement); never judged, where it is now. */
  expected(streamId: string): number {
    return this.judged.get(streamId) ?? this.ledger.version(streamId);
  }
}

/**
 * The appends that go with the object's event: one per address or port `next` holds that `old` did not (an
 * update keeping its address appends nothing), each at the version its check saw.
 */
export function allocationAppends(
  held: (obj: any) => Allocation[], checks: AllocationChecks, resource: string, next: any, old: any, metadata: EventMetadata,
): StreamAppend[] {
  const before = new Set(old ? held(old).map(streamOf) : []);
  return held(next)
    .filter((a) => !before.has(streamOf(a)))
    .map((a) => allocationAppend(a, resource, next, checks.expected(streamOf(a)), metadata));
}

/** What a write of a kind that holds addresses appends with its object (ObjectWrite.allocations); `old` on an update. */
export function allocationsOf(
  strategy: { allocated?(obj: any): Allocation[] }, checks: AllocationChecks, resource: string, old?: any,
): ((object: any, metadata: EventMetadata) => StreamAppend[]) | undefined {
  const held = strategy.allocated;
  return held && ((object, metadata) => allocationAppends(held, checks, resource, object, old, metadata));
}

/** A write lost an address or port to another writer that judged it free on the same state. */
export function isAllocationConflict(err: unknown): err is { streamId: string; actualVersion: number } {
  const e = err as { code?: string; streamId?: unknown } | undefined;
  return e?.code === ErrorCodes.versionConflict && typeof e.streamId === 'string' && isAllocationStream(e.streamId);
}

/** Why a write that lost its addresses ALLOCATION_ATTEMPTS times is a 409. */
export const ALLOCATIONS_LOST = 'the addresses it was given were taken by other writes at the same time; please try again';

/** Tries of a write whose addresses other writers keep taking; then it is a 409 (`lost`), never a 5xx. */
export const ALLOCATION_ATTEMPTS = 5;

/**
 * Runs `write` on a copy of `input` (it fills in addresses in place) and, when another writer took one of its
 * addresses or ports first, waits until this gateway's read model shows that writer's object and runs it again on a
 * fresh copy: an allocated address is then picked among those still free, and a chosen one is refused with the
 * strategy's own 422 (already allocated).
 */
export async function retryingAllocations<T, I>(core: GatewayCore, input: I, write: (copy: I) => Promise<T>, lost: () => KubeApiError): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write(structuredClone(input));
    } catch (err) {
      if (!isAllocationConflict(err)) throw err;
      if (attempt >= ALLOCATION_ATTEMPTS) throw lost();
      await core.allocations.catchUpTo(core.follower, err.streamId, err.actualVersion);
    }
  }
}
