/** What the api-gateway asks the policy service before every write (cf. admission.k8s.io AdmissionReview). */
export interface AdmissionRequest {
  uid: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  user: { username: string; groups: string[] };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  kind: string;
  namespace?: string;
  name?: string;
  object?: unknown;
  oldObject?: unknown;
  dryRun: boolean;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  /** Set when refused: the HTTP code, a CamelCase reason and the message the user sees. */
  status?: { code: number; reason: string; message: string };
  /** Mutating admission: the object to store instead of the one sent. */
  patchedObject?: unknown;
}
