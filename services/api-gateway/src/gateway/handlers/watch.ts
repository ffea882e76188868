import { includeObjectParam, KubeApiError, toTable, wantsTable, badRequest } from '@openpacific/kube-api';
import { parseResourceVersion, resourceVersionOf } from '@openpacific/event-store';
import { GatewayCore, ResourceRequest } from '../core';
import { convertObject } from '../registry/registry';
import { convertOne, convertsByWebhook } from '../customresources/conversion-webhook';
import { ChangeType, ObjectChange } from '@openpacific/objects';
import { selectorFor } from './read';
import { INITIAL_EVENTS_END_ANNOTATION, sendsInitialEvents, validateListOptions } from './list-options';
import { objectJson } from '../http/respond';
import { includesNodeLeases, nodeLeaseReplay, shadowedByNodeLeases, versionAfterRenewals } from '../node-leases/node-lease-api';

const BOOKMARK_INTERVAL_MS = 10_000;
/** The longest delay a Node.js timer keeps (2^31 - 1 ms); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A watch as client-go's reflector expects it: newline-delimited WatchEvents
 * over a chunked response. No resourceVersion (or "0") starts with ADDED for
 * every matching object; a resourceVersion replays what came after it from the
 * buffer, or ends with 410 Expired so the client relists.
 */
