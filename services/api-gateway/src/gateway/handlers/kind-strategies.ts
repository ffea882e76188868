import { ResourceDefinition, resourceDefinitions, RUNTIME_CLASSES_RESOURCE } from '@openpacific/contracts';
import { admitRuntimeClass, forbidden, StatusCause } from '@openpacific/kube-api';
import type { RbacLookups } from '@openpacific/authz';
import type { ReadModel } from '@openpacific/objects';
import { rbacKindStrategies } from '../auth/rbac.strategy';
import { fillServiceAccountToken } from '../auth/service-account-tokens';
import { defaultEphemeralContainers, defaultPod, keepPlacementAnnotations, schedulingGatedCreateCauses, validatePod, validatePodUpdate } from './pod.strategy';
import { validatePodCreate } from './ephemeral-containers.validation';
import { validatePodStatusAddresses } from './pod-status.validation';
import { admitPriority, admitServiceAccount, missingServiceAccount, readModelPriorityClasses, readModelServiceAccounts } from '@openpacific/objects';
import { storageKindStrategies } from './storage.strategy';
import { quotaKindStrategies } from './quota.strategy';
import { appsKindStrategies } from './apps.strategy';
import { batchKindStrategies } from './batch.strategy';
import { setsKindStrategies } from './sets.strategy';
import { policyKindStrategies } from './policy.strategy';
import { autoscalingKindStrategies } from './autoscaling.strategy';
import { schedulingKindStrategies } from './scheduling.strategy';
import { certificatesKindStrategies } from './csr.strategy';
import { admissionPolicyKindStrategies } from './admission-policy.strategy';
import { serviceKindStrategies } from './service.strategy';
import { networkPolicyKindStrategies } from './networkpolicy.strategy';
import { ingressKindStrategies } from './ingress.strategy';
import { endpointsKindStrategies } from './endpoints.strategy';
import { coordinationKindStrategies } from './coordination.strategy';
import { webhookKindStrategies } from './webhook.strategy';
import { vmReplicaSetKindStrategies } from './vmrs.strategy';
import { vmSnapshotKindStrategies } from './vmsnapshot.strategy';
import { vmGroupKindStrategies } from './vmg.strategy';
import { vmGroupPublishKindStrategies } from './vmgpub.strategy';
import { vmWebConsoleKindStrategies } from './vmwebconsole.strategy';
import { defaultCrd, validateCrd, validateCrdUpdate } from '../customresources/crd.validation';
import { replicationControllerKindStrategies } from './replication-controller.strategy';
import { runtimeClassKindStrategies } from './runtimeclass.strategy';
import { eventKindStrategies } from './event.strategy';
import { podTemplateKindStrategies } from './pod-template.strategy';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './config-data.validation';
import { validateTanzuKubernetesCluster, validateTanzuKubernetesClusterCreate, validateTanzuKubernetesClusterUpdate } from './tkc.strategy';
import { defaultClusterTopology, validateClusterTopology } from './cluster-topology.strategy';
import { capiKindStrategies } from './capi-kinds.strategy';
import {
  defaultVirtualMachine, defaultVirtualMachineService, stampRestart, vmServiceAllocations, validateVirtualMachine, validateVirtualMachineCreate, validateVirtualMachineService, validateVirtualMachineServiceUpdate, validateVirtualMachineUpdate,
} from './vm.strategy';
import { defaultPublishRequest, validatePublishRequest, validatePublishRequestUpdate } from './vmpub.strategy';
import { validateVmZone } from './vm-zone.validation';
import { controlPlaneAnnotationCauses } from './vm-annotations.validation';
import { validateNamespaceFinalizers } from './namespace-finalizers.validation';
import type { Allocation, AllocationChecks } from './allocations';

/** What a create may consult besides the object: the gateway's read model (what else exists) and the cluster's ranges. */
export interface StrategyContext {
  readModel: ReadModel;
  /** The /16 cluster IPs come from (SERVICE_CIDR). */
  serviceCIDR: string;
  /** Who creates it (a CertificateSigningRequest records its requester). */
  user?: { username: string; groups: string[] };
  /** Adds a warning to the answer (`Warning: 299` header, which kubectl prints), as an admission webhook's warnings are. */
  warn?(text: string): void;
  /**
   * Takes what gives back something set aside for the object while its write is in flight (a claimed cluster IP), run
   * if the object is not stored: the write refused or failed, or a dry run (givenBackUnlessStored).
   */
  onAbandon?(giveBack: () => void): void;
  /** Where a kind that holds addresses (`allocated`) notes each it judged free, and on which version (allocations.ts). */
  allocations?: AllocationChecks;
}

