import { serveJson } from '@openpacific/messaging';
import type { NatsConnection, Subscription } from 'nats';
import { RuntimeDriver } from './runtime-driver';

/**
 * Streaming sessions into this host's containers (exec, attach): each opened by a request on the host's own
 * subject of the kind (`startSubject`), its streams then on the exec stream subjects. Subclasses open and end them.
 */
export abstract class HostSessions<Request> {
  protected sub?: Subscription;

  constructor(
    protected readonly nc: NatsConnection,
    protected readonly prefix: string,
    protected readonly host: string,
    protected readonly driver: RuntimeDriver,
  ) {}

  start(): void {
    this.sub = serveJson(this.nc, this.startSubject(), `crx-${this.host}`, (req: Request) => this.open(req));
  }

  /** The subject this host's sessions of the kind are asked for on. */
  protected abstract startSubject(): string;

  /** Opens one session; what it throws is the requester's answer. */
  protected abstract open(req: Request): Record<string, never> | Promise<Record<string, never>>;
}
