import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  ObjectEventTypes, VIRTUAL_MACHINES_RESOURCE, VM_CONSOLE_NOT_FOUND, vmConsoleSubject, VmConsoleReply, VmConsoleRequest, WEB_CONSOLE_RESOURCES, WEB_CONSOLE_TICKET_HASH_ANNOTATION,
  WEB_CONSOLE_TICKET_USED_ANNOTATION, webConsoleVmName, rfc3339,
} from '@openpacific/contracts';
import { badRequest, forbidden, KubeApiError, notFound, serviceUnavailable, statusError } from '@openpacific/kube-api';
import { requestJson } from '@openpacific/messaging';
import { StoredObject, webConsoleTicketHash } from '@openpacific/objects';
import { WebSocket, WebSocketServer } from 'ws';
import type { ConsoleAudit, ConsoleEnd, ConsoleSession } from '../audit/audit-hook';
import type { GatewayCore } from '../core';
import { webConsoleRequester } from '../handlers/vmwebconsole.strategy';
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
 * The WebSocket subprotocols of a client that wants to read a refusal (a browser is never shown the body of a refused
 * upgrade, only that the socket closed). It offers both; the gateway picks the first when it serves the console and
 * the second when it refuses the ticket, then sends the refusal's Status as one text frame and closes with
 * 4000 + its code and its message as the reason. A client that offers neither gets the Status before the upgrade.
 * (services/web-console/src/vm-console-feed.ts offers them.)
 */
export const CONSOLE_PROTOCOL = 'webconsole.openpacific.io';
export const CONSOLE_REFUSAL_PROTOCOL = 'refusal.webconsole.openpacific.io';
/** A close frame's reason is at most 123 bytes. */
const CLOSE_REASON_BYTES = 123;

/**
 * A VM's web console, at the ticket URL VM Operator encrypts into a web console request's response
 * (`wss://<proxyAddr>/ticket/<ticket>`): the ticket is the credential (no token, as a browser opens it), good once
 * and until the request's expiryTime. It is spent (an annotation on the request, compare-and-set in the log, so two
 * replicas cannot both take it) before the upgrade; an unknown ticket is a 404, a spent or expired one a 403. Then
 * the VM's console text is sent as text frames as it grows, read from the VM's host as `kubectl logs -f` reads a
 * container's log, until the VM powers off or is deleted, which closes the socket (1000, with the reason).
 * What the client sends is ignored: the simulated console is read-only. Each session is audited as the request's
 * creator's (`ConsoleAudit`): a refused one once, an opened one when it opened and again when it closed, with why.
 */