/**
 * Runs a create or update (`write`, handed the context's onAbandon) and gives back what its strategy set aside for the
 * object when nothing is stored: it throws, or it is a dry run.
 */
export async function givenBackUnlessStored<T>(dryRun: boolean, write: (onAbandon: (giveBack: () => void) => void) => Promise<T>): Promise<T> {
  const giveBacks: Array<() => void> = [];
  const giveBack = () => giveBacks.splice(0).forEach((fn) => fn());
  try {
    const stored = await write((fn) => giveBacks.push(fn));
    if (dryRun) giveBack();
    return stored;
  } catch (err) {
    giveBack();
    throw err;
  }
}

/** An update as an admission check that looks at who writes sees it (kube's CertificateApproval, CertificateSigning). */
export interface WriterCheck {
  user: { username: string; groups: string[] };
  subresource?: string;
  old: any;
  next: any;
  /** Whether RBAC lets the writer do this (a resource request; the user is the writer's). */
  allowed(attrs: { verb: string; apiGroup: string; resource: string; name?: string; namespace?: string }): boolean;
  /** The roles and bindings RBAC reads (the writer's own rules, a binding's role). */
  rbac: RbacLookups;
}

/** What a kind adds to the generic create/update rules: defaults and validation the schema cannot express. */
export interface KindStrategy {
  defaults?(obj: any, ctx: StrategyContext): any;
  validate?(obj: any): StatusCause[];
  /** Only on create, besides `validate`. */
  validateCreate?(obj: any, ctx: StrategyContext): StatusCause[];
  /** On an update of the object (or through a subresource other than status), before validation: what a mutating webhook does. */
  prepareUpdate?(old: any, next: any, subresource?: string, ctx?: StrategyContext): any;
  /** On a status update, before validation (a status update is otherwise taken as sent). */
  prepareStatusUpdate?(old: any, next: any): any;
  /** On a status update: what the kind's status may not be (status updates are otherwise not checked beyond the schema). */
  validateStatusUpdate?(old: any, next: any): StatusCause[];
  /** Why the writer may not make this create or update (the whole 403 message), if it may not; `old` is absent on a create. */
  authorizeWrite?(check: WriterCheck): string | undefined;
  /** `subresource`: written through one that writes part of the spec (`ephemeralcontainers`); absent for the object itself. */
  validateUpdate?(old: any, next: any, subresource?: string, ctx?: StrategyContext): StatusCause[];
  /**
   * Why the object may not be scaled to `replicas` through its `scale` subresource (the whole 403 message: a scale
   * webhook's denial), if it may not.
   */
  refuseScale?(obj: any, replicas: number): string | undefined;
  /** Why the object may not be deleted (the whole 403 message), if it may not. */
  validateDelete?(obj: any): string | undefined;
  /**
   * The cluster IPs and node ports the object holds, for a kind given them from the shared ranges: a write giving it
   * new ones appends their allocations with the object (allocations.ts).
   */
  allocated?(obj: any): Allocation[];
}

/**
 * A new pod's defaults, then the ServiceAccount, Priority and RuntimeClass admission plugins (mutating admission
 * steps, after defaulting as in Kubernetes), which refuse a pod of a ServiceAccount, a PriorityClass or a RuntimeClass
 * that does not exist (or an overhead or node selector at odds with its RuntimeClass) with a 403 before any validation.
 */
function admitPod(pod: any, ctx: StrategyContext): any {
  const serviceAccounts = readModelServiceAccounts(ctx.readModel);
  const admitted = admitServiceAccount(defaultPod(pod), serviceAccounts);
  const refusal =
    missingServiceAccount(admitted, serviceAccounts) ??
    admitPriority(admitted, readModelPriorityClasses(ctx.readModel)) ??
    admitRuntimeClass(admitted, { get: (name) => ctx.readModel.get(RUNTIME_CLASSES_RESOURCE, undefined, name)?.object });
  if (refusal) throw forbidden(`pods "${admitted.metadata.name}" is forbidden: ${refusal}`);
  return admitted;
}

/** The groups of the built-in kinds, which no CustomResourceDefinition may take. */
const BUILTIN_GROUPS = new Set(resourceDefinitions.map((d) => d.group));

