import { X509Certificate } from 'node:crypto';
import { CERTIFICATE_SIGNING_REQUESTS_RESOURCE, KUBE_APISERVER_CLIENT_SIGNER, ObjectEventTypes, rfc3339 } from '@openpacific/contracts';
import { KeyAndCert, signCertificateRequest } from '@openpacific/kube-api';
import { PassLoop } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { GatewayCore } from '../core';
import { certificatePem, requestPem } from '../handlers/csr.strategy';
import { Actor } from '../store/object-writer';
import { deleteObject } from '../handlers/delete';
import { commitUpdateInternal } from './internal-update';

const ACTOR: Actor = { username: 'system:serviceaccount:kube-system:certificate-controller', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'] };
/** kube-controller-manager's --cluster-signing-duration default: a year; a request's expirationSeconds may ask for less. */
export const CLUSTER_SIGNING_SECONDS = 365 * 24 * 3600;
const CLIENT_OPTIONAL_USAGES = ['digital signature', 'key encipherment'];

/** Why the kube-apiserver-client signer refuses these usages (kube's words), if it does. */
export function clientUsagesProblem(usages: string[]): string | undefined {
  for (const u of usages) if (u !== 'client auth' && !CLIENT_OPTIONAL_USAGES.includes(u)) return `invalid usage for client certificate: ${u}`;
  return usages.includes('client auth') ? undefined : 'missing required usage for client certificate: client auth';
}

/** kube-controller-manager's CSR cleaner: how long requests stay once decided, and undecided. */
const DECIDED_KEEP_MS = 3600_000;
const PENDING_KEEP_MS = 24 * 3600_000;

/**
 * Why the CSR cleaner deletes this request at `nowMs`, if it does, as kube-controller-manager's does: an issued or
 * denied or failed request an hour after that condition's last update, one still pending a day after its creation,
 * one whose certificate has expired.
 */
export function csrCleanupReason(csr: any, nowMs: number): string | undefined {
  const conditions: any[] = csr.status?.conditions ?? [];
  const olderThan = (at: string | undefined, ms: number) => !!at && nowMs - Date.parse(at) > ms;
  const certificate = certificatePem(csr);
  if (conditions.length === 0 && olderThan(csr.metadata?.creationTimestamp, PENDING_KEEP_MS)) return 'pending for more than a day';
  for (const c of conditions) {
    if (c?.type === 'Denied' && olderThan(c.lastUpdateTime, DECIDED_KEEP_MS)) return 'denied more than an hour ago';
    if (c?.type === 'Failed' && olderThan(c.lastUpdateTime, DECIDED_KEEP_MS)) return 'failed more than an hour ago';
    if (c?.type === 'Approved' && certificate && olderThan(c.lastUpdateTime, DECIDED_KEEP_MS)) return 'issued more than an hour ago';
  }
  if (certificate) {
    try {
      if (nowMs > Date.parse(new X509Certificate(certificate).validTo)) return 'its certificate has expired';
    } catch {
      // Not a certificate this cleaner can read: its age decides.
    }
  }
  return undefined;
}

const has = (csr: any, type: string) => ((csr.status?.conditions ?? []) as any[]).some((c) => c?.type === type && c?.status === 'True');

/**
 * kube-controller-manager's csrsigning controller for the `kubernetes.io/kube-apiserver-client` signer: an approved
 * request (not denied, not failed, no certificate yet) is signed by the cluster's CA, for its expirationSeconds or a
 * year, whichever is shorter, with the usages it asked for; usages a client certificate may not have make it Failed
 * (SignerValidationFailure) instead. The gateway accepts such certificates from clients (x509 authentication:
 * CN the user, O the groups). Other signers' requests are left for their own signers. It is the CSR cleaner as well
 * (`csrCleanupReason`), on every pass, where kube-controller-manager's looks hourly. Run by the gateway that leads
 * garbage collection.
 */
export class CsrSigner {
  private readonly loop: PassLoop;
  private unsubscribe?: () => void;

  constructor(private readonly core: GatewayCore, private readonly logger: Logger, private readonly ca: KeyAndCert, opts = { debounceMs: 20, resyncMs: 30_000 }) {
    this.loop = new PassLoop(() => this.pass(), { ...opts, onError: (err) => logger.warn('certificate signer pass failed', { error: (err as Error).message }) });
  }

  start(): void {
    this.unsubscribe = this.core.hub.subscribe((change) => {
      if (change.resource === CERTIFICATE_SIGNING_REQUESTS_RESOURCE) this.loop.schedule();
    });
    this.loop.start();
  }

  stop(): void {
    this.unsubscribe?.();
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    const now = Date.now();
    for (const stored of this.core.readModel.list(CERTIFICATE_SIGNING_REQUESTS_RESOURCE)) {
      const csr = stored.object;
      const stale = csrCleanupReason(csr, now);
      if (stale) {
        await this.clean(csr, stale);
        continue;
      }
      if (csr.spec?.signerName !== KUBE_APISERVER_CLIENT_SIGNER || !has(csr, 'Approved') || has(csr, 'Denied') || has(csr, 'Failed') || certificatePem(csr)) continue;
      const problem = clientUsagesProblem(csr.spec.usages ?? []);
      let certificate: string | undefined;
      if (!problem) {
        const seconds = Math.min(csr.spec.expirationSeconds ?? CLUSTER_SIGNING_SECONDS, CLUSTER_SIGNING_SECONDS);
        certificate = await signCertificateRequest(this.ca, requestPem(csr) ?? '', csr.spec.usages, seconds);
      }
      const at = rfc3339();
      const written = await commitUpdateInternal(this.core, CERTIFICATE_SIGNING_REQUESTS_RESOURCE, stored, (next) => {
        next.status ??= {};
        if (certificate) next.status.certificate = Buffer.from(certificate).toString('base64');
        else {
          next.status.conditions = [...(next.status.conditions ?? []), {
            type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: problem, lastUpdateTime: at, lastTransitionTime: at,
          }];
        }
      }, ACTOR, ObjectEventTypes.statusUpdated);
      if (written) this.logger.info(certificate ? 'certificate signed' : 'certificate request failed', { csr: csr.metadata.name, requestor: csr.spec.username, ...(problem ? { problem } : {}) });
    }
  }

  /** Deletes a request the cleaner's rules say is done with (at the version seen; a newer one waits for the next pass). */
  private async clean(csr: any, why: string): Promise<void> {
    const served = this.core.registry.storage(CERTIFICATE_SIGNING_REQUESTS_RESOURCE);
    try {
      await deleteObject(this.core, served, undefined, csr.metadata.name, { preconditions: { resourceVersion: csr.metadata.resourceVersion } }, ACTOR, false);
      this.logger.info('certificate request cleaned up', { csr: csr.metadata.name, why });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code !== 409 && code !== 404) throw err;
    }
  }
}
