/**
 * Opening a VM's console as `kubectl vsphere vm web-console` does, in the browser: a key pair, a
 * VirtualMachineWebConsoleRequest carrying its public half, VM Operator's answer (the ticket URL encrypted for that
 * key), and the ticket opened as a WebSocket.
 */
import { getJson, request } from './api';
import { collectionPath, objectPath, ResourceInfo } from './discovery';
import { ConsoleFeed } from './vm-console-feed';
import { newConsoleKeys } from './vm-console-keys';
import { consoleSocketUrl, webConsoleRequest } from './vm-console-logic';
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
    response = await answerOf(resource, namespace, name, opts.timeoutMs ?? TICKET_TIMEOUT_MS, signal);
  } catch (err) {
    // Unanswered (a VM that went away is retried for ever): nobody will use it.
    void request(objectPath(resource, namespace, name), { method: 'DELETE' }).catch(() => undefined);
    throw err;
  }
  const url = consoleSocketUrl(await keys.decrypt(response), location);
  signal.throwIfAborted();
  opts.onStep('Opening the console…');
  const feed = new ConsoleFeed(new WebSocket(url));
  const onAbort = () => feed.close();
  signal.addEventListener('abort', onAbort);
  try {
    await feed.opened;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return { feed, requestName: name };
}

/** The request's status.response, from its list and watch (the console's shared ones), within the timeout. */
function answerOf(resource: ResourceInfo, namespace: string, name: string, timeoutMs: number, signal: AbortSignal): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let lastError: string | undefined;
    let settled = false;
    let stop: (() => void) | undefined;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      stop?.();
      settle();
    };
    const onAbort = () => finish(() => reject(signal.reason));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`VM Operator did not answer ${resource.kind} ${name} within ${timeoutMs / 1000} s${lastError ? ` (${lastError})` : ''}; try again.`))),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort);
    const unsubscribe = watchList(collectionPath(resource, namespace), { fieldSelector: `metadata.name=${name}` }, (state) => {
      lastError = state.error;
      const answer = state.items.find((o) => o.metadata.name === name)?.status?.response;
      if (typeof answer === 'string' && answer) finish(() => resolve(answer));
    });
    // The list may have answered while subscribing.
    if (settled) unsubscribe();
    else stop = unsubscribe;
  });
}
