import { objectSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

export const objectReferenceSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    name: { type: 'string' },
    namespace: { type: 'string' },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    fieldPath: { type: 'string' },
  },
};

/** core v1 Event: what controllers report about objects (`kubectl describe`, `kubectl events`). */
/** kubectl's SOURCE cell: the component (or reporting controller), then `, ` and the host (or reporting instance). */
export function eventSource(component?: string, host?: string, reportingController?: string, reportingInstance?: string): string {
  const who = component || reportingController || '';
  const where = host || reportingInstance || '';
  return where ? `${who}, ${where}` : who;
}

export const eventResource: ResourceDefinition = {
  group: '',
  kind: 'Event',
  listKind: 'EventList',
  plural: 'events',
  singular: 'event',
  shortNames: ['ev'],
  categories: [],
  scope: 'Namespaced',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: {},
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema(
        {
          involvedObject: objectReferenceSchema,
          related: objectReferenceSchema,
          reason: { type: 'string' },
          message: { type: 'string' },
          type: { type: 'string' },
          action: { type: 'string' },
          source: {
            type: 'object',
            additionalProperties: false,
            properties: { component: { type: 'string' }, host: { type: 'string' } },
          },
          firstTimestamp: { type: ['string', 'null'] },
          lastTimestamp: { type: ['string', 'null'] },
          eventTime: { type: ['string', 'null'] },
          count: { type: 'integer', format: 'int32' },
          series: {
            type: 'object',
            additionalProperties: false,
            properties: { count: { type: 'integer' }, lastObservedTime: { type: 'string' } },
          },
          reportingComponent: { type: 'string' },
          reportingInstance: { type: 'string' },
        },
        ['involvedObject'],
      ),
      printerColumns: [
        // kubectl's printer: the series' last time, else the last, first or event time (events.k8s.io Events have only eventTime).
        { name: 'Last Seen', type: 'date', jsonPath: '.lastTimestamp', value: (e) => e.series?.lastObservedTime ?? e.lastTimestamp ?? e.firstTimestamp ?? e.eventTime },
        { name: 'Type', type: 'string', jsonPath: '.type' },
        { name: 'Reason', type: 'string', jsonPath: '.reason' },
        // kubectl shows the kind in lower case: `pod/web-1`.
        { name: 'Object', type: 'string', jsonPath: '.involvedObject', value: (e) => `${String(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}` },
        { name: 'Subobject', type: 'string', jsonPath: '.involvedObject.fieldPath', priority: 1, value: (e) => e.involvedObject?.fieldPath ?? '' },
        { name: 'Source', type: 'string', jsonPath: '.source.component', priority: 1, value: (e) => eventSource(e.source?.component, e.source?.host, e.reportingComponent, e.reportingInstance) },
        { name: 'Message', type: 'string', jsonPath: '.message' },
        { name: 'First Seen', type: 'date', jsonPath: '.firstTimestamp', priority: 1, value: (e) => e.firstTimestamp ?? e.eventTime },
        { name: 'Count', type: 'integer', jsonPath: '.count', priority: 1, value: (e) => e.series?.count ?? (e.count || 1) },
        { name: 'Name', type: 'string', jsonPath: '.metadata.name', priority: 1, format: 'name' },
      ],
    },
  ],
};