export class VmConsoleUpgrades {
  // Another client's subprotocol is taken as offered (ws's default, the first), so its handshake does not fail.
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (offered: Set<string>) => (offered.has(CONSOLE_PROTOCOL) ? CONSOLE_PROTOCOL : ([...offered][0] ?? false)) });
  private readonly refusals = new WebSocketServer({ noServer: true, handleProtocols: () => CONSOLE_REFUSAL_PROTOCOL });

  constructor(
    private readonly core: GatewayCore,
    private readonly audit: ConsoleAudit = () => undefined,
  ) {}

  handle = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => undefined);
    const session: ConsoleSession = { receivedAt: new Date(), ticketRefused: true };
    this.open(req, socket, head, session).catch((err) => {
      const status = err instanceof KubeApiError ? err.status : statusError(500, 'InternalError', (err as Error).message).status;
      this.core.logger.debug?.('web console refused', { code: status.code });
      this.audit(req, status.code ?? 500, session);
      this.refuse(req, socket, head, status);
    });
  };

  /** The Status before the upgrade, or, to a client that offered the refusal subprotocol, in the socket. */
  private refuse(req: IncomingMessage, socket: Duplex, head: Buffer, status: { code?: number; message?: string }): void {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || !offered.includes(CONSOLE_REFUSAL_PROTOCOL)) return writeStatus(socket, status);
    this.refusals.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      ws.send(JSON.stringify({ kind: 'Status', apiVersion: 'v1', ...status }));
      ws.close(4000 + (status.code ?? 500), closeReason(status.message ?? ''));
    });
  }

  private async open(req: IncomingMessage, socket: Duplex, head: Buffer, session: ConsoleSession): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://gateway');
    const m = PATH.exec(url.pathname);
    if (!m) throw notFound('', '/ticket/<redacted>');
    if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw badRequest('the web console is served over WebSocket only');
    const found = requestOfTicket(this.core, m[1]);
    if (!found) throw statusError(404, 'NotFound', 'web console ticket not found: it is not one, or its request expired and was deleted');
    const wcr = found.stored.object;
    const vmName = webConsoleVmName(wcr);
    Object.assign(session, {
      user: webConsoleRequester(wcr) ?? (await this.creatorFromLog(found.stored)),
      namespace: wcr.metadata.namespace,
      name: vmName,
      request: `${found.resource.split('.')[0]}/${wcr.metadata.name}`,
    });
    const refusal = ticketRefusal(wcr);
    if (refusal) throw refusal;
    // From here the ticket is good: what fails is the VM's, not the holder's.
    session.ticketRefused = false;
    const vm = this.core.readModel.get(VIRTUAL_MACHINES_RESOURCE, wcr.metadata.namespace, vmName)?.object;
    if (!vm) throw notFound(VIRTUAL_MACHINES_RESOURCE, vmName);
    const host: string | undefined = vm.status?.nodeName;
    if (!host) throw serviceUnavailable(`virtual machine ${wcr.metadata.namespace}/${vmName} is not placed on a host`);
    const spent = await commitUpdateInternal(this.core, found.resource, found.stored, (o) => {
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [WEB_CONSOLE_TICKET_USED_ANNOTATION]: rfc3339() };
    }, ACTOR);
    if (!spent) {
      session.ticketRefused = true;
      throw statusError(409, 'Conflict', `web console ticket of ${wcr.metadata.namespace}/${wcr.metadata.name} was taken meanwhile: request a new console`);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.audit(req, 101, session);
      // Set when the gateway ends the session; otherwise the client did (or the connection was lost).
      let ended: ConsoleEnd | undefined;
      ws.once('close', (code: number) => this.audit(req, 101, session, ended ?? clientEnd(code)));
      const end = (e: ConsoleEnd) => (ended ??= e);
      this.follow(ws, end, host, vm.metadata.uid, wcr.metadata.namespace, vmName).catch((err) => {
        this.core.logger.warn('web console failed', { vm: `${wcr.metadata.namespace}/${vmName}`, error: (err as Error).message });
        end({ code: 1006, reason: `the gateway failed: ${(err as Error).message}`.slice(0, 200) });
        ws.terminate();
      });
    });
  }

  /**
   * A request written without the gateway's requester annotation (by a controller, or before the gateway wrote it):
   * the creator is the actor of its stream's last create in the log (a name only: the log keeps no groups).
   */
  private async creatorFromLog(stored: StoredObject): Promise<ConsoleSession['user']> {
    try {
      const created = (await this.core.store.readStream(stored.streamId)).filter((e) => e.type === ObjectEventTypes.created).pop();
      const actor = created?.metadata?.actor;
      return typeof actor === 'string' && actor ? { username: actor, groups: [] } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Sends the console text as it grows; closes once the VM is off, gone from its host or deleted, or the client went. */
  private async follow(ws: WebSocket, end: (e: ConsoleEnd) => void, host: string, uid: string, namespace: string, name: string): Promise<void> {
    let open = true;
    ws.on('close', () => (open = false));
    ws.on('message', () => undefined);
    const close = (code: number, reason: string) => {
      if (open) {
        end({ code, reason });
        ws.close(code, reason);
      }
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

/** How a session ended that the gateway did not end: the client's close code, or 1006 for a connection lost without one. */
export function clientEnd(code: number): ConsoleEnd {
  return { code, reason: code === 1006 ? 'the connection was lost' : 'the client closed the console' };
}

/** A close reason within the 123 bytes a close frame allows, cut at a character and marked with an ellipsis. */
export function closeReason(message: string): string {
  if (Buffer.byteLength(message) <= CLOSE_REASON_BYTES) return message;
  let cut = message;
  while (Buffer.byteLength(cut) > CLOSE_REASON_BYTES - 3) cut = cut.slice(0, -1);
  return `${cut}…`;
}
