import type { ServerResponse } from 'node:http';
import { CheckResult, HealthCheck, healthReply, HealthReply, runChecks, singleCheckReply } from '@openpacific/kube-api';
import type { Logger } from '@openpacific/service-kit';

/** How long one check may take before it counts as failed (kube-apiserver gives etcd's 2 s as well). */
const CHECK_TIMEOUT_MS = 2_000;
/**
 * How long one round of checks answers every probe: the root endpoints are open to anyone, so a flood of them asks
 * Postgres and NATS once a second, not once a request.
 */
const RESULTS_TTL_MS = 1_000;

/** What the gateway's checks look at. */
export interface GatewayHealthSources {
  /** A round trip to Postgres (the log), kube-apiserver's `etcd`. */
  postgres(): Promise<void>;
  /** A round trip to NATS, which carries admission, pod tokens and the log's wake-ups. */
  nats(): Promise<void>;
  /** Whether the gateway has read the log up to its start and serves from it (kube-apiserver's `informer-sync`). */
  synced(): boolean;
  /** Whether the gateway is stopping: no longer ready, so load balancers move on (kube-apiserver's `shutdown`). */
  stopping(): boolean;
}

/** Each endpoint's checks, in the order kube-apiserver lists its own (`etcd` being the log's Postgres here). */
const ENDPOINT_CHECKS: Record<'healthz' | 'livez' | 'readyz', string[]> = {
  livez: ['ping', 'log', 'postgres'],
  readyz: ['ping', 'log', 'postgres', 'nats', 'informer-sync', 'shutdown'],
  healthz: ['ping', 'log', 'postgres', 'nats', 'informer-sync'],
};

/**
 * `/healthz`, `/livez` and `/readyz` with their checks, `?verbose` and `?exclude=`, and `/readyz/<check>`: what
 * `kubectl get --raw='/readyz?verbose'` and a load balancer's probe ask. A failed check's reason is logged when the
 * check starts failing, and withheld from the answer, as kube-apiserver does.
 */
export class GatewayHealth {
  private readonly checks: HealthCheck[];
  private round?: { at: number; results: Promise<CheckResult[]> };
  private readonly failing = new Set<string>();

  constructor(sources: GatewayHealthSources, private readonly logger: Logger) {
    this.checks = [
      { name: 'ping', run: () => undefined },
      // The log (stdout) is written without blocking the gateway: nothing to wait for.
      { name: 'log', run: () => undefined },
      { name: 'postgres', run: () => sources.postgres() },
      { name: 'nats', run: () => sources.nats() },
      { name: 'informer-sync', run: () => { if (!sources.synced()) throw new Error('the log is not read up to the start yet'); } },
      { name: 'shutdown', run: () => { if (sources.stopping()) throw new Error('process is shutting down'); } },
    ];
  }

  /** Whether `check` is one of `endpoint`'s (`/readyz/<check>` exists). */
  has(endpoint: keyof typeof ENDPOINT_CHECKS, check: string): boolean {
    return ENDPOINT_CHECKS[endpoint].includes(check);
  }

  /** Answers `/<endpoint>` (every check), or `/<endpoint>/<check>` when `check` is given. */
  async serve(res: ServerResponse, endpoint: keyof typeof ENDPOINT_CHECKS, query: URLSearchParams, check?: string): Promise<void> {
    const results = await this.results();
    const ofEndpoint = ENDPOINT_CHECKS[endpoint].map((name) => results.find((r) => r.name === name)!);
    const reply: HealthReply = check === undefined ? healthReply(endpoint, ofEndpoint, query) : singleCheckReply(ofEndpoint.find((r) => r.name === check)!);
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
  }

  private results(): Promise<CheckResult[]> {
    const now = Date.now();
    if (this.round && now - this.round.at < RESULTS_TTL_MS) return this.round.results;
    const results = runChecks(this.checks, CHECK_TIMEOUT_MS).then((r) => this.noteChanges(r));
    this.round = { at: now, results };
    return results;
  }

  /** Logs a check when it starts failing (with why) and when it passes again. */
  private noteChanges(results: CheckResult[]): CheckResult[] {
    for (const r of results) {
      if (r.error !== undefined && !this.failing.has(r.name)) {
        this.failing.add(r.name);
        this.logger.warn('health check failing', { check: r.name, error: r.error });
      } else if (r.error === undefined && this.failing.delete(r.name)) {
        this.logger.info('health check passing again', { check: r.name });
      }
    }
    return results;
  }
}
