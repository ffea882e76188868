import { CONTENT_LIBRARIES_RESOURCE, DEFAULT_LIBRARY_LABEL, VIRTUAL_MACHINE_GROUPS_RESOURCE } from '@openpacific/contracts';
import { fieldDuplicate, fieldInvalid, fieldNotFound, fieldRequired, goQuote, goRendered, KubeApiError, StatusCause } from '@openpacific/kube-api';
import type { ReadModel } from '@openpacific/objects';
import type { KindStrategy, StrategyContext } from './kind-strategies';

/** The name VM Operator registers its defaulting webhook under: kube-apiserver names it in a refusal. */
const MUTATING_WEBHOOK = 'default.mutating.virtualmachinegrouppublishrequest.v1alpha5.vmoperator.vmware.com';
const NOT_MEMBERS = 'virtual machines must be a direct or indirect member of the source group';

/** Why the members of a group cannot be listed, with the HTTP code the defaulting webhook answers it with. */
class MembersError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/**
 * A refusal of the defaulting webhook as kube-apiserver passes it on: the webhook's code (VM Operator answers a
 * missing group or library with 404) and its message after the webhook's name; the webhook gives no reason.
 */
function webhookRefusal(code: number, message: string): KubeApiError {
  const text = `admission webhook ${JSON.stringify(MUTATING_WEBHOOK)} denied the request: ${message}`;
  return new KubeApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: text, code });
}

const goStrings = (values: string[]) => `[${values.map(goQuote).join(' ')}]`;

/**
 * The VMs of a group, directly or through nested groups, as VM Operator's RetrieveVMGroupMembers lists them: the
 * members of its status whose GroupLinked condition is True (a VM only listed in the boot order is not one yet).
 * A group reached twice is a loop, a VM reached twice a duplicate.
 */
export function groupMemberVms(readModel: ReadModel, namespace: string, name: string, visited = new Set<string>()): Set<string> {
  if (visited.has(name)) throw new MembersError(400, `a loop is detected among groups: ${goQuote(name)} visisted`);
  visited.add(name);
  const group = readModel.get(VIRTUAL_MACHINE_GROUPS_RESOURCE, namespace, name)?.object;
  if (!group) throw new MembersError(404, `${VIRTUAL_MACHINE_GROUPS_RESOURCE} ${goQuote(name)} not found`);
  const vms = new Set<string>();
  for (const member of group.status?.members ?? []) {
    const linked = (member.conditions ?? []).some((c: any) => c.type === 'GroupLinked' && c.status === 'True');
    if (!linked) continue;
    if (member.kind === 'VirtualMachineGroup') {
      const nested = groupMemberVms(readModel, namespace, member.name, visited);
      const twice = [...nested].filter((vm) => vms.has(vm)).sort();
      if (twice.length) throw new MembersError(400, `duplicate member(s) found in the group: ${goStrings(twice)}`);
      for (const vm of nested) vms.add(vm);
    } else {
      if (vms.has(member.name)) throw new MembersError(400, `duplicate member ${goQuote(member.name)} found in the group`);
      vms.add(member.name);
    }
  }
  return vms;
}

/** The namespace's default publication target: the one ContentLibrary carrying the default label. */
function defaultLibrary(readModel: ReadModel, namespace: string): string {
  const libraries = readModel.list(CONTENT_LIBRARIES_RESOURCE, namespace).filter((l) => l.object.metadata.labels?.[DEFAULT_LIBRARY_LABEL] !== undefined);
  if (libraries.length === 0) throw webhookRefusal(404, `cannot find a default content library with the ${goQuote(DEFAULT_LIBRARY_LABEL)} label`);
  // VM Operator's webhook answers this with a 500; it is the namespace's set-up, not the server, that is wrong.
  if (libraries.length > 1) throw webhookRefusal(400, `more than one default ContentLibrary found: ${libraries.map((l) => l.object.metadata.name).join(', ')}`);
  return libraries[0].object.metadata.name;
}

