import type { NatsNames } from '@openpacific/contracts';
import { JSONCodec, NatsConnection } from 'nats';

export interface Heartbeat {
  host: string;
  epoch: number;
  time: string;
}

const json = JSONCodec<Heartbeat>();

/** About once a second, on core NATS: never an event (the host-lifecycle controller turns their absence into NotReady). */
export class HeartbeatSender {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly host: string,
    private readonly intervalMs: number,
  ) {}

  start(epoch: number): void {
    const beat = () => this.nc.publish(this.names.heartbeat(this.host), json.encode({ host: this.host, epoch, time: new Date().toISOString() }));
    beat();
    this.timer = setInterval(beat, this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
