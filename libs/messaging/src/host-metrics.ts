import { HostMetrics, natsNames, PodMetricsSample } from '@openpacific/contracts';
import type { NatsConnection, Subscription } from 'nats';

/** A pod's latest sample with the window it came from. */
export interface PodMetricsReading extends PodMetricsSample {
  host: string;
  timestamp: string;
  windowSeconds: number;
}

/**
 * The latest resource usage sample of every host (contracts' `HostMetrics`), kept in memory as metrics-server
 * keeps its scrapes: a new sample replaces the host's last one, and a host not heard from for `staleAfterMs`
 * (default 60 s, several of its windows) is left out, with its pods. Malformed messages are ignored.
 */
export class HostMetricsCache {
  private readonly latest = new Map<string, { sample: HostMetrics; receivedAt: number }>();
  private sub?: Subscription;
  private readonly staleAfterMs: number;
  private readonly now: () => number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    opts: { staleAfterMs?: number; now?: () => number } = {},
  ) {
    this.staleAfterMs = opts.staleAfterMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.sub) return;
    this.sub = this.nc.subscribe(natsNames(this.prefix).allHostMetrics, {
      callback: (err, msg) => {
        if (err) return;
        try {
          this.ingest(JSON.parse(new TextDecoder().decode(msg.data)));
        } catch {
          // not JSON: ignored like any malformed sample
        }
      },
    });
  }

  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    this.sub = undefined;
  }

  /** Takes one sample (what the subscription does with each message); false if it is malformed. */
  ingest(sample: unknown): boolean {
    if (!isHostMetrics(sample)) return false;
    const last = this.latest.get(sample.host);
    // Out of order (a delayed message): keep the newer sample.
    if (last && Date.parse(last.sample.timestamp) > Date.parse(sample.timestamp)) return true;
    this.latest.set(sample.host, { sample, receivedAt: this.now() });
    return true;
  }

  /** The latest sample of every host heard from recently. */
  hosts(): HostMetrics[] {
    const cutoff = this.now() - this.staleAfterMs;
    const out: HostMetrics[] = [];
    for (const [host, entry] of this.latest) {
      if (entry.receivedAt < cutoff) this.latest.delete(host);
      else out.push(entry.sample);
    }
    return out;
  }

  host(name: string): HostMetrics | undefined {
    return this.hosts().find((h) => h.host === name);
  }

  /** Every pod's latest sample, or those of one namespace. A pod reported by two hosts (moved) keeps the newer. */
  pods(namespace?: string): PodMetricsReading[] {
    const byKey = new Map<string, PodMetricsReading>();
    for (const h of this.hosts()) {
      for (const p of h.pods) {
        if (namespace !== undefined && p.namespace !== namespace) continue;
        const key = `${p.namespace}/${p.name}`;
        const seen = byKey.get(key);
        if (seen && Date.parse(seen.timestamp) >= Date.parse(h.timestamp)) continue;
        byKey.set(key, { ...p, host: h.host, timestamp: h.timestamp, windowSeconds: h.windowSeconds });
      }
    }
    return [...byKey.values()];
  }

  pod(namespace: string, name: string): PodMetricsReading | undefined {
    return this.pods(namespace).find((p) => p.name === name);
  }
}

const isUsage = (u: unknown): boolean =>
  typeof u === 'object' && u !== null && Number.isFinite((u as any).cpuNanoCores) && (u as any).cpuNanoCores >= 0 && Number.isFinite((u as any).memoryBytes) && (u as any).memoryBytes >= 0;

function isHostMetrics(s: unknown): s is HostMetrics {
  const m = s as HostMetrics;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.host === 'string' &&
    m.host !== '' &&
    typeof m.timestamp === 'string' &&
    !Number.isNaN(Date.parse(m.timestamp)) &&
    typeof m.windowSeconds === 'number' &&
    m.windowSeconds > 0 &&
    isUsage(m.node) &&
    Array.isArray(m.pods) &&
    m.pods.every(
      (p) =>
        typeof p === 'object' &&
        p !== null &&
        typeof p.namespace === 'string' &&
        typeof p.name === 'string' &&
        typeof p.uid === 'string' &&
        Array.isArray(p.containers) &&
        p.containers.every((c) => typeof c?.name === 'string' && isUsage(c)),
    )
  );
}
