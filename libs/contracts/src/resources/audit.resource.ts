import { ResourceDefinition } from './resource-definition';

export const AUDIT_GROUP = 'audit.openpacific.io';
export const AUDIT_RECORDS_PLURAL = 'auditrecords';

/**
 * One recorded API request, as the api-gateway answers `GET /apis/audit.openpacific.io/v1/auditrecords`.
 * Records are never stored as objects (they live in the append-only `audit_records` table) and never
 * hold a request or response body.
 */
export interface AuditRecord {
  apiVersion: 'audit.openpacific.io/v1';
  kind: 'AuditRecord';
  /** `name` is the record's id (a decimal string, increasing with insert order). */
  metadata: { name: string; creationTimestamp: string };
  time: string;
  requestID: string;
  user: string;
  groups: string[];
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** For requests that are not for a resource (discovery, /version): the path, without its query. */
  path: string;
  decision: 'allow' | 'deny';
  code: number;
  userAgent: string;
  sourceIP: string;
  /**
   * What admission said of the request for the audit log, as in kube-apiserver's audit events: a
   * ValidatingAdmissionPolicy binding's Audit failures (`validation.policy.admission.k8s.io/validation_failure`),
   * a policy's auditAnnotations (`<policy>/<key>`). Absent when there are none.
   */
  annotations?: Record<string, string>;
  /**
   * The request's stage when this record was written, as in kube-apiserver's audit events: `ResponseStarted` (a
   * long-running request that started: watch, exec, port-forward, a VM web console) or `ResponseComplete`. A web
   * console gets both, with the same `time` and `requestID`. Absent in records written before stages were kept.
   */
  stage?: 'ResponseStarted' | 'ResponseComplete';
  /** When the record was written at its stage; `time` is when the request was received. */
  stageTimestamp?: string;
}

const str = { type: 'string' };

/** Read-only (get, list), cluster-scoped: only users bound to read it (cluster-admin) may. */
export const auditRecordResource: ResourceDefinition = {
  group: AUDIT_GROUP,
  kind: 'AuditRecord',
  listKind: 'AuditRecordList',
  plural: AUDIT_RECORDS_PLURAL,
  singular: 'auditrecord',
  shortNames: [],
  categories: [],
  scope: 'Cluster',
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
  subresources: {},
  verbs: ['get', 'list'],
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: {
        type: 'object',
        properties: {
          apiVersion: str,
          kind: str,
          metadata: { type: 'object', additionalProperties: true },
          time: { type: 'string', format: 'date-time' },
          requestID: str,
          user: str,
          groups: { type: 'array', items: str },
          verb: str,
          apiGroup: str,
          resource: str,
          subresource: str,
          namespace: str,
          name: str,
          path: str,
          decision: { type: 'string', enum: ['allow', 'deny'] },
          code: { type: 'integer' },
          userAgent: str,
          sourceIP: str,
          annotations: { type: 'object', additionalProperties: str },
          stage: { type: 'string', enum: ['ResponseStarted', 'ResponseComplete'] },
          stageTimestamp: { type: 'string', format: 'date-time' },
        },
      },
      printerColumns: [
        { name: 'Time', type: 'string', jsonPath: '.time' },
        { name: 'User', type: 'string', jsonPath: '.user' },
        { name: 'Verb', type: 'string', jsonPath: '.verb' },
        { name: 'Resource', type: 'string', jsonPath: '.resource', value: auditResourceCell },
        { name: 'Namespace', type: 'string', jsonPath: '.namespace', value: (r: AuditRecord) => r?.namespace || '' },
        { name: 'Name', type: 'string', jsonPath: '.name', value: (r: AuditRecord) => r?.name || '' },
        { name: 'Code', type: 'integer', jsonPath: '.code' },
        { name: 'Decision', type: 'string', jsonPath: '.decision', priority: 1 },
        { name: 'Source IP', type: 'string', jsonPath: '.sourceIP', priority: 1 },
        { name: 'Request ID', type: 'string', jsonPath: '.requestID', priority: 1 },
        { name: 'Stage', type: 'string', jsonPath: '.stage', priority: 1, value: (r: AuditRecord) => r?.stage ?? '' },
      ],
    },
  ],
};

/** `configmaps`, `pods/log`, `virtualmachines.vmoperator.vmware.com`; the path of a non-resource request. */
export function auditResourceCell(r: AuditRecord): string {
  if (!r?.resource) return r?.path ?? '';
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return r.apiGroup ? `${resource}.${r.apiGroup}` : resource;
}
