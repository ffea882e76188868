import type { Logger } from '@openpacific/service-kit';
import { PassLoop } from '@openpacific/objects';
import { GatewayCore } from '../core';
import { ROOT_CA_CONFIG_MAP } from '@openpacific/objects';
import { Actor } from '../store/object-writer';
import { keepObject } from './kept-object';

const ACTOR: Actor = { username: 'system:serviceaccount:kube-system:root-ca-cert-publisher', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'] };

export const ROOT_CA_DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/**
 * Kubernetes' root-ca-cert-publisher: every namespace that is not terminating has the ConfigMap `kube-root-ca.crt`
 * with `data: { ca.crt: <the PEM of the CA that signs the gateway's serving certificate> }` (what a pod's
 * kube-api-access volume projects), made again when deleted, its data put back when changed. Run by the gateway that
 * leads garbage collection, after namespace changes and changes of such a ConfigMap, and at a resync.
 */
export class RootCaPublisher {
  private readonly loop: PassLoop;
  private unsubscribe?: () => void;

  constructor(private readonly core: GatewayCore, logger: Logger, private readonly caCertPem: string, opts = { debounceMs: 50, resyncMs: 30_000 }) {
    this.loop = new PassLoop(() => this.pass(), { ...opts, onError: (err) => logger.warn('root CA publisher pass failed', { error: (err as Error).message }) });
  }

  start(): void {
    this.unsubscribe = this.core.hub.subscribe((change) => {
      if (change.resource === 'namespaces' || (change.resource === 'configmaps' && change.object.metadata.name === ROOT_CA_CONFIG_MAP)) this.loop.schedule();
    });
    this.loop.start();
  }

  stop(): void {
    this.unsubscribe?.();
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    const data = { 'ca.crt': this.caCertPem };
    for (const { object: ns } of this.core.readModel.list('namespaces')) {
      const namespace = ns.metadata.name;
      if (ns.metadata.deletionTimestamp) continue;
      await keepObject(this.core, {
        resource: 'configmaps', namespace, name: ROOT_CA_CONFIG_MAP, actor: ACTOR,
        make: () => ({
          apiVersion: 'v1', kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIG_MAP, namespace, annotations: { [ROOT_CA_DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } },
          data: { ...data },
        }),
        correct: (cm) => {
          cm.data = { ...data };
          cm.metadata.annotations = { ...(cm.metadata.annotations ?? {}), [ROOT_CA_DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION };
        },
      });
    }
  }
}
