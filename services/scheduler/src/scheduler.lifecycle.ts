import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { clusterNetworkFromEnv } from '@openpacific/contracts';
import { LeaderElection } from '@openpacific/event-store';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { HeartbeatMonitor } from './hosts/heartbeat-monitor';
import { HostLifecycleController } from './hosts/host-lifecycle.controller';
import { resolve } from 'node:path';
import { PodScheduler } from './pods/pod-scheduler';
import { SharedFollower } from '@openpacific/objects';
import { SnapshotController } from './storage/snapshot-controller';
import { VolumeBinder } from './storage/volume-binder';
import { CronJobClock } from './workloads/cronjob-clock';
import { CronJobsController } from './workloads/cronjobs.controller';
import { DaemonSetsController } from './workloads/daemonsets.controller';
import { JobsController } from './workloads/jobs.controller';
import { StatefulSetsController } from './workloads/statefulsets.controller';
import { WorkloadsController } from './workloads/workloads.controller';
import type { SchedulerConfig } from './scheduler.config';
import { HostMetricsCache } from '@openpacific/messaging';
import { HorizontalPodAutoscalersController } from './autoscaling/horizontal-pod-autoscalers.controller';

/**
 * Every replica hears heartbeats; the elected one answers them (renewing the hosts' leases) and runs the
 * controllers: host lifecycle (heartbeats -> Ready), pod and VM placement with failover, and the volume
 * binder (claims to volumes carved from the datastore, from snapshots and clones too) and the snapshot controller, and the Deployment, ReplicaSet, DaemonSet, StatefulSet, Job,
 * CronJob and HorizontalPodAutoscaler controllers
 * (workloads/: it already leads pod placement and follows every pod, so no extra process is needed). A replica that loses
 * the lead stops them before another can have taken over. The controllers of the log share one follower.
 */
@Injectable()
export class SchedulerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private monitor?: HeartbeatMonitor;
  private election?: LeaderElection;
  private hosts?: HostLifecycleController;
  private pods?: PodScheduler;
  private volumes?: VolumeBinder;
  /** The controllers of workloads (Deployments and ReplicaSets, DaemonSets, StatefulSets, Jobs, CronJobs). */
  private workloads: Array<{ start(): void; stop(): void }> = [];
  private log?: SharedFollower;
  private hostMetrics?: HostMetricsCache;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<SchedulerConfig>) {}

  async onApplicationBootstrap(): Promise<void> {
    const { store, nats, names, logger, config, pool } = this.ctx;
    const monitor = new HeartbeatMonitor(nats, names, logger, { feedGapMs: Math.round((config.HOST_GRACE_MS * 2) / 3) });
    monitor.start();
    this.monitor = monitor;
    // Every replica keeps the hosts' latest samples, so a new leader's first HPA sync has them.
    const hostMetrics = new HostMetricsCache(nats, config.NATS_PREFIX);
    hostMetrics.start();
    this.hostMetrics = hostMetrics;
    this.election = new LeaderElection(pool, {
      name: 'scheduler',
      logger,
      intervalMs: config.LEADER_CHECK_INTERVAL_MS,
      onElected: async () => {
        const log = new SharedFollower({ store, pool, nats, names, logger });
        const deps = { store, pool, nats, names, logger, log };
        this.log = log;
        this.pods = new PodScheduler({ ...deps, podCIDR: clusterNetworkFromEnv(process.env).podCIDR || undefined });
        this.volumes = new VolumeBinder(deps, { datastoreDir: resolve(config.DATASTORE_DIR), datastoreCapacityBytes: config.DATASTORE_CAPACITY_BYTES || undefined });
        const workloads = new WorkloadsController(deps);
        // The HPA controller reads the workloads' pods and targets, and the hosts' samples (not events: core NATS).
        const autoscalers = new HorizontalPodAutoscalersController(deps, { targets: workloads.readModel, metrics: hostMetrics, syncPeriodMs: config.HPA_SYNC_PERIOD_MS });
        this.workloads = [
          workloads, new DaemonSetsController(deps), new StatefulSetsController(deps), new JobsController(deps, { backoffMs: config.JOB_POD_FAILURE_BACKOFF_MS }), new CronJobsController(deps, { clock: new CronJobClock(config.CRONJOB_TEST_CLOCK_LEAD_MS) }), autoscalers,
          // CSI snapshots of the datastore's volumes, beside the volume binder that restores them.
          new SnapshotController(deps, { datastoreDir: resolve(config.DATASTORE_DIR), datastoreCapacityBytes: config.DATASTORE_CAPACITY_BYTES || undefined }),
        ];
        // The controllers pass only once their read models hold the whole log.
        await log.start();
        this.pods.start();
        this.hosts = new HostLifecycleController(store, monitor, logger, {
          graceMs: config.HOST_GRACE_MS,
          intervalMs: config.HOST_CHECK_INTERVAL_MS,
          onChange: () => this.pods?.kick(),
        });
        this.hosts.start();
        this.volumes.start();
        for (const c of this.workloads) c.start();
        monitor.answering = true;
      },
      onDeposed: async () => {
        monitor.answering = false;
        this.hosts?.stop();
        await this.pods?.stop();
        this.volumes?.stop();
        for (const c of this.workloads) c.stop();
        await this.log?.stop();
        this.workloads = [];
        this.volumes = undefined;
        this.hosts = undefined;
        this.pods = undefined;
        this.log = undefined;
      },
    });
    await this.election.start();
    await nats.flush();
    logger.info('ready', { leader: this.election.isLeader });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.election?.stop();
    this.monitor?.stop();
    await this.hostMetrics?.stop();
  }
}
