import { CONTENT_LIBRARIES_RESOURCE, ObjectEventTypes, objectStreamId, VIRTUAL_MACHINE_GROUPS_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { KubeApiError } from '@openpacific/kube-api';
import { ReadModel } from '@openpacific/objects';
import type { StrategyContext } from './kind-strategies';
import { defaultGroupPublishRequest, validateGroupPublishRequestCreate, validateGroupPublishRequestUpdate } from './vmgpub.strategy';

const NS = 'team-a';
const WEBHOOK = 'admission webhook "default.mutating.virtualmachinegrouppublishrequest.v1alpha5.vmoperator.vmware.com" denied the request';
const linked = (status = 'True') => [{ type: 'GroupLinked', status, reason: status === 'True' ? 'True' : 'NotFound', message: '' }];
const member = (kind: string, name: string, status = 'True') => ({ kind, name, conditions: linked(status) });
const group = (name: string, members: any[]) => ({ resource: VIRTUAL_MACHINE_GROUPS_RESOURCE, object: { metadata: { name, namespace: NS }, spec: {}, status: { members } } });
const library = (name: string, isDefault: boolean) => ({
  resource: CONTENT_LIBRARIES_RESOURCE,
  object: { metadata: { name, namespace: NS, ...(isDefault ? { labels: { 'imageregistry.vmware.com/default': '' } } : {}) }, spec: { uuid: name, writable: true } },
});

let position = 0n;
/** A read model holding the given objects, as the gateway's would after following the log. */
function contextWith(...objects: Array<{ resource: string; object: any }>): StrategyContext {
  const readModel = new ReadModel();
  for (const { resource, object } of objects) {
    position += 1n;
    readModel.apply({
      id: `e${position}`, streamId: objectStreamId(resource, NS, object.metadata.name), streamVersion: 1,
      type: ObjectEventTypes.created, data: { resource, object }, metadata: { actor: 'admin', source: 'test' },
      position, transactionId: 100n, createdAt: new Date(),
    } as RecordedEvent);
  }
  return { readModel, serviceCIDR: '10.96.0.0/16' };
}

const request = (name: string, spec: any = {}) => ({ apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineGroupPublishRequest', metadata: { name, namespace: NS }, spec });
/** What the gateway does on create: the defaulting webhook, then the validating one. */
function create(req: any, ctx: StrategyContext) {
  const out = defaultGroupPublishRequest(req, ctx);
  return { spec: out.spec, causes: validateGroupPublishRequestCreate(out, ctx) };
}
function refusal(fn: () => unknown): KubeApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KubeApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

const world = () => contextWith(
  group('app', [member('VirtualMachine', 'web-1'), member('VirtualMachineGroup', 'db'), member('VirtualMachine', 'late', 'False')]),
  group('db', [member('VirtualMachine', 'db-1')]),
  library('team-lib', true),
  library('other-lib', false),
);

describe('VirtualMachineGroupPublishRequest admission', () => {
  it('fills a request with only a name: its group, the default library, and every linked VM, nested groups included, sorted', () => {
    const { spec, causes } = create(request('app'), world());
    expect(spec).toEqual({ source: 'app', target: 'team-lib', virtualMachines: ['db-1', 'web-1'] });
    expect(causes).toEqual([]);
  });

  it('keeps what the request names', () => {
    const { spec, causes } = create(request('pub', { source: 'app', target: 'other-lib', virtualMachines: ['web-1'] }), world());
    expect(spec).toEqual({ source: 'app', target: 'other-lib', virtualMachines: ['web-1'] });
    expect(causes).toEqual([]);
  });

  it('refuses with 404 a group that does not exist, when it has to list its VMs', () => {
    const err = refusal(() => create(request('nope'), world()));
    expect(err.status).toMatchObject({ code: 404, message: `${WEBHOOK}: virtualmachinegroups.vmoperator.vmware.com "nope" not found` });
  });

  it('refuses with 404 a namespace without a default library, and with 400 one with two', () => {
    expect(refusal(() => create(request('app'), contextWith(group('app', [member('VirtualMachine', 'web-1')])))).status).toMatchObject({
      code: 404, message: `${WEBHOOK}: cannot find a default content library with the "imageregistry.vmware.com/default" label`,
    });
    const two = contextWith(group('app', [member('VirtualMachine', 'web-1')]), library('a', true), library('b', true));
    expect(refusal(() => create(request('app'), two)).status).toMatchObject({ code: 400, message: `${WEBHOOK}: more than one default ContentLibrary found: a, b` });
  });

  it('refuses with 400 a group without linked members, and groups that nest in a loop or share a VM', () => {
    const empty = contextWith(group('app', [member('VirtualMachine', 'web-1', 'False')]), library('lib', true));
    expect(refusal(() => create(request('app'), empty)).status).toMatchObject({ code: 400, message: `${WEBHOOK}: "app" group does not have any memebers` });
    const loop = contextWith(group('a', [member('VirtualMachineGroup', 'b')]), group('b', [member('VirtualMachineGroup', 'a')]), library('lib', true));
    expect(refusal(() => create(request('a'), loop)).status).toMatchObject({ code: 400, message: `${WEBHOOK}: a loop is detected among groups: "a" visisted` });
    const shared = contextWith(group('a', [member('VirtualMachine', 'x'), member('VirtualMachineGroup', 'b')]), group('b', [member('VirtualMachine', 'x')]), library('lib', true));
    expect(refusal(() => create(request('a'), shared)).status).toMatchObject({ code: 400, message: `${WEBHOOK}: duplicate member(s) found in the group: ["x"]` });
  });

  it('refuses a VM that is not a member of the group, a VM listed twice, and a source or target that does not exist, naming the field', () => {
    expect(create(request('pub', { source: 'app', virtualMachines: ['web-1', 'outsider'] }), world()).causes).toEqual([
      { field: 'spec.virtualMachines', reason: 'FieldValueInvalid', message: 'Invalid value: "": virtual machines must be a direct or indirect member of the source group' },
    ]);
    expect(create(request('pub', { source: 'app', virtualMachines: ['web-1', 'web-1'] }), world()).causes).toEqual([
      { field: 'spec.virtualMachines', reason: 'FieldValueDuplicate', message: 'Duplicate value: ""' },
    ]);
    expect(create(request('pub', { source: 'gone', target: 'no-lib', virtualMachines: ['web-1'] }), world()).causes).toEqual([
      { field: 'spec.source', reason: 'FieldValueNotFound', message: 'Not found: "gone"' },
      { field: 'spec.target', reason: 'FieldValueNotFound', message: 'Not found: "no-lib"' },
      { field: 'spec.virtualMachines', reason: 'InternalError', message: 'Internal error: virtualmachinegroups.vmoperator.vmware.com "gone" not found' },
    ]);
  });

  it('keeps source, target and the VMs immutable, and lets the TTL change', () => {
    const old = request('pub', { source: 'app', target: 'team-lib', virtualMachines: ['db-1', 'web-1'] });
    expect(validateGroupPublishRequestUpdate(old, request('pub', { ...old.spec, ttlSecondsAfterFinished: 60 }))).toEqual([]);
    expect(validateGroupPublishRequestUpdate(old, request('pub', { source: 'db', target: 'other-lib', virtualMachines: ['web-1'] }))).toEqual([
      { field: 'spec.source', reason: 'FieldValueInvalid', message: 'Invalid value: "db": field is immutable' },
      { field: 'spec.target', reason: 'FieldValueInvalid', message: 'Invalid value: "other-lib": field is immutable' },
      { field: 'spec.virtualMachines', reason: 'FieldValueInvalid', message: 'Invalid value: []string{"web-1"}: field is immutable' },
    ]);
  });
});
