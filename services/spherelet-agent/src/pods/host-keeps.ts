import { ObjectEventTypes, streamResource } from '@openpacific/contracts';
import type { KeepEvent } from '@openpacific/objects';

/** A `nodeName` key anywhere in a pod's JSON (as any writer may space it). */
const NODE_NAME = /"nodeName"\s*:/;

/**
 * The events whose bodies a host agent reads: all of them but the creation of a pod that names no host, which
 * is no host's business until the scheduler binds it (the binding carries the whole pod). A pod created
 * already bound (`spec.nodeName` set by its author) is read as any other. In a burst that is one of a pod's
 * three events, which every host agent (the sim fleet once for all its hosts) parsed and kept for nothing.
 */
export const hostKeeps: KeepEvent = (event) => event.type !== ObjectEventTypes.created || streamResource(event.streamId) !== 'pods' || NODE_NAME.test(event.data);
