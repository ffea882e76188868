export { ensurePki } from './ensure-pki';
export type { Pki } from './ensure-pki';
export { ensureAdminToken } from './admin-token';
export { writeKubeconfig, renderKubeconfig } from './kubeconfig.writer';
export type { KubeconfigOptions } from './kubeconfig.writer';
