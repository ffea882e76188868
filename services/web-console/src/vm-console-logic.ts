/** What the console's "Open console" needs that is not the browser: which VMs, which URL, how the text accumulates. */

const TICKET_PATH = /^\/ticket\/[A-Za-z0-9_-]+$/;

/** Why this VM's console cannot be opened now (the button says so), or undefined when it can. */
export function consoleUnavailableReason(vm: any): string | undefined {
  if (vm?.metadata?.deletionTimestamp) return 'The VM is being deleted.';
  const power: string | undefined = vm?.status?.powerState;
  // v1alpha1 writes its power states in lower case.
  if (power?.toLowerCase() !== 'poweredon') return `The VM is ${power ? power[0].toUpperCase() + power.slice(1) : 'not powered on yet'}: its console opens once it is powered on.`;
  // v1alpha2 and v1alpha3 call the VM's host status.host, v1alpha5 status.nodeName.
  if (!vm.status.nodeName && !vm.status.host) return 'The VM is not placed on a host yet.';
  return undefined;
}

/** A new VirtualMachineWebConsoleRequest for `vm` (the name is the API's: generateName), as `kubectl vsphere vm web-console` makes it. */
export function webConsoleRequest(resource: { group: string; version: string; kind: string }, namespace: string, vm: string, publicKeyPem: string): any {
  return {
    apiVersion: `${resource.group}/${resource.version}`,
    kind: resource.kind,
    metadata: { generateName: `${vm}-console-`, namespace },
    spec: resource.kind === 'WebConsoleRequest' ? { virtualMachineName: vm, publicKey: publicKeyPem } : { name: vm, publicKey: publicKeyPem },
  };
}

/**
 * Where the browser opens a console ticket. VM Operator's URL names `status.proxyAddr`, the address the cluster
 * advertises for its API; the page was served by a gateway at its own origin, which serves every ticket, and whose
 * certificate the browser already accepted (a WebSocket cannot ask about another host's). So the ticket's path is
 * opened at the page's origin, whatever host the URL names.
 */
export function consoleSocketUrl(ticketUrl: string, page: { protocol: string; host: string }): string {
  let url: URL;
  try {
    url = new URL(ticketUrl);
  } catch {
    throw new Error(`the console ticket "${ticketUrl}" is not a URL`);
  }
  if ((url.protocol !== 'wss:' && url.protocol !== 'ws:') || !TICKET_PATH.test(url.pathname)) throw new Error(`the console ticket "${ticketUrl}" is not a wss://<host>/ticket/<ticket> URL`);
  return `${page.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.host}${url.pathname}`;
}

/** The console text so far, as the pieces it arrived in (so a live region announces what is new), oldest dropped past a limit. */
export interface ConsoleText {
  chunks: ReadonlyArray<{ id: number; text: string }>;
  length: number;
  /** Earlier text was dropped to stay within the limit. */
  dropped: boolean;
  nextId: number;
}

export const EMPTY_CONSOLE_TEXT: ConsoleText = { chunks: [], length: 0, dropped: false, nextId: 0 };
/** About a thousand screens of a serial console; beyond it the oldest text goes. */
export const MAX_CONSOLE_CHARS = 1 << 20;

/** Terminal control sequences (colours, cursor moves) and carriage returns, which a text panel cannot show. */
// eslint-disable-next-line no-control-regex
const CONTROL = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|\r|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/g;

/** The text with a frame of the console added; past `max` characters the oldest go, from a line's start. */
export function appendConsoleText(prev: ConsoleText, frame: string, max = MAX_CONSOLE_CHARS): ConsoleText {
  const text = frame.replace(CONTROL, '');
  if (!text) return prev;
  const chunks = [...prev.chunks, { id: prev.nextId, text }];
  let length = prev.length + text.length;
  let dropped = prev.dropped;
  // Whole pieces go first while what stays is still over the limit...
  while (chunks.length > 1 && length - chunks[0].text.length >= max) {
    length -= chunks.shift()!.text.length;
    dropped = true;
  }
  if (length > max) {
    // ...then the oldest piece is cut so that what is left starts a line (or is the end of one very long line).
    const head = chunks[0].text;
    const cut = length - max;
    const nl = head.indexOf('\n', cut - 1);
    const from = nl >= 0 ? nl + 1 : cut;
    length -= from;
    if (from < head.length) chunks[0] = { id: chunks[0].id, text: head.slice(from) };
    else chunks.shift();
    dropped = true;
  }
  return { chunks, length, dropped, nextId: prev.nextId + 1 };
}

/** The whole text (what the panel shows). */
export function consoleTextOf(t: ConsoleText): string {
  return t.chunks.map((c) => c.text).join('');
}

/** Whether a scrolled box shows its end (within a few pixels): then new text keeps it at the end. */
export function scrolledToEnd(box: { scrollTop: number; clientHeight: number; scrollHeight: number }, slack = 4): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight <= slack;
}

/** What the panel says when the console's socket closed (the gateway gives the reason: "the VM powered off"). */
export function closedMessage(code: number, reason: string): string {
  if (reason) return `Console closed: ${reason}.`;
  if (code === 1006) return 'Console closed: the connection to the gateway was lost.';
  return code === 1000 || code === 1005 ? 'Console closed.' : `Console closed (code ${code}).`;
}

/**
 * The WebSocket subprotocols the page offers with a ticket (the gateway's streams/vm-console.ts): the gateway picks
 * the first when it serves the console and the second when it refuses the ticket, whose Status it then sends in the
 * socket (one text frame, and a close with 4000 + its code and its message), since a browser is not shown the body of
 * a refused upgrade.
 */
export const CONSOLE_PROTOCOL = 'webconsole.openpacific.io';
export const CONSOLE_REFUSAL_PROTOCOL = 'refusal.webconsole.openpacific.io';

/**
 * Why a ticket opened no console when the gateway did not say (it closed the socket before it opened: a gateway that
 * does not speak the refusal subprotocol, or a connection that failed).
 */
export const TICKET_REFUSED =
  'The gateway refused the console ticket: it was already used or has expired, or the VM is no longer on a host. Open the console again for a new ticket.';

/**
 * What the page says of a ticket the gateway refused in the socket: the Status frame's message (whole), else the
 * close reason (cut to a close frame's 123 bytes), else the generic words.
 */
export function ticketRefusedMessage(statusFrame: string | undefined, closeReason: string): string {
  let message = '';
  try {
    const status = statusFrame ? JSON.parse(statusFrame) : undefined;
    if (status?.kind === 'Status' && typeof status.message === 'string') message = status.message;
  } catch {
    // Not a Status: the close reason says it.
  }
  message ||= closeReason;
  if (!message) return TICKET_REFUSED;
  return `The gateway refused the console ticket: ${message.replace(/[.]$/, '')}. Open the console again for a new ticket.`;
}

/**
 * Why VM Operator will not answer a request, from its Events: the newest Warning about it (VM Operator's
 * `VirtualMachine Not Found`), as `kubectl describe` shows it; undefined while there is none.
 */
export function requestWarning(events: any[], request: { kind: string; name: string; uid?: string }): string | undefined {
  const warnings = events.filter(
    (e) => e?.type === 'Warning' && e.involvedObject?.kind === request.kind && e.involvedObject?.name === request.name && (!request.uid || !e.involvedObject?.uid || e.involvedObject.uid === request.uid),
  );
  if (!warnings.length) return undefined;
  const time = (e: any) => Date.parse(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '') || 0;
  const newest = warnings.reduce((a, b) => (time(b) >= time(a) ? b : a));
  return newest.message ? `${newest.reason}: ${newest.message}` : String(newest.reason);
}
