import type { Pool } from 'pg';
import { HostEventTypes, HostFenceRecord, ObjectEventTypes, PodEventTypes, VIRTUAL_MACHINES_RESOURCE, withFieldSet } from '@openpacific/contracts';
import { EventStore, LogPosition, RecordedEvent, resourceVersionOf } from '@openpacific/event-store';
import { describeSchemaViolation, SchemaConformanceTracker, SchemaViolation } from './schema-conformance';

/** What a client was told succeeded. */
export interface AcknowledgedWrite {
  streamId: string;
  resourceVersion: string;
  requestId?: string;
}

export interface StreamGap {
  streamId: string;
  expectedVersion: number;
  foundVersion: number;
}

export interface DoubleRun {
  /** namespace/name */
  pod: string;
  uid: string;
  hosts: [string, string];
  from: string;
  to: string;
  ms: number;
  excuse?: string;
}

export interface InvariantReport {
  events: number;
  streams: number;
  pods: number;
  gaps: StreamGap[];
  duplicateEventIds: string[];
  lost: AcknowledgedWrite[];
  duplicated: { requestId: string; streamIds: string[]; count: number }[];
  readModelBehind: { streamId: string; expected: string | null; found: string | null }[];
  doubleRuns: DoubleRun[];
  boundedWindows: DoubleRun[];
  /** Objects checked against their kinds' schemas; undefined when the check was not asked for (`schemas`). */
  objectsChecked?: number;
  /** Objects written in a shape their kinds' schemas refuse (empty when not checked). */
  schemaViolations: SchemaViolation[];
  ok: boolean;
}

export interface CheckInvariantsOptions {
  acknowledged?: AcknowledgedWrite[];
  readModel?: (streamId: string) => Promise<{ resourceVersion: string } | undefined>;
  /** Overlaps up to this long are not double runs (default 0). */
  slackMs?: number;
  /** Where intervals still open at the end of the log end (default: the time of the check). */
  now?: Date;
  /**
   * Also check every object the log holds, as each event leaves it, against its kind's served schema (unknown fields
   * counted, as fieldValidation=Strict): controllers write to the log without the gateway's validation.
   */
  schemas?: boolean;
  /** The key (base64) the cluster encrypts Secrets with in the log, so that `schemas` checks what they hold too. */
  secretsKey?: string;
}

/** A time a pod ran on a host according to the log; `end` null while it is still running. */
export interface RunInterval {
  pod: string;
  uid: string;
  host: string;
  /** The host epoch of the binding it ran under (the host-epoch annotation), if known. */
  epoch?: number;
  start: number;
  end: number | null;
}

export interface HostFence {
  host: string;
  fence: HostFenceRecord;
}

const PAGE_SIZE = 5000;
const POD_STREAM_PREFIX = 'pods/';
const VM_STREAM_PREFIX = `${VIRTUAL_MACHINES_RESOURCE}/`;

/**
 * A VM runs on a host as a pod does: placed (VirtualMachinePlaced), powered on as reported by its host,
 * unplaced when its host failed. Seen through the pod tracker as the pod `<namespace>/vm:<name>`.
 */
export function vmEventAsPod(e: RecordedEvent): RecordedEvent | undefined {
  if (!e.streamId.startsWith(VM_STREAM_PREFIX)) return undefined;
  const vm = e.data?.object;
  const type = e.type === 'VirtualMachinePlaced' ? PodEventTypes.bound : e.type === 'VirtualMachineUnplaced' ? PodEventTypes.unbound : e.type;
  const [namespace, name] = e.streamId.slice(VM_STREAM_PREFIX.length).split('/');
  const object = vm && {
    ...vm,
    metadata: { ...vm.metadata, name: `vm:${vm.metadata?.name}` },
    spec: { nodeName: vm.status?.nodeName },
    status: { phase: vm.status?.powerState === 'PoweredOn' ? 'Running' : 'Pending' },
  };
  return { ...e, type, streamId: `${POD_STREAM_PREFIX}${namespace}/vm:${name}`, data: { ...e.data, object } };
}
const NODE_ACTOR_PREFIX = 'system:node:';
const HOST_EPOCH_ANNOTATION = 'infrastructure.openpacific.io/host-epoch';
/** How long a fenced agent may take to stop its containers once it runs again. */
const STOP_AFTER_WAKE_MS = 1000;

