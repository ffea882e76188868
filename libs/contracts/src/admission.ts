/** What the api-gateway asks the policy service before every write (cf. admission.k8s.io AdmissionReview). */
export interface AdmissionRequest {
  uid: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  user: { username: string; groups: string[] };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  kind: string;
  /**
   * The group and version of `kind` where they are not the resource's: a subresource with a kind of its own
   * (`scale`, whose kind is autoscaling/v1 Scale for every resource that has it).
   */
  kindGroupVersion?: { group: string; version: string };
  namespace?: string;
  name?: string;
  object?: unknown;
  oldObject?: unknown;
  dryRun: boolean;
}

/** The request's kind as an AdmissionReview names it (`kind` and `requestKind`). */
export function admissionKindOf(request: Pick<AdmissionRequest, 'resource' | 'kind' | 'kindGroupVersion'>): { group: string; version: string; kind: string } {
  const { group, version } = request.kindGroupVersion ?? request.resource;
  return { group, version, kind: request.kind };
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  /**
   * Set when refused: the HTTP code, a CamelCase reason and the message the user sees; `details` as a
   * Kubernetes Status carries them (kubectl words an Invalid refusal from them).
   */
  status?: {
    code: number;
    reason: string;
    message: string;
    details?: { name?: string; group?: string; kind?: string; causes?: Array<{ field?: string; reason?: string; message: string }> };
  };
  /** Mutating admission: the object to store instead of the one sent. */
  patchedObject?: unknown;
  /** Warnings for the client (a ValidatingAdmissionPolicy binding's `Warn`, an admission webhook's), sent as `Warning: 299` headers. */
  warnings?: string[];
  /**
   * Annotations for the audit record of the request (a ValidatingAdmissionPolicy binding's `Audit` failures, a
   * policy's `auditAnnotations`), whatever the answer: kube-apiserver adds them to the request's audit event
   * even when admission refuses it.
   */
  auditAnnotations?: Record<string, string>;
}
