import { NatsNames } from '@openpacific/contracts';
import { NatsConnection, RetentionPolicy, StorageType } from 'nats';

/**
 * The JetStream stream every committed event is relayed to. Its duplicate
 * window is what makes a relay's re-send after a crash harmless.
 */
export async function ensureEventStream(
  nc: NatsConnection,
  names: NatsNames,
  opts: { duplicateWindowMs?: number; maxAgeMs?: number; replicas?: number } = {},
): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const config = {
    name: names.eventStream,
    subjects: [names.eventSubjects],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    duplicate_window: (opts.duplicateWindowMs ?? 120_000) * 1_000_000,
    max_age: (opts.maxAgeMs ?? 24 * 3600_000) * 1_000_000,
    // On a NATS cluster, 3 keeps every event on three servers: one can die without losing any.
    num_replicas: opts.replicas ?? 1,
  };
  try {
    await jsm.streams.info(names.eventStream);
    await jsm.streams.update(names.eventStream, config);
  } catch (err) {
    if ((err as { code?: string }).code !== '404' && !/not found/i.test((err as Error).message)) throw err;
    await jsm.streams.add(config);
  }
}
