import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';

export const CERTIFICATES_GROUP = 'certificates.k8s.io';
/** Where certificates.k8s.io/v1 CertificateSigningRequests live in the log and the read model. */
export const CERTIFICATE_SIGNING_REQUESTS_RESOURCE = 'certificatesigningrequests.certificates.k8s.io';
/** The signer whose certificates the api-gateway accepts as client certificates (x509 authentication). */
export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
/** The signer v1 no longer accepts on a new request. */
export const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';
/** The condition types that may only be True, and can never be removed once there. */
export const CSR_FINAL_CONDITIONS = ['Approved', 'Denied', 'Failed'] as const;

/** Every key usage a request may name, as certificates.k8s.io/v1 lists them. */
export const CSR_KEY_USAGES = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment',
  'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing',
  'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing',
  'microsoft sgc', 'netscape sgc',
];

const condition = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { type: 'string' },
    status: { type: 'string' },
    reason: { type: 'string' },
    message: { type: 'string' },
    lastUpdateTime: { type: 'string' },
    lastTransitionTime: { type: 'string' },
  },
};

/**
 * The CONDITION column as kube-apiserver's table printer words it: Denied, else Approved, else Pending; then
 * `,Failed` and `,Issued` when they hold.
 */
export function csrCondition(csr: any): string {
  const types = new Set(((csr.status?.conditions ?? []) as any[]).map((c) => c.type));
  let out = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) out += ',Failed';
  if (csr.status?.certificate) out += ',Issued';
  return out;
}

/**
 * certificates.k8s.io/v1 CertificateSigningRequest: a PKCS#10 request for a certificate from a named signer, approved
 * or denied through its `approval` subresource (`kubectl certificate approve|deny`), then signed by the signer, which
 * writes the certificate through `status`. The api-gateway's `csr.strategy.ts` validates and admits them as
 * kube-apiserver does; its signer issues `kubernetes.io/kube-apiserver-client` certificates from the cluster's CA.
 * `spec.request` and `status.certificate` are PEM, base64-encoded in JSON as every `[]byte` field.
 */
export const certificateSigningRequestResource: ResourceDefinition = {
  group: CERTIFICATES_GROUP,
  kind: 'CertificateSigningRequest',
  listKind: 'CertificateSigningRequestList',
  plural: 'certificatesigningrequests',
  singular: 'certificatesigningrequest',
  shortNames: ['csr'],
  categories: [],
  scope: 'Cluster',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  // `approval` writes the conditions alone (status, through its own subresource so that RBAC can grant it apart).
  subresources: { status: true, statusFields: { approval: 'conditions' } },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: {
            request: { type: 'string' },
            signerName: { type: 'string' },
            expirationSeconds: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
            usages: { type: 'array', items: { type: 'string' } },
            username: { type: 'string' },
            uid: { type: 'string' },
            groups: { type: 'array', items: { type: 'string' } },
            extra: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
          },
        },
        status: {
          type: 'object',
          additionalProperties: false,
          properties: {
            conditions: { type: 'array', items: condition },
            certificate: { type: 'string' },
          },
        },
      }, ['spec']),
      // As kube-apiserver's table printer has them (the name first, added by the table).
      printerColumns: [
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        { name: 'SignerName', type: 'string', jsonPath: '.spec.signerName', value: (csr) => csr.spec?.signerName || '<none>' },
        { name: 'Requestor', type: 'string', jsonPath: '.spec.username', value: (csr) => csr.spec?.username ?? '' },
        {
          name: 'RequestedDuration', type: 'string', jsonPath: '.spec.expirationSeconds',
          duration: (csr) => (typeof csr.spec?.expirationSeconds === 'number' ? csr.spec.expirationSeconds * 1000 : undefined), absent: '<none>',
        },
        { name: 'Condition', type: 'string', jsonPath: '.status.conditions', value: csrCondition },
      ],
      selectableFields: ['spec.signerName'],
    },
  ],
};
