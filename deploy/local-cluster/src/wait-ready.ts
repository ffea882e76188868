import { CodedError } from '@openpacific/contracts';
import { ChildExitedError, LauncherErrorCodes } from './launcher-errors';
import type { ManagedProcess } from './managed-process';
import { delay, httpStatus } from './network';

/**
 * Polls until check() holds. Fails early, naming the child, when one of the
 * watched processes exits: waiting out the timeout would only hide the cause.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; watch?: ManagedProcess[]; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const dead = (opts.watch ?? []).find((p) => !p.running);
    if (dead) throw new ChildExitedError(dead);
    if (await check()) return;
    if (Date.now() >= deadline) {
      throw new CodedError(LauncherErrorCodes.timeout, `${what} not ready after ${opts.timeoutMs} ms`);
    }
    await delay(opts.intervalMs ?? 200);
  }
}

/** Waits for a service's health server to answer GET /readyz with 200. */
export function waitForServiceReady(process: ManagedProcess, healthPort: number, timeoutMs: number): Promise<void> {
  return waitUntil(`${process.name} (health port ${healthPort})`, async () => (await httpStatus(healthPort, '/readyz')) === 200, {
    timeoutMs,
    watch: [process],
  });
}
