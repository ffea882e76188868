import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { conditionOf, kubectlJson } from './kubectl-json';

/** The namespace of manifests/tkc-basics.yaml, whose TanzuKubernetesCluster is `tkc-1`. */
export const TKC_NAMESPACE = 'tkg-team';

/**
 * A cluster of three hosts whose namespace `tkg-team` holds the Ready TanzuKubernetesCluster `tkc-1` of
 * manifests/tkc-basics.yaml (VMs booting in 100 ms), and the path of that guest cluster's kubeconfig.
 */
export async function startWithGuestCluster(label: string): Promise<{ cluster: TestCluster; guestKubeconfig: string }> {
  const cluster = await startCluster({ label, env: { SIM_VM_BOOT_MS: '100', HOST_REBOOT_DELAY_MS: '0' } });
  try {
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', TKC_NAMESPACE])).code).toBe(0);
    const manifests = readFileSync(join(__dirname, '..', 'manifests', 'tkc-basics.yaml'), 'utf8');
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: manifests })).stderr).toBe('');
    await eventually(async () => {
      const tkc = await kubectlJson(cluster, ['get', 'tkc', 'tkc-1', '-n', TKC_NAMESPACE]);
      expect(conditionOf(tkc, 'Ready')?.status).toBe('True');
    }, { timeoutMs: 120_000, intervalMs: 500 });
    const secret = await kubectlJson(cluster, ['get', 'secret', 'tkc-1-kubeconfig', '-n', TKC_NAMESPACE]);
    const guestKubeconfig = join(cluster.dataDir, 'tkc-1.kubeconfig');
    writeFileSync(guestKubeconfig, Buffer.from(secret.data.value, 'base64'));
    return { cluster, guestKubeconfig };
  } catch (err) {
    // The caller never gets the cluster to stop: stopped here.
    await cluster.stop();
    throw err;
  }
}
