import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  VIRTUAL_MACHINES_RESOURCE, VM_CONSOLE_NOT_FOUND, vmConsoleSubject, VmConsoleReply, VmConsoleRequest, WEB_CONSOLE_RESOURCES, WEB_CONSOLE_TICKET_HASH_ANNOTATION,
  WEB_CONSOLE_TICKET_USED_ANNOTATION, webConsoleVmName, rfc3339,
} from '@openpacific/contracts';
import { badRequest, forbidden, KubeApiError, notFound, serviceUnavailable, statusError } from '@openpacific/kube-api';
import { requestJson } from '@openpacific/messaging';
import { StoredObject, webConsoleTicketHash } from '@openpacific/objects';
import { WebSocket, WebSocketServer } from 'ws';
import type { GatewayCore } from '../core';
import { commitUpdateInternal } from '../controllers/internal-update';
import { writeStatus } from './upgrade';

const PATH = /^\/ticket\/([A-Za-z0-9_-]+)$/;
const FOLLOW_POLL_MS = 250;
const HOST_TIMEOUT_MS = 5000;
const ACTOR = { username: 'system:apiserver', groups: ['system:masters'] };

/** Whether an upgrade request is for a VM's web console (the ticket URL VM Operator hands out). */
export function isConsoleTicketPath(url: string | undefined): boolean {
  return (url ?? '').startsWith('/ticket/');
}

/** A request of either kind whose ticket is this one (by its hash), with its resource. */
export function requestOfTicket(core: Pick<GatewayCore, 'readModel'>, ticket: string): { resource: string; stored: StoredObject } | undefined {
  const hash = webConsoleTicketHash(ticket);
  for (const resource of WEB_CONSOLE_RESOURCES) {
    const stored = core.readModel.list(resource).find((s) => s.object.metadata.annotations?.[WEB_CONSOLE_TICKET_HASH_ANNOTATION] === hash);
    if (stored) return { resource, stored };
  }
  return undefined;
}

/** Why a request's ticket opens no console now, if it does not: spent, or expired. */
export function ticketRefusal(req: any, now = Date.now()): KubeApiError | undefined {
  const used = req.metadata.annotations?.[WEB_CONSOLE_TICKET_USED_ANNOTATION];
  if (used) return forbidden(`web console ticket of ${req.metadata.namespace}/${req.metadata.name} was already used at ${used}: a ticket opens one console`);
  const expiry = Date.parse(req.status?.expiryTime ?? '');
  if (!(expiry > now)) return forbidden(`web console ticket of ${req.metadata.namespace}/${req.metadata.name} expired at ${req.status?.expiryTime}`);
  return undefined;
}

/**
 * A VM's web console, at the ticket URL VM Operator encrypts into a web console request's response
 * (`wss://<proxyAddr>/ticket/<ticket>`): the ticket is the credential (no token, as a browser opens it), good once
 * and until the request's expiryTime. It is spent (an annotation on the request, compare-and-set in the log, so two
 * replicas cannot both take it) before the upgrade; an unknown ticket is a 404, a spent or expired one a 403. Then
 * the VM's console text is sent as text frames as it grows, read from the VM's host as `kubectl logs -f` reads a
 * container's log, until the VM powers off or is deleted, which closes the socket (1000, with the reason).
 * What the client sends is ignored: the simulated console is read-only.
 */
export class VmConsoleUpgrades {
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(private readonly core: GatewayCore) {}

  handle = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => undefined);
    this.open(req, socket, head).catch((err) => {
      const status = err instanceof KubeApiError ? err.status : statusError(500, 'InternalError', (err as Error).message).status;
      this.core.logger.debug?.('web console refused', { code: status.code });
      writeStatus(socket, status);
    });
  };

  private async open(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://gateway');
    const m = PATH.exec(url.pathname);
    if (!m) throw notFound('', url.pathname);
    if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw badRequest('the web console is served over WebSocket only');
    const found = requestOfTicket(this.core, m[1]);
    if (!found) throw statusError(404, 'NotFound', 'web console ticket not found: it is not one, or its request expired and was deleted');
    const wcr = found.stored.object;
    const refusal = ticketRefusal(wcr);
    if (refusal) throw refusal;
    const vmName = webConsoleVmName(wcr);
    const vm = this.core.readModel.get(VIRTUAL_MACHINES_RESOURCE, wcr.metadata.namespace, vmName)?.object;
    if (!vm) throw notFound(VIRTUAL_MACHINES_RESOURCE, vmName);
    const host: string | undefined = vm.status?.nodeName;
    if (!host) throw serviceUnavailable(`virtual machine ${wcr.metadata.namespace}/${vmName} is not placed on a host`);
    const spent = await commitUpdateInternal(this.core, found.resource, found.stored, (o) => {
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [WEB_CONSOLE_TICKET_USED_ANNOTATION]: rfc3339() };
    }, ACTOR);
    if (!spent) throw statusError(409, 'Conflict', `web console ticket of ${wcr.metadata.namespace}/${wcr.metadata.name} was taken meanwhile: request a new console`);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.follow(ws, host, vm.metadata.uid, wcr.metadata.namespace, vmName).catch((err) => {
        this.core.logger.warn('web console failed', { vm: `${wcr.metadata.namespace}/${vmName}`, error: (err as Error).message });
        ws.terminate();
      });
    });
  }

  /** Sends the console text as it grows; closes once the VM is off, gone from its host or deleted, or the client went. */
  private async follow(ws: WebSocket, host: string, uid: string, namespace: string, name: string): Promise<void> {
    let open = true;
    ws.on('close', () => (open = false));
    ws.on('message', () => undefined);
    const close = (code: number, reason: string) => {
      if (open) ws.close(code, reason);
      open = false;
    };
    let at = 0;
    while (open) {
      const vm = this.core.readModel.get(VIRTUAL_MACHINES_RESOURCE, namespace, name)?.object;
      if (!vm || vm.metadata.uid !== uid) return close(1000, 'the VM was deleted');
      let reply: VmConsoleReply | { error: { code: string; message: string } };
      try {
        reply = await requestJson<VmConsoleRequest, typeof reply>(this.core.nats, vmConsoleSubject(this.core.natsPrefix, host), { uid, fromByte: at }, HOST_TIMEOUT_MS);
      } catch {
        return close(1011, `the VM's host ${host} does not answer`);
      }
      if ('error' in reply) return close(1000, reply.error.code === VM_CONSOLE_NOT_FOUND ? `the VM is no longer on host ${host}` : reply.error.message.slice(0, 120));
      if (reply.content && open) ws.send(reply.content);
      at = reply.nextByte;
      if (reply.content) continue;
      if (reply.powerState === 'PoweredOff') return close(1000, 'the VM powered off');
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    }
  }
}
