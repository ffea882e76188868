/**
 * Opening a VM's console as `kubectl vsphere vm web-console` does, in the browser: a key pair, a
 * VirtualMachineWebConsoleRequest carrying its public half, VM Operator's answer (the ticket URL encrypted for that
 * key), and the ticket opened as a WebSocket.
 */
import { getJson, request } from './api';
import { collectionPath, objectPath, ResourceInfo } from './discovery';
import { ConsoleFeed } from './vm-console-feed';
import { newConsoleKeys } from './vm-console-keys';
import { CONSOLE_PROTOCOL, CONSOLE_REFUSAL_PROTOCOL, consoleSocketUrl, requestWarning, webConsoleRequest } from './vm-console-logic';
import { watchList } from './watch';

/** How long VM Operator has to answer a request (it answers in about a second: a VM that is on and placed gets a ticket at once). */
export const TICKET_TIMEOUT_MS = 30_000;

export interface OpenedConsole {
  feed: ConsoleFeed;
  /** The request's name (the API chose it), shown so the user can find it with kubectl. */
  requestName: string;
}

/** Each step as the button's status says it. */
export type ConsoleStep = 'Making a key pair…' | 'Requesting a console ticket…' | 'Waiting for VM Operator to answer…' | 'Opening the console…';

export async function openVmConsole(opts: {
  resource: ResourceInfo;
  namespace: string;
  vm: string;
  signal: AbortSignal;
  onStep: (step: ConsoleStep) => void;
  timeoutMs?: number;
}): Promise<OpenedConsole> {
  const { resource, namespace, vm, signal } = opts;
  opts.onStep('Making a key pair…');
  const keys = await newConsoleKeys();
  signal.throwIfAborted();
  opts.onStep('Requesting a console ticket…');
  const created = await getJson(collectionPath(resource, namespace), { method: 'POST', body: webConsoleRequest(resource, namespace, vm, keys.publicKeyPem), signal });
  const name: string = created.metadata.name;
  opts.onStep('Waiting for VM Operator to answer…');
  let response: string;
  try {
    response = await answerOf(resource, namespace, { name, uid: created.metadata.uid }, opts.timeoutMs ?? TICKET_TIMEOUT_MS, signal);
  } catch (err) {
    // Unanswered (a VM that went away is retried for ever): nobody will use it.
    void request(objectPath(resource, namespace, name), { method: 'DELETE' }).catch(() => undefined);
    throw err;
  }
  const url = consoleSocketUrl(await keys.decrypt(response), location);
  signal.throwIfAborted();
  opts.onStep('Opening the console…');
  // Offering the refusal subprotocol lets the gateway say why it refuses the ticket, which a browser is not shown otherwise.
  const feed = new ConsoleFeed(new WebSocket(url, [CONSOLE_PROTOCOL, CONSOLE_REFUSAL_PROTOCOL]));
  const onAbort = () => feed.close();
  signal.addEventListener('abort', onAbort);
  try {
    await feed.opened;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return { feed, requestName: name };
}

/**
 * The request's status.response, from its list and watch (the console's shared ones), within the timeout. A Warning
 * Event about the request (VM Operator's `VirtualMachine Not Found`) ends the wait at once with its reason: VM
 * Operator tries again, but not soon enough for a person waiting on a button.
 */
function answerOf(resource: ResourceInfo, namespace: string, request: { name: string; uid?: string }, timeoutMs: number, signal: AbortSignal): Promise<string> {
  const { name } = request;
  return new Promise<string>((resolve, reject) => {
    let lastError: string | undefined;
    let settled = false;
    const stops: Array<() => void> = [];
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      for (const stop of stops) stop();
      settle();
    };
    const onAbort = () => finish(() => reject(signal.reason));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`VM Operator did not answer ${resource.kind} ${name} within ${timeoutMs / 1000} s${lastError ? ` (${lastError})` : ''}; try again.`))),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort);
    const follow = (path: string, query: Record<string, string>, on: (items: any[]) => void, keepError: boolean) => {
      const unsubscribe = watchList(path, query, (state) => {
        if (keepError) lastError = state.error;
        on(state.items);
      });
      // The list may have settled it while subscribing.
      if (settled) unsubscribe();
      else stops.push(unsubscribe);
    };
    follow(collectionPath(resource, namespace), { fieldSelector: `metadata.name=${name}` }, (items) => {
      const answer = items.find((o) => o.metadata.name === name)?.status?.response;
      if (typeof answer === 'string' && answer) finish(() => resolve(answer));
    }, true);
    // A user who may not read Events waits for the answer or the timeout alone.
    follow(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, { fieldSelector: `involvedObject.name=${name}` }, (items) => {
      const warning = requestWarning(items, { kind: resource.kind, name, uid: request.uid });
      if (warning) finish(() => reject(new Error(`VM Operator cannot answer ${resource.kind} ${name}: ${warning}.`)));
    }, false);
  });
}
