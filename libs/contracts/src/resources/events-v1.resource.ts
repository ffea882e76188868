import { eventResource, eventSource, objectReferenceSchema } from './event.resource';
import { objectSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

/** Copies `obj` without its undefined fields (a field the other shape leaves out stays out). */
function defined(obj: Record<string, unknown>): any {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/**
 * A core v1 Event as events.k8s.io/v1 shows it: the same object with kube's renames (involvedObject is `regarding`,
 * message `note`, reportingComponent `reportingController`, source/firstTimestamp/lastTimestamp/count the
 * `deprecated…` fields). `eventTime` is always there, null when the Event has none (the field is not omitempty).
 */
export function coreEventToV1(e: any): any {
  const { apiVersion: _a, kind: _k, metadata, involvedObject, message, reportingComponent, source, firstTimestamp, lastTimestamp, count, eventTime, ...rest } = e;
  const hasSource = source && (source.component || source.host);
  return defined({
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata,
    eventTime: eventTime ?? null,
    ...rest,
    regarding: involvedObject ?? {},
    note: message,
    reportingController: reportingComponent,
    deprecatedSource: hasSource ? source : undefined,
    deprecatedFirstTimestamp: firstTimestamp ?? undefined,
    deprecatedLastTimestamp: lastTimestamp ?? undefined,
    deprecatedCount: count || undefined,
  });
}

/** An events.k8s.io/v1 Event as the core v1 Event it is stored as (the renames undone; nothing is lost either way). */
export function v1EventToCore(v: any): any {
  const { apiVersion: _a, kind: _k, metadata, regarding, note, reportingController, deprecatedSource, deprecatedFirstTimestamp, deprecatedLastTimestamp, deprecatedCount, eventTime, ...rest } = v;
  return defined({
    apiVersion: 'v1',
    kind: 'Event',
    metadata,
    ...rest,
    involvedObject: regarding ?? {},
    message: note,
    reportingComponent: reportingController,
    source: deprecatedSource,
    firstTimestamp: deprecatedFirstTimestamp ?? undefined,
    lastTimestamp: deprecatedLastTimestamp ?? undefined,
    count: deprecatedCount,
    eventTime: eventTime ?? undefined,
  });
}

/** events.k8s.io/v1 field selectors and the core Event fields they select on (kube's field label conversion). */
export const EVENTS_V1_FIELD_LABELS: Record<string, string> = {
  'metadata.name': 'metadata.name',
  'metadata.namespace': 'metadata.namespace',
  reason: 'reason',
  type: 'type',
  reportingController: 'reportingComponent',
  ...Object.fromEntries(['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((f) => [`regarding.${f}`, `involvedObject.${f}`])),
};

const coreColumns = eventResource.versions[0].printerColumns;
const coreColumn = (name: string) => coreColumns.find((c) => c.name === name)!;

/**
 * events.k8s.io/v1 Event: the newer shape of the same Events (kube-apiserver keeps one store for both groups), so
 * an Event written through either group is read through both. Served as a view of core Events that can be
 * created: what client-go's events/v1 recorder and `kubectl get events.events.k8s.io` use.
 */
export const eventsV1Resource: ResourceDefinition = {
  // Names, scope and patching as core Events'.
  ...eventResource,
  group: 'events.k8s.io',
  viewOf: { resource: 'events', toView: coreEventToV1, fromView: v1EventToCore, creates: true },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        eventTime: { type: ['string', 'null'] },
        series: { type: 'object', additionalProperties: false, properties: { count: { type: 'integer' }, lastObservedTime: { type: 'string' } } },
        reportingController: { type: 'string' },
        reportingInstance: { type: 'string' },
        action: { type: 'string' },
        reason: { type: 'string' },
        regarding: objectReferenceSchema,
        related: objectReferenceSchema,
        note: { type: 'string' },
        type: { type: 'string' },
        deprecatedSource: { type: 'object', additionalProperties: false, properties: { component: { type: 'string' }, host: { type: 'string' } } },
        deprecatedFirstTimestamp: { type: ['string', 'null'] },
        deprecatedLastTimestamp: { type: ['string', 'null'] },
        deprecatedCount: { type: 'integer' },
      }),
      // kube-apiserver prints both groups' Events with one printer, from the stored shape.
      printerColumns: [
        { ...coreColumn('Last Seen'), jsonPath: '.deprecatedLastTimestamp', value: (e) => e.series?.lastObservedTime ?? e.deprecatedLastTimestamp ?? e.deprecatedFirstTimestamp ?? e.eventTime },
        coreColumn('Type'),
        coreColumn('Reason'),
        { name: 'Object', type: 'string', jsonPath: '.regarding', value: (e) => `${String(e.regarding?.kind ?? '').toLowerCase()}/${e.regarding?.name ?? ''}` },
        { name: 'Subobject', type: 'string', jsonPath: '.regarding.fieldPath', priority: 1, value: (e) => e.regarding?.fieldPath ?? '' },
        { name: 'Source', type: 'string', jsonPath: '.deprecatedSource.component', priority: 1, value: (e) => eventSource(e.deprecatedSource?.component, e.deprecatedSource?.host, e.reportingController, e.reportingInstance) },
        { name: 'Message', type: 'string', jsonPath: '.note' },
        { name: 'First Seen', type: 'date', jsonPath: '.deprecatedFirstTimestamp', priority: 1, value: (e) => e.deprecatedFirstTimestamp ?? e.eventTime },
        { name: 'Count', type: 'integer', jsonPath: '.deprecatedCount', priority: 1, value: (e) => e.series?.count ?? (e.deprecatedCount || 1) },
        coreColumn('Name'),
      ],
    },
  ],
};
