import { WEB_CONSOLE_TICKET_HASH_ANNOTATION, WEB_CONSOLE_TICKET_USED_ANNOTATION, WEB_CONSOLE_UUID_LABEL } from '@openpacific/contracts';
import { encryptWebConsoleResponse, newWebConsoleTicket, webConsoleTicketHash, webConsoleTicketUrl } from '@openpacific/objects';

/** What a request's ticket is made of when VM Operator acquires it. */
export interface TicketFacts {
  vm: { apiVersion: string; name: string; uid: string };
  proxyAddr: string;
  now: number;
  ttlMs: number;
  /** Given by tests; a fresh random one otherwise. */
  ticket?: string;
}

/**
 * The request with its ticket, as VM Operator's ReconcileNormal leaves it: `status.response` (the ticket URL at the
 * proxy, encrypted with the request's public key), `status.expiryTime` (now plus the TTL, in whole seconds as
 * metav1.Time keeps it), `status.proxyAddr`; the uuid label (the request's uid) and the VM as its only owner, the
 * controlling one. Besides, the ticket's hash, by which the console endpoint finds the request. Throws when the key
 * cannot encrypt the URL (too small a key).
 */
export function withTicket(req: any, facts: TicketFacts): any {
  const ticket = facts.ticket ?? newWebConsoleTicket();
  const next = structuredClone(req);
  delete next.metadata.resourceVersion;
  next.metadata.labels = { ...(next.metadata.labels ?? {}), [WEB_CONSOLE_UUID_LABEL]: req.metadata.uid };
  const annotations = { ...(next.metadata.annotations ?? {}), [WEB_CONSOLE_TICKET_HASH_ANNOTATION]: webConsoleTicketHash(ticket) };
  delete annotations[WEB_CONSOLE_TICKET_USED_ANNOTATION];
  next.metadata.annotations = annotations;
  next.metadata.ownerReferences = [{ apiVersion: facts.vm.apiVersion, kind: 'VirtualMachine', name: facts.vm.name, uid: facts.vm.uid, controller: true }];
  next.status = {
    ...(next.status ?? {}),
    response: encryptWebConsoleResponse(req.spec.publicKey, webConsoleTicketUrl(facts.proxyAddr, ticket)),
    expiryTime: new Date(Math.floor((facts.now + facts.ttlMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    proxyAddr: facts.proxyAddr,
  };
  return next;
}

/** When the request's ticket runs out (ms since the epoch), if it has one. */
export function expiresAt(req: any): number | undefined {
  const at = Date.parse(req.status?.expiryTime ?? '');
  return Number.isNaN(at) ? undefined : at;
}