/** How long the check waits for transactions that were running when it began (then it reads what it can). */
const SETTLE_TIMEOUT_MS = 30_000;

/**
 * Waits until every transaction that had begun on the database when this was called has ended. The log is read
 * only below the oldest transaction still running anywhere (readAll), so without this wait a write acknowledged a
 * moment ago could be left out by someone else's open transaction, and reported lost.
 */
async function settle(pool: Pool): Promise<void> {
  const { rows } = await pool.query(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax`);
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const { rows: check } = await pool.query(`SELECT pg_snapshot_xmin(pg_current_snapshot()) >= $1::text::xid8 AS settled`, [rows[0].xmax]);
    if (check[0].settled) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Reads the whole log in commit order, a page at a time: everything committed before the call, and maybe more. */
export async function* readLogPages(pool: Pool, pageSize = PAGE_SIZE): AsyncGenerator<RecordedEvent[]> {
  const store = new EventStore(pool);
  await settle(pool);
  let after: LogPosition | null = null;
  for (;;) {
    const page = await store.readAll({ after, limit: pageSize });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1];
    after = { transactionId: last.transactionId, position: last.position };
  }
}

/** Checks stream versions run 1, 2, 3, … in log order; after a gap it carries on from the version found. */
export class GapTracker {
  readonly gaps: StreamGap[] = [];
  private readonly versions = new Map<string, number>();

  observe(e: Pick<RecordedEvent, 'streamId' | 'streamVersion'>): void {
    const expectedVersion = (this.versions.get(e.streamId) ?? 0) + 1;
    if (e.streamVersion !== expectedVersion) this.gaps.push({ streamId: e.streamId, expectedVersion, foundVersion: e.streamVersion });
    this.versions.set(e.streamId, e.streamVersion);
  }

  get streams(): number {
    return this.versions.size;
  }
}

export function findGaps(events: Iterable<Pick<RecordedEvent, 'streamId' | 'streamVersion'>>): StreamGap[] {
  const tracker = new GapTracker();
  for (const e of events) tracker.observe(e);
  return tracker.gaps;
}

interface PodState {
  uid?: string;
  pod: string;
  /** Epoch of the latest binding to each host. */
  epochs: Map<string, number | undefined>;
  open: Map<string, RunInterval>;
  /** The pod as its stream's last event left it. */
  object?: any;
}

/** Follows pod streams and cuts them into run intervals per host. */
export class PodRunTracker {
  readonly intervals: RunInterval[] = [];
  private readonly states = new Map<string, PodState>();
  private readonly uids = new Set<string>();

  observe(e: RecordedEvent): void {
    if (!e.streamId.startsWith(POD_STREAM_PREFIX)) return;
    const state = this.stateOf(e.streamId, e.data?.object);
    // An event that sets some fields (a binding, a host's status) changes the pod as its stream's events left it.
    const object = e.data?.object ?? (e.data?.set ? withFieldSet(state.object ?? {}, e.data.set) : undefined);
    state.object = object;
    const at = e.createdAt.getTime();
    if (object?.metadata?.uid) this.uids.add(object.metadata.uid);
    switch (e.type) {
      case ObjectEventTypes.created:
        this.closeAll(state, at);
        state.epochs.clear();
        state.uid = object?.metadata?.uid;
        break;
      case PodEventTypes.bound:
        this.onBound(state, object, at);
        break;
      case PodEventTypes.unbound:
      case ObjectEventTypes.deleted:
        this.closeAll(state, at);
        break;
      case ObjectEventTypes.statusUpdated:
        this.onStatus(state, e.metadata?.actor ?? '', object, at);
        break;
    }
  }

  /** Every interval, those still open included (with `end` null). */
  all(): RunInterval[] {
    return [...this.intervals, ...[...this.states.values()].flatMap((s) => [...s.open.values()])];
  }

  get pods(): number {
    return this.uids.size;
  }

  private stateOf(streamId: string, object: any): PodState {
    let state = this.states.get(streamId);
    if (!state) {
      const name = object?.metadata ? `${object.metadata.namespace}/${object.metadata.name}` : streamId.slice(POD_STREAM_PREFIX.length);
      state = { pod: name, uid: object?.metadata?.uid, epochs: new Map(), open: new Map() };
      this.states.set(streamId, state);
    }
    return state;
  }

  private onBound(state: PodState, object: any, at: number): void {
    const host: string | undefined = object?.spec?.nodeName;
    for (const h of [...state.open.keys()]) if (h !== host) this.close(state, h, at);
    if (host) state.epochs.set(host, parseEpoch(object?.metadata?.annotations?.[HOST_EPOCH_ANNOTATION]));
  }

  private onStatus(state: PodState, actor: string, object: any, at: number): void {
    const running = object?.status?.phase === 'Running';
    if (!actor.startsWith(NODE_ACTOR_PREFIX)) {
      // The scheduler (NodeLost) or another controller declared the pod done: nobody runs it any more.
      if (!running) this.closeAll(state, at);
      return;
    }
    const host = actor.slice(NODE_ACTOR_PREFIX.length);
    if (!running) this.close(state, host, at);
    else if (!state.open.has(host) && state.uid) {
      state.open.set(host, { pod: state.pod, uid: state.uid, host, epoch: state.epochs.get(host), start: at, end: null });
    }
  }

  private close(state: PodState, host: string, at: number): void {
    const interval = state.open.get(host);
    if (!interval) return;
    state.open.delete(host);
    this.intervals.push({ ...interval, end: at });
  }

  private closeAll(state: PodState, at: number): void {
    for (const host of [...state.open.keys()]) this.close(state, host, at);
  }
}

function parseEpoch(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The fence records hosts reported with their registrations. */
export function fenceOf(e: RecordedEvent): HostFence | undefined {
  if (e.type !== HostEventTypes.registered || !e.data?.fence) return undefined;
  const host: string = e.data.object?.metadata?.name ?? e.streamId.slice(e.streamId.indexOf('/') + 1);
  return { host, fence: e.data.fence };
}

interface PhysicalInterval extends RunInterval {
  end: number;
  fence?: HostFenceRecord;
}

function matchingFence(interval: RunInterval, fences: HostFence[]): HostFenceRecord | undefined {
  return fences.find(
    (f) => f.host === interval.host && f.fence.pods.includes(interval.uid) && (interval.epoch === undefined || f.fence.epoch === interval.epoch),
  )?.fence;
}

/** Stretches an interval to when its containers really stopped, as the host's fence record says. */
export function physicalInterval(interval: RunInterval, fences: HostFence[], now: number): PhysicalInterval {
  const logEnd = interval.end ?? now;
  const fence = matchingFence(interval, fences);
  if (!fence) return { ...interval, end: logEnd };
  const stopped = Date.parse(fence.stoppedAt ?? fence.leaseExpiredAt);
  return { ...interval, end: Number.isNaN(stopped) ? logEnd : Math.max(logEnd, stopped), fence };
}

/** Pairs of intervals of one pod on two hosts that overlap by more than `slackMs`. */
export function findDoubleRuns(intervals: RunInterval[], fences: HostFence[], opts: { slackMs?: number; now?: number } = {}): DoubleRun[] {
  const now = opts.now ?? Date.now();
  const byUid = new Map<string, PhysicalInterval[]>();
  for (const i of intervals) {
    const list = byUid.get(i.uid) ?? [];
    list.push(physicalInterval(i, fences, now));
    byUid.set(i.uid, list);
  }
  const runs: DoubleRun[] = [];
  for (const list of byUid.values()) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const run = overlap(list[i], list[j], opts.slackMs ?? 0);
        if (run) runs.push(run);
      }
    }
  }
  return runs;
}

function overlap(earlier: PhysicalInterval, later: PhysicalInterval, slackMs: number): DoubleRun | undefined {
  if (earlier.host === later.host) return undefined;
  const from = Math.max(earlier.start, later.start);
  const to = Math.min(earlier.end, later.end);
  if (to - from <= slackMs) return undefined;
  const run: DoubleRun = {
    pod: earlier.pod,
    uid: earlier.uid,
    hosts: [earlier.host, later.host],
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    ms: to - from,
  };
  const excuse = earlier.fence && boundedExcuse(earlier.host, earlier.fence, from, to);
  return excuse ? { ...run, excuse } : run;
}

/** The overlap is excused when the fenced host could not have stopped sooner: frozen, then at most 1 s to stop. */
function boundedExcuse(host: string, fence: HostFenceRecord, from: number, to: number): string | undefined {
  const leaseExpired = Date.parse(fence.leaseExpiredAt);
  const awake = fence.unresponsiveUntil ? Date.parse(fence.unresponsiveUntil) : leaseExpired;
  if (Number.isNaN(leaseExpired) || Number.isNaN(awake)) return undefined;
  if (from < leaseExpired || to > awake + STOP_AFTER_WAKE_MS) return undefined;
  const frozen = fence.unresponsiveUntil
    ? `its agent was unresponsive ${fence.unresponsiveFrom ?? '?'} .. ${fence.unresponsiveUntil} (${awake - leaseExpired} ms past the lease)`
    : 'its agent was not frozen';
  const stopped = fence.stoppedAt ? `stopped the containers at ${fence.stoppedAt}, ${Date.parse(fence.stoppedAt) - awake} ms after it could act` : 'no stop time reported';
  return `${host} epoch ${fence.epoch}: lease expired at ${fence.leaseExpiredAt}; ${frozen}; ${stopped} (bound ${STOP_AFTER_WAKE_MS} ms)`;
}

interface StreamEnd {
  resourceVersion: string;
  deleted: boolean;
}

/** Everything the checks need from one pass over the log. */
class LogScan {
  events = 0;
  readonly gaps = new GapTracker();
  readonly pods = new PodRunTracker();
  readonly fences: HostFence[] = [];
  readonly duplicateEventIds: string[] = [];
  readonly ends = new Map<string, StreamEnd>();
  readonly creates = new Map<string, string[]>();
  readonly acknowledgedFound = new Set<string>();
  private readonly ids = new Set<string>();

  constructor(
    private readonly acknowledged: Set<string>,
    readonly schemas?: SchemaConformanceTracker,
  ) {}

  observe(e: RecordedEvent): void {
    this.events++;
    this.schemas?.observe(e);
    this.gaps.observe(e);
    this.pods.observe(e);
    const vm = vmEventAsPod(e);
    if (vm) this.pods.observe(vm);
    const fence = fenceOf(e);
    if (fence) this.fences.push(fence);
    if (this.ids.has(e.id)) this.duplicateEventIds.push(e.id);
    this.ids.add(e.id);
    const rv = resourceVersionOf(e);
    this.ends.set(e.streamId, { resourceVersion: rv, deleted: e.type === ObjectEventTypes.deleted });
    const key = ackKey(e.streamId, rv);
    if (this.acknowledged.has(key)) this.acknowledgedFound.add(key);
    if (e.type === ObjectEventTypes.created && e.metadata?.requestId) this.noteCreate(e.metadata.requestId, e.streamId);
  }

  private noteCreate(requestId: string, streamId: string): void {
    const list = this.creates.get(requestId) ?? [];
    list.push(streamId);
    this.creates.set(requestId, list);
  }
}

function ackKey(streamId: string, resourceVersion: string): string {
  return `${streamId}\u0000${resourceVersion}`;
}

export async function checkInvariants(pool: Pool, opts: CheckInvariantsOptions = {}): Promise<InvariantReport> {
  const acknowledged = opts.acknowledged ?? [];
  const scan = new LogScan(new Set(acknowledged.map((a) => ackKey(a.streamId, a.resourceVersion))), opts.schemas ? new SchemaConformanceTracker({ secretsKey: opts.secretsKey }) : undefined);
  for await (const page of readLogPages(pool)) for (const e of page) scan.observe(e);
  const runs = findDoubleRuns(scan.pods.all(), scan.fences, { slackMs: opts.slackMs, now: (opts.now ?? new Date()).getTime() });
  const report: Omit<InvariantReport, 'ok'> = {
    events: scan.events,
    streams: scan.gaps.streams,
    pods: scan.pods.pods,
    gaps: scan.gaps.gaps,
    duplicateEventIds: scan.duplicateEventIds,
    lost: acknowledged.filter((a) => !scan.acknowledgedFound.has(ackKey(a.streamId, a.resourceVersion))),
    duplicated: [...scan.creates].filter(([, s]) => s.length > 1).map(([requestId, streamIds]) => ({ requestId, streamIds, count: streamIds.length })),
    readModelBehind: opts.readModel ? await readModelLag(opts.readModel, readModelStreams(acknowledged, scan.ends), scan.ends) : [],
    doubleRuns: runs.filter((r) => !r.excuse),
    boundedWindows: runs.filter((r) => r.excuse),
    ...(scan.schemas ? { objectsChecked: scan.schemas.objects } : {}),
    schemaViolations: scan.schemas?.violations ?? [],
  };
  return { ...report, ok: isClean(report) };
}

function isClean(r: Omit<InvariantReport, 'ok'>): boolean {
  return [r.gaps, r.duplicateEventIds, r.lost, r.duplicated, r.readModelBehind, r.doubleRuns, r.schemaViolations].every((list) => list.length === 0);
}

function readModelStreams(acknowledged: AcknowledgedWrite[], ends: Map<string, StreamEnd>): string[] {
  if (acknowledged.length > 0) return [...new Set(acknowledged.map((a) => a.streamId))];
  return [...ends.keys()].filter((s) => s.startsWith(POD_STREAM_PREFIX));
}

async function readModelLag(
  readModel: NonNullable<CheckInvariantsOptions['readModel']>,
  streamIds: string[],
  ends: Map<string, StreamEnd>,
): Promise<InvariantReport['readModelBehind']> {
  const behind: InvariantReport['readModelBehind'] = [];
  for (const streamId of streamIds) {
    const end = ends.get(streamId);
    const expected = end && !end.deleted ? end.resourceVersion : null;
    const found = (await readModel(streamId))?.resourceVersion ?? null;
    if (found !== expected && !isAhead(found, end?.resourceVersion)) behind.push({ streamId, expected, found });
  }
  return behind;
}

/** The log may have moved on between our scan and the read-model query; newer than the scan is not behind. */
function isAhead(found: string | null, lastInLog: string | undefined): boolean {
  if (found === null || lastInLog === undefined || !/^\d+$/.test(found)) return false;
  return BigInt(found) > BigInt(lastInLog);
}

export function formatInvariantReport(r: InvariantReport): string {
  const checked = r.objectsChecked === undefined ? '' : `, ${r.objectsChecked} objects checked against their schemas`;
  const lines = [`invariants ${r.ok ? 'hold' : 'VIOLATED'}: ${r.events} events, ${r.streams} streams, ${r.pods} pods${checked}`];
  for (const g of r.gaps) lines.push(`  gap: ${g.streamId} expected version ${g.expectedVersion}, found ${g.foundVersion}`);
  for (const id of r.duplicateEventIds) lines.push(`  duplicate event id: ${id}`);
  for (const a of r.lost) lines.push(`  lost acknowledged write: ${a.streamId} resourceVersion ${a.resourceVersion}${a.requestId ? ` (request ${a.requestId})` : ''}`);
  for (const d of r.duplicated) lines.push(`  request ${d.requestId} created ${d.count} objects: ${d.streamIds.join(', ')}`);
  for (const b of r.readModelBehind) lines.push(`  read model behind: ${b.streamId} holds ${b.found ?? 'nothing'}, log has ${b.expected ?? 'nothing (deleted)'}`);
  for (const d of r.doubleRuns) lines.push(`  double run: ${describeRun(d)}`);
  for (const w of r.boundedWindows) lines.push(`  bounded window (allowed): ${describeRun(w)} — ${w.excuse}`);
  for (const v of r.schemaViolations) lines.push(`  off schema: ${describeSchemaViolation(v)}`);
  return lines.join('\n');
}

function describeRun(d: DoubleRun): string {
  return `pod ${d.pod} (${d.uid}) ran on ${d.hosts[0]} and ${d.hosts[1]} for ${d.ms} ms, ${d.from} .. ${d.to}`;
}