/**
 * VM Operator's defaulting webhook (on create only): the source is the group of the request's name, the target the
 * namespace's default ContentLibrary, and the VMs every member of the source group, nested groups' included, sorted.
 * A group that cannot be listed, or has no members, refuses the request (404 for one that does not exist).
 */
export function defaultGroupPublishRequest(req: any, ctx: StrategyContext): any {
  const spec = (req.spec ??= {});
  const namespace = req.metadata.namespace;
  if (!spec.source) spec.source = req.metadata.name;
  if (!spec.target) spec.target = defaultLibrary(ctx.readModel, namespace);
  if (!spec.virtualMachines?.length) {
    let vms: Set<string>;
    try {
      vms = groupMemberVms(ctx.readModel, namespace, spec.source);
    } catch (err) {
      if (err instanceof MembersError) throw webhookRefusal(err.code, err.message);
      throw err;
    }
    if (vms.size === 0) throw webhookRefusal(400, `${goQuote(spec.source)} group does not have any memebers`);
    spec.virtualMachines = [...vms].sort();
  }
  return req;
}

/**
 * VM Operator's validating webhook on create: the source group and the target library exist, and the VMs are
 * listed once each and are all members of the group. The webhook does not look further: a VM that is a member but
 * cannot be published is its VirtualMachinePublishRequest's to report.
 */
export function validateGroupPublishRequestCreate(req: any, ctx: StrategyContext): StatusCause[] {
  const spec = req.spec ?? {};
  const namespace = req.metadata.namespace;
  const causes: StatusCause[] = [];
  const exists = (field: string, resource: string, name: string | undefined) => {
    if (!name) causes.push(fieldRequired(field));
    else if (!ctx.readModel.get(resource, namespace, name)) causes.push(fieldNotFound(field, name));
  };
  exists('spec.source', VIRTUAL_MACHINE_GROUPS_RESOURCE, spec.source);
  exists('spec.target', CONTENT_LIBRARIES_RESOURCE, spec.target);
  const vms: string[] = spec.virtualMachines ?? [];
  if (vms.length === 0) return [...causes, fieldRequired('spec.virtualMachines')];
  if (new Set(vms).size !== vms.length) return [...causes, fieldDuplicate('spec.virtualMachines', '')];
  let members: Set<string>;
  try {
    members = groupMemberVms(ctx.readModel, namespace, spec.source ?? '');
  } catch (err) {
    if (!(err instanceof MembersError)) throw err;
    return [...causes, { field: 'spec.virtualMachines', reason: 'InternalError', message: `Internal error: ${err.message}` }];
  }
  if (vms.some((vm) => !members.has(vm))) causes.push(fieldInvalid('spec.virtualMachines', '', NOT_MEMBERS));
  return causes;
}

/** apimachinery's Semantic.DeepEqual: a list left out and an empty one are the same. */
const sameList = (a: string[] | undefined, b: string[] | undefined) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
const goStringSlice = (values: string[] | undefined) => (values ? `[]string{${values.map(goQuote).join(', ')}}` : '[]string(nil)');

/** The validating webhook on update: what is published, and where to, never changes. */
export function validateGroupPublishRequestUpdate(old: any, next: any): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of ['source', 'target'] as const) {
    const value = next.spec?.[field] ?? '';
    if (value !== (old.spec?.[field] ?? '')) causes.push(fieldInvalid(`spec.${field}`, value, 'field is immutable'));
  }
  if (!sameList(old.spec?.virtualMachines, next.spec?.virtualMachines)) {
    causes.push(fieldInvalid('spec.virtualMachines', goRendered(goStringSlice(next.spec?.virtualMachines)), 'field is immutable'));
  }
  return causes;
}

export const vmGroupPublishKindStrategies: Record<string, KindStrategy> = {
  'vmoperator.vmware.com/VirtualMachineGroupPublishRequest': {
    defaults: defaultGroupPublishRequest,
    validateCreate: validateGroupPublishRequestCreate,
    validateUpdate: validateGroupPublishRequestUpdate,
  },
};
