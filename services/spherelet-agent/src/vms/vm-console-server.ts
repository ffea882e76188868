import { vmConsoleSubject, VmConsoleReply, VmConsoleRequest } from '@openpacific/contracts';
import { serveJson } from '@openpacific/messaging';
import type { NatsConnection, Subscription } from 'nats';
import type { HypervisorDriver } from './hypervisor';

/**
 * Answers reads of the consoles of this host's VMs (`vmConsoleSubject`), from its hypervisor, while the host runs:
 * a host that is down has nobody answering, and a VM not on this host is `HYPERVISOR.NOT_FOUND`.
 */
export class VmConsoleServer {
  private sub?: Subscription;

  constructor(
    private readonly nats: NatsConnection,
    private readonly prefix: string,
    private readonly host: string,
    private readonly hypervisor: HypervisorDriver,
  ) {}

  start(): void {
    this.sub ??= serveJson<VmConsoleRequest, VmConsoleReply>(this.nats, vmConsoleSubject(this.prefix, this.host), `vmconsole-${this.host}`, (req) => {
      const fromByte = Number(req?.fromByte ?? 0);
      if (typeof req?.uid !== 'string' || !Number.isInteger(fromByte) || fromByte < 0) {
        throw Object.assign(new Error('a console read names a VM uid and a byte to read from'), { code: 'HYPERVISOR.INVALID' });
      }
      return this.hypervisor.readConsole(req.uid, fromByte);
    });
  }

  stop(): void {
    this.sub?.unsubscribe();
    this.sub = undefined;
  }
}
