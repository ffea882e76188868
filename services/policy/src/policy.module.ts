import { Module } from '@nestjs/common';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { AdmissionChain } from './admission/admission-chain';
import { AdmissionResponder } from './admission/admission.responder';
import { Admitter, ADMITTERS } from './admission/admitter';
import { LimitRangeAdmitter } from './limits/limit-range.admitter';
import { PodSecurityAdmitter } from './pss/pod-security.admitter';
import { QuotaLedger } from './quota/quota-ledger';
import { QuotaStatusLifecycle } from './quota/quota-status.lifecycle';
import { ResourceQuotaAdmitter } from './quota/resource-quota.admitter';
import { ValidatingAdmissionPolicyAdmitter } from './admission-policy/validating-admission-policy.admitter';
import { PolicyState } from './state/policy-state';
import { StoragePolicyQuotaAdmitter } from './storage-policy/storage-policy-quota.admitter';
import { NamespaceUsageAdmitter } from './usage/namespace-usage.admitter';
import { MutatingWebhookAdmitter } from './webhooks/mutating-webhook.admitter';
import { ValidatingWebhookAdmitter } from './webhooks/validating-webhook.admitter';

/**
 * Governance per namespace (docs/governance.md): what a namespace may use (classes, images, storage
 * policies), Pod Security, LimitRange defaults and bounds, then StoragePolicyQuota and ResourceQuota, last because they
 * reserve (in one ledger).
 */
@Module({
  providers: [
    PolicyState,
    {
      provide: ADMITTERS,
      useFactory: (ctx: ServiceContext, state: PolicyState): Admitter[] => {
        const ledger = new QuotaLedger(ctx.pool);
        return [
          new NamespaceUsageAdmitter(state),
          new MutatingWebhookAdmitter(state),
          new PodSecurityAdmitter(state),
          new LimitRangeAdmitter(state),
          new ValidatingAdmissionPolicyAdmitter(state),
          new ValidatingWebhookAdmitter(state),
          new StoragePolicyQuotaAdmitter(state, ledger),
          new ResourceQuotaAdmitter(state, ledger),
        ];
      },
      inject: [SERVICE_CONTEXT, PolicyState],
    },
    { provide: AdmissionChain, useFactory: (admitters: Admitter[]) => new AdmissionChain(admitters), inject: [ADMITTERS] },
    AdmissionResponder,
    QuotaStatusLifecycle,
  ],
  exports: [AdmissionChain],
})
export class PolicyModule {}
