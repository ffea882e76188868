import { certificateSigningRequestResource } from './csr.resource';

export * from './csr.resource';

/** certificates.k8s.io/v1: CertificateSigningRequest (client certificates signed by the cluster's CA). */
export const certificatesResources = [certificateSigningRequestResource];
