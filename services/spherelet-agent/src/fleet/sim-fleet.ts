import { pokedFollower } from '@openpacific/objects';
import type { ServiceContext } from '@openpacific/service-kit';
import { BeatClock } from '../host/host-lease';
import { HostMetricsPublisher } from '../metrics/host-metrics-publisher';
import type { SphereletAgentConfig } from '../spherelet-agent.config';
import { FLEET_FOLLOWS, FleetFeed } from './fleet-feed';
import { SimHost } from './sim-host';
import { StaggeredResync } from './staggered-resync';
import { gatedStore } from './write-gate';

/** How many hosts register at once: each registration reads and appends a stream. */
const START_CONCURRENCY = 10;
/**
 * Transactions in flight for the whole fleet: fewer than the pool's ten connections, leaving room for the
 * follower's reads; the pods' status writes that queue meanwhile share the next ones, up to a few hundred
 * streams each (a short transaction: the first pods of a burst are not held up behind the last).
 */
const WRITES = { limit: 4, maxStreams: 300 };

/** `sim-1`…`sim-N` from HOST_NAME=sim: deterministic, so a restarted fleet takes its hosts back with new epochs. */
export function fleetHostNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
}

/**
 * KWOK-like: SIM_FLEET_HOSTS simulated hosts in one agent process, sharing its Postgres pool, NATS connection
 * and one log follower (FleetFeed), each with its own registration, lease, capacity (HOST_CPU/HOST_MEMORY/HOST_PODS) and
 * pod worker over an in-process sim runtime. For scale runs: a thousand crx-runtime processes would measure
 * the machine, not the control plane.
 */
export class SimFleet {
  private readonly feed: FleetFeed;
  private readonly hosts: SimHost[] = [];
  private resync?: StaggeredResync;
  private metrics?: HostMetricsPublisher;

  constructor(private readonly ctx: ServiceContext<SphereletAgentConfig>) {
    this.feed = new FleetFeed(ctx.config.SECRETS_ENCRYPTION_KEY);
  }

  async start(): Promise<void> {
    const { config, store, pool, nats, names, logger } = this.ctx;
    await this.feed.start((apply) => pokedFollower({ store, pool, nats, names, logger }, apply, { follows: FLEET_FOLLOWS }));
    const deps = {
      store: gatedStore(store, WRITES), pool, nats, names, logger, feed: this.feed, beats: new BeatClock(config.HEARTBEAT_INTERVAL_MS),
      latestUsage: (host: string) => this.metrics?.latest(host),
    };
    this.resync = new StaggeredResync(config.POD_RESYNC_MS, () => this.feed.hosts(), (host) => this.feed.resync(host));
    this.resync.start();
    const all = fleetHostNames(config.HOST_NAME, config.SIM_FLEET_HOSTS).map((name, i) => new SimHost(name, i + 1, config, deps));
    for (let i = 0; i < all.length; i += START_CONCURRENCY) {
      const batch = all.slice(i, i + START_CONCURRENCY);
      await Promise.all(batch.map((h) => h.start()));
      this.hosts.push(...batch);
    }
    // One timer for the fleet: a small message per host per interval, nothing per pod event.
    this.metrics = new HostMetricsPublisher(nats, names, config.METRICS_INTERVAL_MS, () => this.hosts.map((h) => h.usage), logger);
    this.metrics.start();
    logger.info('sim fleet started', { hosts: all.length, first: all[0]?.name, last: all[all.length - 1]?.name });
  }

  async stop(): Promise<void> {
    this.resync?.stop();
    this.metrics?.stop();
    await Promise.all(this.hosts.map((h) => h.stop()));
    await this.feed.stop();
  }
}
