import type { AdmissionRequest } from '@openpacific/contracts';
import { sameJson } from '@openpacific/objects';
import type { AdmissionContext, AdmissionVerdict, Admitter } from '../admission/admitter';
import type { PolicyState } from '../state/policy-state';
import { enforcedLevel, podSecurityMessage, violations } from './pod-security';

/** PodSecurity: pods created or updated (their ephemeral containers added) in a namespace labelled `pod-security.kubernetes.io/enforce` must meet its level. */
export class PodSecurityAdmitter implements Admitter {
  readonly name = 'PodSecurity';

  constructor(private readonly state: PolicyState) {}

  async admit(request: AdmissionRequest, context: AdmissionContext = {}): Promise<AdmissionVerdict> {
    const ns = request.namespace;
    // Ephemeral containers (kubectl debug) must meet the level too, as kube's PodSecurity checks pods/ephemeralcontainers.
    const subresource = request.subResource && request.subResource !== 'ephemeralcontainers';
    if (!ns || request.kind !== 'Pod' || subresource || (request.operation !== 'CREATE' && request.operation !== 'UPDATE')) return { allowed: true };
    // As kube: an update that leaves the pod's spec as it was (labels, annotations) is not evaluated.
    if (request.operation === 'UPDATE' && sameJson((request.object as any)?.spec, (request.oldObject as any)?.spec)) return { allowed: true };
    // The namespace may have been labelled a moment ago.
    await this.state.caughtUp(context.readAt);
    const level = enforcedLevel(this.state.model.get('namespaces', undefined, ns)?.object);
    const pod = request.object as any;
    const found = violations(level, pod);
    if (found.length === 0) return { allowed: true };
    return { allowed: false, status: { code: 403, reason: 'Forbidden', message: podSecurityMessage(pod?.metadata?.name ?? request.name ?? '', level, found) } };
  }
}
