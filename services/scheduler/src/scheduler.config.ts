import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export interface SchedulerConfig extends BaseConfig {
  /** A host that has not heartbeat for this long is NotReady. */
  HOST_GRACE_MS: number;
  /** How often the host-lifecycle controller looks at heartbeats. */
  HOST_CHECK_INTERVAL_MS: number;
  /** How often a standby replica tries to take the lead (and the leader checks it still holds it). */
  LEADER_CHECK_INTERVAL_MS: number;
  /** The datastore volumes are carved from: a directory every host reaches (shared storage). */
  DATASTORE_DIR: string;
  /** Its size for capacity accounting (0: unlimited). */
  DATASTORE_CAPACITY_BYTES: number;
  /** The first back-off before a Job's failed pod is replaced (kube-controller-manager's 10 s), doubling per failure up to 36 times itself. */
  JOB_POD_FAILURE_BACKOFF_MS: number;
  /** How often each HorizontalPodAutoscaler is synced (kube-controller-manager's --horizontal-pod-autoscaler-sync-period, 15 s). */
  HPA_SYNC_PERIOD_MS: number;
  /** Tests only: a CronJob's first run comes this long after the controller first waits for it, its clock moved ahead (0: the wall clock, as kube). */
  CRONJOB_TEST_CLOCK_LEAD_MS: number;
}

export const configSchema = baseSchema({
  HOST_GRACE_MS: { type: 'integer', minimum: 500, maximum: 600000, default: 3000 },
  HOST_CHECK_INTERVAL_MS: { type: 'integer', minimum: 50, maximum: 60000, default: 250 },
  LEADER_CHECK_INTERVAL_MS: { type: 'integer', minimum: 50, maximum: 60000, default: 500 },
  DATASTORE_DIR: { type: 'string', minLength: 1, default: '.data/datastore' },
  DATASTORE_CAPACITY_BYTES: { type: 'integer', minimum: 0, default: 0 },
  JOB_POD_FAILURE_BACKOFF_MS: { type: 'integer', minimum: 10, maximum: 600000, default: 10000 },
  HPA_SYNC_PERIOD_MS: { type: 'integer', minimum: 100, maximum: 600000, default: 15000 },
  CRONJOB_TEST_CLOCK_LEAD_MS: { type: 'integer', minimum: 0, maximum: 59000, default: 0 },
});
