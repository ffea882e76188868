export { ensurePki, servingCertificateSans } from './ensure-pki';
export type { Pki } from './ensure-pki';
export { ensureAdminToken } from './admin-token';
export { writeKubeconfig } from './kubeconfig.writer';
export { renderKubeconfig } from '@openpacific/kube-api';
export type { KubeconfigOptions } from '@openpacific/kube-api';
export { ensureServiceAccountKey, publishServiceAccountPublicKey, signerFromPem, type ServiceAccountSigner } from './service-account-key';
