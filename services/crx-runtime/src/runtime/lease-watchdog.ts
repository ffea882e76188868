import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { CodedError, CrxErrorCodes, HostFenceRecord, RenewLeaseRequest } from '@openpacific/contracts';
import { RuntimeDriver } from './runtime-driver';

interface LeaseState {
  lease?: RenewLeaseRequest;
  /** The highest epoch whose lease ran out: it and older ones may not renew. */
  fencedEpoch: number;
  fences: HostFenceRecord[];
}

/**
 * The isolation response, carried out by the runtime itself: the agent hands
 * over its host lease after every renewal, and when the lease runs out
 * without a renewal (the agent is cut off, frozen or dead for longer than the
 * grace period) every container of that epoch is killed and its sandbox
 * removed — by then the scheduler may be starting the pods elsewhere. The
 * fence is kept for the agent's next epoch to report.
 */
export class LeaseWatchdog {
  private state: LeaseState = { fencedEpoch: 0, fences: [] };
  private timer?: NodeJS.Timeout;
  private fencing?: Promise<void>;
  /** The last stretch this process did not run at all, if any. */
  private gap?: { from: number; until: number };

  constructor(
    private readonly driver: RuntimeDriver,
    private readonly opts: { stateFile?: string; checkIntervalMs?: number; log?: (msg: string, fields: Record<string, unknown>) => void },
  ) {
    if (opts.stateFile && existsSync(opts.stateFile)) this.state = { ...this.state, ...JSON.parse(readFileSync(opts.stateFile, 'utf8')) };
  }

  start(): void {
    const interval = this.opts.checkIntervalMs ?? 100;
    let last = Date.now();
    const tick = () => {
      const now = Date.now();
      // A tick far later than due: this process was not running (the host paused, frozen, starved).
      if (now - last > interval * 5 + 500) this.gap = { from: last, until: now };
      last = now;
      this.check();
      this.timer = setTimeout(tick, interval);
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  renew(req: RenewLeaseRequest): object {
    if (!Number.isInteger(req?.epoch) || typeof req.expiresAt !== 'number') throw new CodedError(CrxErrorCodes.invalid, 'renewLease needs an integer epoch and expiresAt (ms)');
    if (req.epoch <= this.state.fencedEpoch) {
      throw new CodedError(CrxErrorCodes.fenced, `the lease of epoch ${req.epoch} ran out and its containers were stopped; register a new epoch`);
    }
    const current = this.state.lease;
    if (current && req.epoch < current.epoch) throw new CodedError(CrxErrorCodes.conflict, `epoch ${req.epoch} is older than the lease's epoch ${current.epoch}`);
    // Checked before renewing: a renewal that arrives after the deadline cannot revive a lease that ran out.
    this.check();
    if (req.epoch <= this.state.fencedEpoch) throw new CodedError(CrxErrorCodes.fenced, `the lease of epoch ${req.epoch} ran out`);
    this.state.lease = { epoch: req.epoch, expiresAt: Math.max(req.expiresAt, current?.epoch === req.epoch ? current.expiresAt : 0) };
    this.save();
    return { epoch: req.epoch, expiresAt: this.state.lease.expiresAt };
  }

  fences(): { items: HostFenceRecord[] } {
    return { items: this.state.fences };
  }

  /** Resolves once a fence in progress has finished (tests). */
  settled(): Promise<void> {
    return this.fencing ?? Promise.resolve();
  }

  private check(): void {
    const lease = this.state.lease;
    if (!lease || Date.now() <= lease.expiresAt || this.fencing) return;
    this.state.fencedEpoch = lease.epoch;
    this.state.lease = undefined;
    this.save();
    this.fencing = this.fence(lease).finally(() => (this.fencing = undefined));
  }

  private async fence(lease: RenewLeaseRequest): Promise<void> {
    const victims = this.driver.listPodSandboxes().filter((s) => (s.config.epoch ?? 0) <= lease.epoch);
    // Only pods with a container still running were stopped by this fence (after a power cut, none are).
    const running = victims.filter((s) => this.driver.listContainers(s.id).some((c) => c.state === 'CONTAINER_RUNNING'));
    // Every container at once, with no grace: the pods may already be running elsewhere.
    await Promise.all(victims.map((s) => this.driver.stopPodSandbox(s.id, 0).catch(() => undefined)));
    const stoppedAt = new Date().toISOString();
    for (const s of victims) await this.driver.removePodSandbox(s.id).catch(() => undefined);
    const record: HostFenceRecord = { epoch: lease.epoch, leaseExpiredAt: new Date(lease.expiresAt).toISOString(), stoppedAt, pods: running.map((s) => s.config.podUid) };
    // Frozen across the deadline: nothing could have stopped the containers before it ran again.
    if (this.gap && this.gap.from <= lease.expiresAt && this.gap.until >= lease.expiresAt) {
      record.unresponsiveFrom = new Date(this.gap.from).toISOString();
      record.unresponsiveUntil = new Date(this.gap.until).toISOString();
    }
    this.state.fences = [...this.state.fences, record].slice(-20);
    this.save();
    this.opts.log?.('host lease ran out: stopped every container of the epoch', { epoch: lease.epoch, leaseExpiredAt: record.leaseExpiredAt, stoppedAt, pods: victims.length });
  }

  private save(): void {
    if (!this.opts.stateFile) return;
    writeFileSync(`${this.opts.stateFile}.tmp`, JSON.stringify(this.state));
    renameSync(`${this.opts.stateFile}.tmp`, this.opts.stateFile);
  }
}
