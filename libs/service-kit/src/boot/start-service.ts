import 'reflect-metadata';
import type { Server } from 'node:http';
import { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { appendedPayload, natsNames, streamResource } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import type { NatsConnection, Subscription } from 'nats';
import type { Pool } from 'pg';
import type { BaseConfig } from '../config/base-config';
import { loadConfig } from '../config/load-config';
import { ServiceHealth } from '../health/health-registry';
import { serveHealthOverNats } from '../health/health-responder';
import { closeHealthServer, startHealthServer } from '../health/health-server';
import { createLogger } from '../logging/logger';
import { CoalescedSignal } from '../messaging/coalesced-signal';
import { NestLoggerAdapter } from '../logging/nest-logger.adapter';
import { connectPostgres, defaultRetry } from './connect-postgres';
import { ServiceContext } from './service-context';
import { serviceRootModule } from './service-root.module';

export interface ServiceOptions<C extends BaseConfig> {
  name: string;
  configSchema: object;
  module: (ctx: ServiceContext<C>) => DynamicModule | Type;
  /** Derives values the schema cannot express (defaults computed from other variables, resolved paths). */
  prepareConfig?: (config: C) => C;
}

export interface RunningService<C extends BaseConfig> {
  ctx: ServiceContext<C>;
  healthPort: number;
  /** Stops taking work, closes the Nest app (its shutdown hooks), drains NATS, closes the pool. */
  stop(reason?: string): Promise<void>;
}

const NATS_CONNECT_ATTEMPTS = 60;
/**
 * At most one "log appended" wake-up per this many ms per service: every
 * wake-up makes every follower in every service read the log, most of them
 * for writes they ignore. Followers also poll, and the trailing wake-up of a
 * burst is always sent, so this only delays a wake-up by up to the window.
 */
const LOG_WAKEUP_WINDOW_MS = 10;

/**
 * Boots a service without touching the process (no signal handlers, no
 * exit), so tests can run it in-process. Throws CONFIG.INVALID on a bad environment.
 */
export async function startService<C extends BaseConfig>(
  opts: ServiceOptions<C>,
  env: Record<string, string | undefined> = process.env,
): Promise<RunningService<C>> {
  const loaded = loadConfig<C>(opts.configSchema, env);
  const config = opts.prepareConfig ? opts.prepareConfig(loaded) : loaded;
  const logger = createLogger(opts.name, config.LOG_LEVEL, config.INSTANCE_ID);
  const closers: Array<{ name: string; close: () => Promise<unknown> }> = [];
  const health = new ServiceHealth();
  let app: INestApplicationContext | undefined;

  const stop = async (reason = 'stop') => {
    health.setServing(false);
    logger.info('shutting down', { reason });
    // Last opened, first closed: the Nest app goes before the connections it uses.
    for (const { name, close } of closers.reverse().splice(0)) {
      try {
        await close();
      } catch (err) {
        logger.warn('shutdown step failed', { step: name, error: (err as Error).message });
      }
    }
    logger.info('stopped');
  };

  try {
    const bind = env.HEALTH_BIND || '127.0.0.1';
    const { server, port } = await startHealthServer(health, config.HEALTH_PORT, bind);
    closers.push({ name: 'health server', close: () => closeHealthServer(server as Server) });
    logger.info('health listening', { port, host: bind });

    const pool: Pool = await connectPostgres(
      config.DATABASE_URL,
      `${opts.name}-${config.INSTANCE_ID}`,
      logger.child({ component: 'postgres' }),
      defaultRetry,
      undefined,
      config.DATABASE_POOL_SIZE,
    );
    closers.push({ name: 'postgres', close: () => pool.end() });
    await migrate(pool);
    logger.info('event store migrated');

    // connectNats logs each failed attempt and the success itself.
    logger.info('connecting to nats', { component: 'nats' });
    const nats: NatsConnection = await connectNats({
      url: config.NATS_URL,
      name: `${opts.name}-${config.INSTANCE_ID}`,
      maxAttempts: NATS_CONNECT_ATTEMPTS,
      logger: logger.child({ component: 'nats' }),
    });
    closers.push({ name: 'nats', close: () => (nats.isClosed() ? Promise.resolve() : nats.drain()) });

    health.addCheck('postgres', async () => {
      await pool.query('select 1');
    });
    health.addCheck('nats', async () => {
      if (nats.isClosed()) throw new Error('connection closed');
    });

    const names = natsNames(config.NATS_PREFIX);
    const appended = new CoalescedSignal<string>((resources) => {
      // Fired from a timer as well: a closing connection must not throw out of it.
      try {
        // Naming the resources appended lets followers of other resources skip the read.
        nats.publish(names.logAppended, resources ? appendedPayload(resources) : undefined);
      } catch (err) {
        logger.warn('log wake-up not sent', { component: 'nats', error: (err as Error).message });
      }
    }, LOG_WAKEUP_WINDOW_MS);
    // Closed before NATS drains (closers run in reverse), so a pending wake-up still goes out.
    closers.push({ name: 'log wake-ups', close: async () => appended.close() });
    const ctx: ServiceContext<C> = {
      service: opts.name,
      config,
      logger,
      pool,
      nats,
      names,
      store: new EventStore(pool, { notify: false, onAppended: (events) => appended.signal(events.map((e) => streamResource(e.streamId))) }),
      health,
    };
    const responder: Subscription = serveHealthOverNats(
      nats,
      names.health(opts.name),
      { service: opts.name, instance: config.INSTANCE_ID },
      health,
      logger,
    );
    closers.push({ name: 'health responder', close: async () => responder.unsubscribe() });

    app = await NestFactory.createApplicationContext(serviceRootModule(ctx, opts.module(ctx)), {
      logger: new NestLoggerAdapter(logger.child({ component: 'nest' })),
      abortOnError: false,
    });
    const nestApp = app;
    closers.push({ name: 'nest', close: () => nestApp.close() });
    await nestApp.init();

    health.setServing(true);
    logger.info('service started', { healthPort: port });
    return { ctx, healthPort: port, stop };
  } catch (err) {
    logger.error('boot failed', { error: err as Error });
    await stop('boot failed');
    throw err;
  }
}
