import { fieldForbidden, fieldInvalid, fieldRequired, goRendered, StatusCause } from '@openpacific/kube-api';
import { goSelector } from './apps.strategy';
import { durationRefusal, formatGoDuration, intOrPercentCauses, newCauses, parseGoDuration, selectorError } from './capi-fields.validation';

/**
 * Cluster API's MachineHealthCheck webhook (internal/webhooks/machinehealthcheck.go, v1beta1), in its words:
 * - the selector parses and is not empty (`spec.selector: Required value: selector must not be empty`: an empty one
 *   would select every machine of the namespace), and names no other cluster than `spec.clusterName` in its
 *   `cluster.x-k8s.io/cluster-name` (`cannot specify a cluster selector other than the one specified by ClusterName`);
 * - `spec.clusterName` cannot change;
 * - `nodeStartupTimeout` is 0 (off) or at least 30s (`spec.nodeStartupTimeout: Invalid value: "10s": must be at least
 *   30s`), `maxUnhealthy` an int or a percentage, a remediation template in the object's namespace.
 * `unhealthyRange`'s form (`[3-5]`) is the CRD's pattern (the schema). A duration the webhook cannot decode (a timeout
 * of `unhealthyConditions`, `nodeStartupTimeout`) is its defaulting webhook's 400, as for the other kinds.
 */

const DEFAULTING_WEBHOOK = 'default.machinehealthcheck.cluster.x-k8s.io';
const CLUSTER_NAME = 'cluster.x-k8s.io/cluster-name';
const MIN_NODE_STARTUP_NS = 30_000_000_000n;

/** The timeouts the webhook decodes: only those new or changed on update. */
export function checkMachineHealthCheckDurations(mhc: any, old?: any, webhook = DEFAULTING_WEBHOOK): void {
  const durations = (o: any) => [o?.spec?.nodeStartupTimeout, ...(o?.spec?.unhealthyConditions ?? []).map((c: any) => c?.timeout)];
  const before = new Set(old ? durations(old) : []);
  const refusal = durationRefusal(webhook, durations(mhc).filter((d) => !before.has(d)));
  if (refusal) throw refusal;
}

export function defaultMachineHealthCheck(mhc: any, old?: any): any {
  checkMachineHealthCheckDurations(mhc, old);
  return mhc;
}

/**
 * validateCommonFields: what a MachineHealthCheck shares with a ClusterClass's health checks, under `at` (`spec`, or
 * `spec.controlPlane.machineHealthCheck`), the remediation template's namespace as defaulting leaves it.
 */
export function healthCheckFieldCauses(check: any, namespace: string, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const timeout = typeof check?.nodeStartupTimeout === 'string' ? parseGoDuration(check.nodeStartupTimeout) : undefined;
  if (timeout && 'ns' in timeout && timeout.ns !== 0n && timeout.ns < MIN_NODE_STARTUP_NS) {
    causes.push(fieldInvalid(`${at}.nodeStartupTimeout`, formatGoDuration(timeout.ns), 'must be at least 30s'));
  }
  causes.push(...intOrPercentCauses(`${at}.maxUnhealthy`, check?.maxUnhealthy));
  const template = check?.remediationTemplate;
  if (template && (template.namespace || namespace) !== namespace) {
    causes.push(fieldInvalid(`${at}.remediationTemplate.namespace`, template.namespace, 'must match metadata.namespace'));
  }
  return causes;
}

function machineHealthCheckCauses(mhc: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = mhc.spec ?? {};
  const selector = spec.selector ?? {};
  const error = selectorError(selector);
  if (error) causes.push(fieldInvalid('spec.selector', goRendered(goSelector(selector)), error));
  else if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
    causes.push(fieldRequired('spec.selector', 'selector must not be empty'));
  }
  const clusterSelector = selector.matchLabels?.[CLUSTER_NAME];
  if (clusterSelector !== undefined && clusterSelector !== spec.clusterName) {
    causes.push(fieldInvalid('spec.selector', goRendered(goSelector(selector)), 'cannot specify a cluster selector other than the one specified by ClusterName'));
  }
  return [...causes, ...healthCheckFieldCauses(spec, mhc.metadata?.namespace, 'spec')];
}

export const validateMachineHealthCheckCreate = (mhc: any) => machineHealthCheckCauses(mhc);

export function validateMachineHealthCheckUpdate(old: any, next: any): StatusCause[] {
  const immutable = old.spec?.clusterName !== next.spec?.clusterName ? [fieldForbidden('spec.clusterName', 'field is immutable')] : [];
  return [...newCauses(machineHealthCheckCauses(next), machineHealthCheckCauses(old), { old, next }), ...immutable];
}
