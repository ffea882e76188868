import { connect, NatsConnection } from 'nats';

export interface ConnectLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Connects with retries (a service may start before NATS does), then lets the
 * client reconnect on its own for the rest of its life. `url` may list the
 * members of a NATS cluster, comma-separated; the client fails over among them.
 */
export async function connectNats(opts: { url: string; name: string; maxAttempts?: number; logger?: ConnectLogger }): Promise<NatsConnection> {
  const maxAttempts = opts.maxAttempts ?? 30;
  for (let attempt = 1; ; attempt++) {
    try {
      const nc = await connect({
        servers: opts.url.split(',').map((u) => u.trim()),
        name: opts.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        timeout: 2000,
        // By default every request and JetStream publish captures a stack
        // (`new Error()`) up front in case it fails later: a measurable share of
        // CPU at thousands of publishes a second. Errors keep their code and
        // message; callers that need context wrap them (requestJson does).
        noAsyncTraces: true,
      });
      opts.logger?.info('connected to NATS', { url: opts.url, attempt });
      return nc;
    } catch (err) {
      if (attempt >= maxAttempts) throw err;
      opts.logger?.warn('NATS not reachable yet; retrying', { url: opts.url, attempt, error: (err as Error).message });
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
    }
  }
}