export function handleWatch(core: GatewayCore, r: ResourceRequest): void {
  const { served, namespace } = r.target;
  const timeoutSeconds = validateListOptions(r.query, true);
  // sendInitialEvents (WatchList): true sends the state first whatever the resourceVersion, then a bookmark saying so;
  // false sends none, starting from now when no resourceVersion is given.
  const initialEvents = sendsInitialEvents(r.query);
  const matches = selectorFor(r);
  const rv = r.query.get('resourceVersion');
  const from = rv && rv !== '0' ? parseResourceVersion(rv) : undefined;
  if (rv && rv !== '0' && !from) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a resourceVersion`);
  const asTable = wantsTable(r.req.headers.accept);
  const includeObject = includeObjectParam(r.query);
  const bookmarks = r.query.get('allowWatchBookmarks') === 'true';
  let sentColumns = false;

  r.res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  r.res.flushHeaders();
  // The changes of one page of the log reach a watch in one turn of the event loop: written corked and sent
  // together at the turn's end, they leave as one TLS record and one system call instead of one each.
  let corked = false;
  const write = (line: string) => {
    if (!corked) {
      corked = true;
      r.res.cork();
      process.nextTick(() => {
        corked = false;
        r.res.uncork();
      });
    }
    r.res.write(line);
  };
  const emit = (type: string, object: any) => {
    if (asTable && type !== 'ERROR' && type !== 'BOOKMARK') {
      const table = toTable(served.def, served.version.name, [object], {
        includeObject,
        now: new Date(),
        columnDefinitions: !sentColumns,
        listMeta: { resourceVersion: object.metadata.resourceVersion },
      });
      sentColumns = true;
      write(`${JSON.stringify({ type, object: table })}\n`);
      return;
    }
    // The object's JSON is shared by every watcher of it (and the answer to the write that made it).
    write(`{"type":"${type}","object":${objectJson(object)}}\n`);
  };
  // A kind converted by a webhook: each stored object waits for the webhook's answer, and every line after it waits
  // too, so the watch keeps the log's order; a conversion that fails ends the watch with its Status as an ERROR.
  let queue: Promise<void> | undefined = convertsByWebhook(served) ? Promise.resolve() : undefined;
  const later = (line: () => Promise<void> | void) => {
    queue = queue!.then(async () => {
      if (r.res.writableEnded) return;
      try {
        await line();
      } catch (err) {
        if (!(err instanceof KubeApiError)) throw err;
        emit('ERROR', err.status);
        r.res.end();
      }
    }).catch(() => void r.res.end());
  };
  /** A line that is no stored object (a node Lease, an ERROR, a BOOKMARK). */
  const send = (type: string, object: any) => (queue ? later(() => emit(type, object)) : emit(type, object));
  /** A stored object, shown at the watched version. */
  const sendStored = (type: string, object: any) =>
    queue ? later(async () => emit(type, await convertOne(core.readModel, object, served))) : emit(type, convertObject(object, served));
  // The node Leases come from the view (below); a stored Lease of kube-node-lease is never served.
  const nodeLeases = includesNodeLeases(r.target) ? core.nodeLeases : undefined;
  const inScope = (obj: any) => obj && (!namespace || obj.metadata.namespace === namespace) && !(nodeLeases && shadowedByNodeLeases(obj));
  const deliver = (change: ObjectChange) => {
    if (change.resource !== served.resource) return;
    const now = inScope(change.object) && matches(change.object);
    const before = change.previous !== undefined && inScope(change.previous) && matches(change.previous);
    let type: ChangeType | undefined;
    if (change.type === 'DELETED') type = before || now ? 'DELETED' : undefined;
    else if (now) type = before ? 'MODIFIED' : 'ADDED';
    else if (before) type = 'DELETED';
    if (type) sendStored(type, change.object);
  };

  if (initialEvents === true || (!from && initialEvents === undefined)) {
    for (const s of core.readModel.list(served.resource, namespace)) {
      if (inScope(s.object) && matches(s.object)) sendStored('ADDED', s.object);
    }
    for (const lease of nodeLeases?.leases() ?? []) if (matches(lease)) send('ADDED', lease);
  } else if (!from) {
    // sendInitialEvents=false without a resourceVersion: from now on.
  } else if (!core.hub.canReplayFrom(from)) {
    const oldest = core.hub.oldest();
    send('ERROR', {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: ${rv} (${oldest?.resourceVersion ?? resourceVersionOf(core.follower.current)})`,
      reason: 'Expired',
      code: 410,
    });
    if (queue) later(() => void r.res.end());
    else r.res.end();
    return;
  } else if (!nodeLeases) {
    for (const change of core.hub.since(from)) deliver(change);
  } else {
    // The log's changes and the node Leases renewed since, in resourceVersion order (a Lease as it is now, once).
    const changes = core.hub.since(from);
    const replay = changes.map((c) => ({ rv: BigInt(c.resourceVersion), send: () => deliver(c) }));
    for (const { type, object } of nodeLeases ? nodeLeaseReplay(nodeLeases, changes, from) : []) {
      if (matches(object)) replay.push({ rv: BigInt(object.metadata.resourceVersion), send: () => send(type, object) });
    }
    for (const step of replay.sort((a, b) => (a.rv < b.rv ? -1 : a.rv > b.rv ? 1 : 0))) step.send();
  }
  const unsubscribe = core.hub.subscribe(deliver);
  const unsubscribeLeases = nodeLeases?.subscribe((change) => {
    if (matches(change.object)) send(change.type, change.object);
  });

  // A bookmark never goes back behind a node Lease's renewal already sent.
  const bookmarkVersion = () => versionAfterRenewals(nodeLeases, resourceVersionOf(core.follower.current));
  const timers: NodeJS.Timeout[] = [];
  if (bookmarks && initialEvents === true) {
    send('BOOKMARK', { kind: served.def.kind, apiVersion: served.apiVersion, metadata: { resourceVersion: bookmarkVersion(), annotations: { [INITIAL_EVENTS_END_ANNOTATION]: 'true' } } });
  }
  if (bookmarks) {
    timers.push(
      setInterval(() => {
        send('BOOKMARK', { kind: served.def.kind, apiVersion: served.apiVersion, metadata: { resourceVersion: bookmarkVersion() } });
      }, BOOKMARK_INTERVAL_MS),
    );
  }
  // A negative timeout ends the watch at once, as kube-apiserver's timer fires at once; one past what a Node timer holds
  // (24.8 days) is as good as none, where the timer would fire at once too.
  if (timeoutSeconds !== 0 && timeoutSeconds * 1000 <= MAX_TIMER_MS) timers.push(setTimeout(() => r.res.end(), Math.max(0, timeoutSeconds) * 1000));
  // Node fires the request's 'close' once the body is read; the response's close is the client going away.
  r.res.on('close', () => {
    unsubscribe();
    unsubscribeLeases?.();
    for (const t of timers) clearTimeout(t);
  });
}
