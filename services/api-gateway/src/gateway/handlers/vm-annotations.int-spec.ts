import { eventually } from '@openpacific/testing';
import { gatewayCaller } from '../gateway-call.spec-support';
import { GatewayWithPolicy, startGatewayWithPolicy } from '../gateway-with-policy.spec-support';

const NS = 'team-a';
const VMS = `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines`;
const GUESTINFO = 'vmoperator.openpacific.io/guestinfo';
const HEARTBEAT = 'vmoperator.openpacific.io/guest-heartbeat';
const EPOCH = 'infrastructure.openpacific.io/host-epoch';
const VMOP_NS = 'vmware-system-vmop';
const VMOP_SA = 'vmware-system-vmop-controller-manager';

/**
 * The control plane's VM annotations through every write path of the real gateway (policy service, Postgres, NATS):
 * a user with edit rights in the namespace is refused each forgery with a 422 naming the annotation, and nothing is
 * written; its own annotations, and a copy written back, pass; the vm-operator's service account may write them.
 */
describe("the control plane's VM annotations (api-gateway)", () => {
  let stack: GatewayWithPolicy;
  const call = gatewayCaller(() => stack.dataDir);
  const ok = async (method: string, path: string, body?: unknown, opts?: { token?: string; contentType?: string }) => {
    const r = await call(method, path, body, opts);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  };
  /** A bound token of a ServiceAccount with the `edit` role in team-a. */
  const editorToken = async (namespace: string, name: string) => {
    await ok('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
    await ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `${name}-edit` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'ServiceAccount', name, namespace }],
    });
    let token = '';
    await eventually(async () => {
      token = (await ok('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} })).status.token;
    });
    await eventually(async () => expect((await call('GET', VMS, undefined, { token })).status).toBe(200));
    return token;
  };
  const vm = (name: string, annotations: Record<string, string>) => ({
    apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name, annotations }, spec: { className: 'small', imageName: 'img' },
  });
  let developer: string;

  beforeAll(async () => {
    stack = await startGatewayWithPolicy('vmannotations', { gatewayEnv: { GATEWAY_PRECOMPILE_SCHEMAS: 'false' } });
    for (const name of [NS, VMOP_NS]) await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    developer = await editorToken(NS, 'developer');
    await ok('POST', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachineclasses`, { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineClass', metadata: { name: 'small' }, spec: { hardware: { cpus: 1, memory: '1Gi' } } });
    await ok('POST', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachineimages`, { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachineImage', metadata: { name: 'img' }, spec: {} });
    // The cluster admin (system:masters) may set them: here, a VM as its host and the scheduler left it.
    await eventually(() => ok('POST', VMS, vm('web', { [HEARTBEAT]: 'red', [GUESTINFO]: '{}', [EPOCH]: '2', 'example.com/owner': 'ops' })));
  }, 60_000);
  afterAll(() => stack?.stop(), 30_000);

  it('refuses a user each forgery, by PUT, every kind of PATCH and server-side apply, with a 422 naming the annotation, writing nothing', async () => {
    const before = await ok('GET', `${VMS}/web`);
    const refusals: Array<[string, unknown, string | undefined, string]> = [
      ['PATCH', { metadata: { annotations: { [GUESTINFO]: '{"guestinfo.ready":"true"}' } } }, 'application/merge-patch+json', `${GUESTINFO}]: Forbidden: modifying`],
      ['PATCH', [{ op: 'remove', path: `/metadata/annotations/${EPOCH.replace('/', '~1')}` }], 'application/json-patch+json', `${EPOCH}]: Forbidden: removing`],
      ['PATCH', { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name: 'web', annotations: { 'vmoperator.openpacific.io/ip': '127.64.0.9' } } }, 'application/apply-patch+yaml', 'vmoperator.openpacific.io/ip]: Forbidden: adding'],
      ['PUT', { ...before, metadata: { ...before.metadata, annotations: { ...before.metadata.annotations, 'vmoperator.openpacific.io/placement': '{}' } } }, undefined, 'vmoperator.openpacific.io/placement]: Forbidden: adding'],
    ];
    for (const [method, body, contentType, message] of refusals) {
      const query = contentType === 'application/apply-patch+yaml' ? '?fieldManager=developer' : '';
      const r = await call(method, `${VMS}/web${query}`, body, { token: developer, contentType });
      expect(r.status).toBe(422);
      expect(r.json).toMatchObject({ kind: 'Status', reason: 'Invalid', details: { name: 'web', causes: [{ reason: 'FieldValueForbidden', field: expect.stringMatching(/^metadata\.annotations\[/) }] } });
      expect(r.json.message).toContain(`metadata.annotations[${message} this annotation is restricted to privileged users`);
    }
    const created = await call('POST', VMS, vm('forged', { [GUESTINFO]: '{"guestinfo.ready":"true"}' }), { token: developer });
    expect(created.status).toBe(422);
    expect(created.json.message).toContain(`metadata.annotations[${GUESTINFO}]: Forbidden: adding this annotation is restricted to privileged users`);
    expect((await call('GET', `${VMS}/forged`)).status).toBe(404);
    expect((await ok('GET', `${VMS}/web`)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it("lets the user write its own annotations and write the VM back unchanged, and the vm-operator's account the control plane's", async () => {
    const before = await ok('GET', `${VMS}/web`);
    const replaced = await ok('PUT', `${VMS}/web`, before, { token: developer });
    expect(replaced.metadata.annotations).toEqual(before.metadata.annotations);
    const patched = await ok('PATCH', `${VMS}/web`, { metadata: { annotations: { 'example.com/owner': 'dev' } } }, { token: developer });
    expect(patched.metadata.annotations).toMatchObject({ 'example.com/owner': 'dev', [HEARTBEAT]: 'red' });

    const vmOperator = await editorToken(VMOP_NS, VMOP_SA);
    const written = await ok('PATCH', `${VMS}/web`, { metadata: { annotations: { [HEARTBEAT]: 'green', [EPOCH]: null } } }, { token: vmOperator });
    expect(written.metadata.annotations[HEARTBEAT]).toBe('green');
    expect(written.metadata.annotations[EPOCH]).toBeUndefined();
  });
});
