export type HealthCheck = () => Promise<void>;

/** What a service uses to take part in readiness. */
export interface HealthRegistry {
  addCheck(name: string, check: HealthCheck): void;
  /** A service may hold itself unready (e.g. while it catches up); it is ready by default. */
  setReady(ready: boolean): void;
}

export type Readiness = { ready: true } | { ready: false; failed: string; error: string };

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Readiness = the kit says the service is serving (booted and not stopping)
 * and the service says it is ready and every check passes.
 */
export class ServiceHealth implements HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();
  private serviceReady = true;
  private serving = false;

  addCheck(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  setReady(ready: boolean): void {
    this.serviceReady = ready;
  }

  /** Set by the kit once boot finished, cleared when shutdown begins. */
  setServing(serving: boolean): void {
    this.serving = serving;
  }

  async readiness(): Promise<Readiness> {
    if (!this.serving) return { ready: false, failed: 'serving', error: 'not started or shutting down' };
    if (!this.serviceReady) return { ready: false, failed: 'service', error: 'service reports not ready' };
    for (const [name, check] of this.checks) {
      try {
        await withTimeout(check(), CHECK_TIMEOUT_MS);
      } catch (err) {
        return { ready: false, failed: name, error: (err as Error).message ?? String(err) };
      }
    }
    return { ready: true };
  }
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
