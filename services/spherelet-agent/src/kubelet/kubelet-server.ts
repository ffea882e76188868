import type { KubeletReply, KubeletRequest, NatsNames } from '@openpacific/contracts';
import { serveJson } from '@openpacific/messaging';
import type { NatsConnection, Subscription } from 'nats';
import { debuggingAnswer } from './kubelet-debugging';
import { kubeletAnswer, KubeletHost } from './kubelet-routes';

/**
 * A host's kubelet API over NATS: answers `nodes/<host>/proxy/<path>` requests the gateway sends on
 * `<prefix>.hosts.<host>.kubelet`, from the host's own state at the time of asking. Subscribed while the host runs:
 * a host that is down has nobody answering there, and the gateway says so. A large answer (the pods of a full
 * host) goes through the payloads bucket.
 */
export class KubeletServer {
  private sub?: Subscription;

  constructor(
    private readonly nats: NatsConnection,
    private readonly names: NatsNames,
    private readonly host: KubeletHost,
  ) {}

  start(): void {
    this.sub ??= serveJson<KubeletRequest, KubeletReply>(
      this.nats,
      this.names.kubelet(this.host.name),
      `kubelet-${this.host.name}`,
      (req) => {
        const request = { method: String(req?.method ?? 'GET'), path: String(req?.path ?? '/'), query: String(req?.query ?? '') };
        return debuggingAnswer(request, this.host) ?? kubeletAnswer(request, this.host);
      },
      { payloads: this.names.payloads },
    );
  }

  stop(): void {
    this.sub?.unsubscribe();
    this.sub = undefined;
  }
}
