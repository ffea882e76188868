import { CodedError, ErrorCodes } from '@openpacific/contracts';
import type { BaseConfig } from '../config/base-config';
import { createLogger } from '../logging/logger';
import { RunningService, ServiceOptions, startService } from './start-service';

const SHUTDOWN_TIMEOUT_MS = 15_000;

/**
 * The whole life of a service process: boot, serve until SIGTERM/SIGINT,
 * shut down gracefully and exit 0. A bad environment exits 1 naming the variable.
 */
export async function runService<C extends BaseConfig>(opts: ServiceOptions<C>): Promise<void> {
  const fallbackLogger = createLogger(opts.name, 'info');
  let running: RunningService<C> | undefined;
  let stopping = false;

  const shutdown = (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    // A hung close must not keep a dying process around forever.
    setTimeout(() => {
      fallbackLogger.error('shutdown timed out', { timeoutMs: SHUTDOWN_TIMEOUT_MS });
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    // A signal during boot finds nothing started yet: exiting releases the half-open sockets.
    const done = running ? running.stop(reason) : Promise.resolve();
    done.finally(() => process.exit(exitCode));
  };

  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('unhandledRejection', (err) => {
    fallbackLogger.error('unhandled rejection', { error: err });
    shutdown('unhandled rejection', 1);
  });
  process.on('uncaughtException', (err) => {
    fallbackLogger.error('uncaught exception', { error: err });
    shutdown('uncaught exception', 1);
  });

  try {
    running = await startService(opts, process.env);
  } catch (err) {
    if (err instanceof CodedError && err.code === ErrorCodes.configInvalid) {
      fallbackLogger.error(err.message, { code: err.code });
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    // startService already logged and released what it had opened.
    process.exit(1);
  }
}
