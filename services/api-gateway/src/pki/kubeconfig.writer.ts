import { KubeconfigOptions, renderKubeconfig } from '@openpacific/kube-api';
import { writeFileAtomic } from './pki-files';

/** Writes a kubeconfig (0600: it holds bearer tokens). */
export async function writeKubeconfig(file: string, opts: KubeconfigOptions): Promise<void> {
  await writeFileAtomic(file, renderKubeconfig(opts), 0o600);
}
