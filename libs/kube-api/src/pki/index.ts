export { createCertificateAuthority, issueServingCertificate } from './certificates';
export type { KeyAndCert } from './certificates';
export { kubeconfigContextName, renderKubeconfig } from './kubeconfig';
export type { KubeconfigOptions } from './kubeconfig';
export * from './certificate-requests';