const strategies: Record<string, KindStrategy> = {
  '/Pod': { defaults: admitPod, validate: validatePod, validateCreate: (pod) => [...validatePodCreate(pod), ...schedulingGatedCreateCauses(pod)], prepareUpdate: (old, next) => keepPlacementAnnotations(old, defaultEphemeralContainers(next)), validateUpdate: validatePodUpdate,
    validateStatusUpdate: (_old, next) => validatePodStatusAddresses(next) },
  'vmoperator.vmware.com/VirtualMachine': {
    defaults: defaultVirtualMachine,
    validateCreate: (vm, ctx) => [...validateVirtualMachineCreate(vm), ...validateVmZone(vm, undefined, ctx.readModel), ...controlPlaneAnnotationCauses(undefined, vm, ctx.user)],
    validate: validateVirtualMachine,
    prepareUpdate: (_old, next) => stampRestart(next),
    validateUpdate: (old, next, _subresource, ctx) => [...validateVirtualMachineUpdate(old, next), ...validateVmZone(next, old, ctx?.readModel), ...controlPlaneAnnotationCauses(old, next, ctx?.user)],
  },
  'vmoperator.vmware.com/VirtualMachineService': {
    defaults: defaultVirtualMachineService,
    validate: validateVirtualMachineService,
    validateUpdate: validateVirtualMachineServiceUpdate,
    allocated: vmServiceAllocations,
  },
  'vmoperator.vmware.com/VirtualMachinePublishRequest': {
    defaults: defaultPublishRequest,
    prepareUpdate: (_old, next) => defaultPublishRequest(next),
    validate: validatePublishRequest,
    validateUpdate: validatePublishRequestUpdate,
  },
  ...vmReplicaSetKindStrategies,
  ...vmSnapshotKindStrategies,
  ...vmGroupKindStrategies,
  ...vmGroupPublishKindStrategies,
  ...vmWebConsoleKindStrategies,
  ...storageKindStrategies,
  ...quotaKindStrategies,
  ...appsKindStrategies,
  ...replicationControllerKindStrategies,
  ...runtimeClassKindStrategies,
  ...eventKindStrategies,
  ...podTemplateKindStrategies,
  ...batchKindStrategies,
  ...setsKindStrategies,
  ...policyKindStrategies,
  ...autoscalingKindStrategies,
  ...schedulingKindStrategies,
  ...admissionPolicyKindStrategies,
  ...serviceKindStrategies,
  ...networkPolicyKindStrategies,
  ...ingressKindStrategies,
  ...endpointsKindStrategies,
  ...coordinationKindStrategies,
  ...certificatesKindStrategies,
  ...webhookKindStrategies,
  ...capiKindStrategies,
  'run.tanzu.vmware.com/TanzuKubernetesCluster': { validate: validateTanzuKubernetesCluster, validateCreate: validateTanzuKubernetesClusterCreate, validateUpdate: validateTanzuKubernetesClusterUpdate },
  'cluster.x-k8s.io/Cluster': {
    defaults: defaultClusterTopology,
    // An unchanged version is left as stored (a TKC's Cluster may carry an image's name as its release).
    prepareUpdate: (old, next, subresource) => (subresource || next.spec?.topology?.version === old.spec?.topology?.version ? next : defaultClusterTopology(next)),
    validateCreate: (c, ctx) => validateClusterTopology(c, ctx),
    validateUpdate: (old, next, subresource, ctx) => (subresource ? [] : validateClusterTopology(next, ctx, old)),
  },
  // Create and update each run the whole of kube's validation (the update's own rules first, as kube words them).
  '/Secret': {
    defaults: (s) => fillServiceAccountToken(normalizeSecret(s)),
    validateCreate: validateSecret,
    prepareUpdate: (_old, next) => normalizeSecret(next),
    validateUpdate: validateSecretUpdate,
  },
  '/ConfigMap': { validateCreate: validateConfigMap, validateUpdate: validateConfigMapUpdate },
  '/Namespace': { validate: validateNamespaceFinalizers },
  ...rbacKindStrategies,
  'apiextensions.k8s.io/CustomResourceDefinition': {
    defaults: defaultCrd,
    prepareUpdate: (_old, next) => defaultCrd(next),
    validate: (crd) => validateCrd(crd, (group) => BUILTIN_GROUPS.has(group)),
    validateUpdate: validateCrdUpdate,
  },
};

export function strategyFor(def: ResourceDefinition): KindStrategy {
  return strategies[`${def.group}/${def.kind}`] ?? {};
}

/** As kube-apiserver stores a Secret: `stringData` merged into `data` (base64), `type` Opaque unless given. */
function normalizeSecret(secret: any): any {
  secret.type ??= 'Opaque';
  if (secret.stringData) {
    secret.data = { ...(secret.data ?? {}), ...Object.fromEntries(Object.entries(secret.stringData).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')])) };
    delete secret.stringData;
  }
  return secret;
}
