import {
  AdmissionRequest, VALIDATING_ADMISSION_POLICIES_RESOURCE, VALIDATING_ADMISSION_POLICY_BINDINGS_RESOURCE,
} from '@openpacific/contracts';
import type { AdmissionContext, AdmissionVerdict, Admitter } from '../admission/admitter';
import type { PolicyState } from '../state/policy-state';
import { PolicyAuditAnnotations } from './admission-policy-audit';
import { compiledPolicy, Decision, evaluatePolicy, requestVariable } from './admission-policy-evaluate';
import { matchesResources } from './admission-policy-match';
import { paramResourceOf, paramsFor } from './admission-policy-params';

/** kube-apiserver never lets policies judge admission configuration itself: a bad policy could not then be fixed. */
const EXEMPT_GROUP = 'admissionregistration.k8s.io';

const REASON_CODES: Record<string, number> = { Unauthorized: 401, Forbidden: 403, RequestEntityTooLarge: 413, Invalid: 422 };

/** A decision to deny, with the policy and binding it came from. */
interface Denial {
  policy: string;
  binding: string;
  message: string;
  /** A failed validation's `reason`; absent for an error or a misconfiguration (which kube-apiserver answers as Invalid too). */
  reason?: string;
}

/**
 * ValidatingAdmissionPolicy: every binding whose policy matches the request (the policy's matchConstraints, then
 * the binding's matchResources, then the policy's matchConditions) evaluates the policy's validations and audit
 * annotations with the binding's params. A failure is enforced as the binding's validationActions say: Deny refuses
 * the request with the first denial (its reason's code; Invalid, 422, when it gives none, errors included), Warn adds a warning for the
 * client, Audit adds the failure to the request's audit record. The audit annotations' values go to the audit
 * record whatever the verdict; one that cannot be evaluated denies the request, whatever the actions. An
 * evaluation error or a misconfiguration follows the policy's failurePolicy (docs/governance.md).
 */
export class ValidatingAdmissionPolicyAdmitter implements Admitter {
  readonly name = 'ValidatingAdmissionPolicy';

  constructor(private readonly state: PolicyState) {}

  async admit(request: AdmissionRequest, context: AdmissionContext = {}): Promise<AdmissionVerdict> {
    if (request.resource.group === EXEMPT_GROUP) return { allowed: true };
    await this.state.caughtUp(context.readAt);
    const model = this.state.model;
    const bindings = model.list(VALIDATING_ADMISSION_POLICY_BINDINGS_RESOURCE).map((s) => s.object);
    if (bindings.length === 0) return { allowed: true };
    const namespaceObject = request.namespace ? model.get('namespaces', undefined, request.namespace)?.object ?? null : null;
    const namespaceLabels = () => namespaceObject?.metadata?.labels ?? {};
    const inputs = { object: request.object ?? null, oldObject: request.oldObject ?? null, request: requestVariable(request), namespaceObject };
    const denials: Denial[] = [];
    const warnings: string[] = [];
    const audit = new PolicyAuditAnnotations();
    for (const binding of [...bindings].sort(byName)) {
      const policy = model.get(VALIDATING_ADMISSION_POLICIES_RESOURCE, undefined, binding.spec?.policyName ?? '')?.object;
      if (!policy) continue;
      if (!matchesResources(policy.spec?.matchConstraints, request, namespaceLabels)) continue;
      if (binding.spec?.matchResources && !matchesResources(binding.spec.matchResources, request, namespaceLabels)) continue;
      const policyName = policy.metadata.name;
      const bindingName = binding.metadata.name;
      const ignoreErrors = policy.spec?.failurePolicy === 'Ignore';
      const configError = (message: string) => {
        if (!ignoreErrors) denials.push({ policy: policyName, binding: bindingName, message: `failed to configure binding: ${message}` });
      };
      const paramSets = this.paramSets(policy, binding, request.namespace);
      if ('error' in paramSets) {
        configError(paramSets.error);
        continue;
      }
      const compiled = compiledPolicy(policy);
      const actions: string[] = binding.spec?.validationActions ?? [];
      for (const params of paramSets.params) {
        const evaluation = evaluatePolicy(compiled, { ...inputs, params });
        for (const decision of evaluation.decisions) {
          if (decision.kind === 'error' && ignoreErrors) continue;
          if (actions.includes('Deny')) denials.push({ policy: policyName, binding: bindingName, ...denialOf(decision) });
          if (actions.includes('Warn')) warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${decision.message}`);
          if (actions.includes('Audit')) {
            audit.failed({ message: decision.message, policy: policyName, binding: bindingName, expressionIndex: decision.index, validationActions: actions });
          }
        }
        for (const { key, value } of evaluation.annotations) audit.add(policyName, key, value);
        if (!ignoreErrors) for (const message of evaluation.annotationErrors) denials.push({ policy: policyName, binding: bindingName, message });
      }
    }
    const auditAnnotations = audit.toRecord();
    if (denials.length > 0) return refusal(request, denials[0], auditAnnotations);
    if (warnings.length === 0 && !auditAnnotations) return { allowed: true };
    return { allowed: true, ...(warnings.length > 0 ? { warnings } : {}), ...(auditAnnotations ? { auditAnnotations } : {}) };
  }

  /** Each param object the policy is evaluated with (one null without paramKind or paramRef), or a misconfiguration. */
  private paramSets(policy: any, binding: any, namespace: string | undefined): { params: unknown[] } | { error: string } {
    const paramKind = policy.spec?.paramKind;
    const ref = binding.spec?.paramRef;
    if (!paramKind || !ref) return { params: [null] };
    const resource = paramResourceOf(this.state.model, paramKind);
    if (!resource) return { error: `failed to find resource referenced by paramKind: '${paramKind.apiVersion}, Kind=${paramKind.kind}'` };
    const found = paramsFor(this.state.model, resource, ref, namespace);
    if ('error' in found) return found;
    if (found.length > 0) return { params: found };
    if (ref.parameterNotFoundAction === 'Deny') return { error: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
    return { params: [] };
  }
}

const byName = (a: any, b: any) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);

function denialOf(decision: Decision): Pick<Denial, 'message' | 'reason'> {
  return decision.kind === 'failed' && decision.reason ? { message: decision.message, reason: decision.reason } : { message: decision.message };
}

/**
 * kube-apiserver's refusal: a Forbidden naming the object, whose reason and code are then the denial's reason (Invalid,
 * 422, when it has none: an evaluation error and a misconfiguration too), with the denial as a cause (so kubectl says
 * `The deployments "x" is invalid: : ...`).
 */
function refusal(request: AdmissionRequest, denial: Denial, auditAnnotations: Record<string, string> | undefined): AdmissionVerdict {
  const { group, resource } = request.resource;
  const qualified = group ? `${resource}.${group}` : resource;
  const name = request.name ?? (request.object as any)?.metadata?.name ?? '';
  const cause = `ValidatingAdmissionPolicy '${denial.policy}' with binding '${denial.binding}' denied request: ${denial.message}`;
  const message = name ? `${qualified} "${name}" is forbidden: ${cause}` : `${qualified} is forbidden: ${cause}`;
  const details = { ...(name ? { name } : {}), group, kind: resource };
  const annotated = auditAnnotations ? { auditAnnotations } : {};
  const reason = denial.reason ?? 'Invalid';
  const status = { code: REASON_CODES[reason] ?? 403, reason, message, details: { ...details, causes: [{ message: cause }] } };
  return { allowed: false, status, ...annotated };
}
