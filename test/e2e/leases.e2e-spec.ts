import { startCluster, TestCluster } from '@openpacific/testing';
import { kubectlJson } from './support/kubectl-json';

/**
 * coordination.k8s.io/v1 Leases through the real kubectl, as a workload's leader election uses them: created from a
 * manifest, listed with kube-apiserver's HOLDER column, MicroTimes kept to the microsecond, kube-apiserver's 422 on a
 * bad leaseDurationSeconds (nothing written), and 409 Conflict on an update at a stale resourceVersion (client-go's
 * leaselock precondition); no Leases through the `edit` role, as in Kubernetes; the gateway's own identity Lease in
 * kube-system.
 */
const manifest = (name: string, spec: Record<string, unknown>) => `apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: ${name}
spec:
${Object.entries(spec).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n')}
`;

describe('Leases', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, input === undefined ? undefined : { input });
  const json = (args: string[]) => kubectlJson(cluster, args);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'leases', hostCount: 0 });
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('creates a Lease from a manifest and lists it with its holder, keeping MicroTimes to the microsecond', async () => {
    const created = await kubectl(['apply', '-f', '-'], manifest('my-controller', {
      holderIdentity: 'pod-a_1b2c', leaseDurationSeconds: 15, acquireTime: '2026-12-04T03:30:00.123456Z', renewTime: '2026-12-04T05:30:10+02:00', leaseTransitions: 0,
    }));
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('lease.coordination.k8s.io/my-controller created\n');
    const table = await kubectl(['get', 'leases']);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+HOLDER\s+AGE$/);
    expect(lines[1]).toMatch(/^my-controller\s+pod-a_1b2c\s+\d+s$/);
    const explained = await kubectl(['explain', 'lease.spec', '--recursive']);
    expect(explained.stdout).toMatch(/^\s+renewTime\s+<string>$/m);
    const lease = await json(['get', 'lease', 'my-controller']);
    expect(lease.spec).toEqual({
      holderIdentity: 'pod-a_1b2c', leaseDurationSeconds: 15, acquireTime: '2026-12-04T03:30:00.123456Z', renewTime: '2026-12-04T03:30:10.000000Z', leaseTransitions: 0,
    });
  });

  it('refuses a leaseDurationSeconds that is not positive with a 422 naming the field, and writes nothing', async () => {
    const r = await kubectl(['create', '-f', '-'], manifest('bad-duration', { holderIdentity: 'x', leaseDurationSeconds: 0 }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Lease "bad-duration" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0');
    const raw = await cluster.request('POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', {
      body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'bad-preferred' }, spec: { preferredHolder: 'b' } },
    });
    expect(raw.status).toBe(422);
    expect(raw.json().details.causes).toEqual([{ field: 'spec.preferredHolder', reason: 'FieldValueForbidden', message: 'Forbidden: may only be specified if `strategy` is defined' }]);
    for (const name of ['bad-duration', 'bad-preferred']) expect((await kubectl(['get', 'lease', name])).stderr).toContain(`leases.coordination.k8s.io "${name}" not found`);
  });

  it('takes an update at the current resourceVersion and refuses one at a stale resourceVersion with 409 Conflict', async () => {
    await kubectl(['apply', '-f', '-'], manifest('election', { holderIdentity: 'pod-a', leaseDurationSeconds: 15, renewTime: '2026-12-04T03:30:00.000000Z' }));
    const seen = await json(['get', 'lease', 'election']);
    const renewed = structuredClone(seen);
    renewed.spec.renewTime = '2026-12-04T03:30:02.000000Z';
    const first = await kubectl(['replace', '-f', '-'], JSON.stringify(renewed));
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('lease.coordination.k8s.io/election replaced\n');
    // A second candidate acting on what it read before the renewal: its take-over must not win.
    const takeover = structuredClone(seen);
    takeover.spec = { ...takeover.spec, holderIdentity: 'pod-b', leaseTransitions: 1 };
    const stale = await kubectl(['replace', '-f', '-'], JSON.stringify(takeover));
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain('Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on leases.coordination.k8s.io "election": the object has been modified; please apply your changes to the latest version and try again');
    expect((await json(['get', 'lease', 'election'])).spec).toMatchObject({ holderIdentity: 'pod-a', renewTime: '2026-12-04T03:30:02.000000Z' });
  });

  it('grants no Leases through edit, as Kubernetes does: a workload\'s own Role does', async () => {
    const rbac = `apiVersion: v1
kind: Namespace
metadata: {name: team-l}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: developer-edit, namespace: team-l}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: developer, apiGroup: rbac.authorization.k8s.io}]
`;
    expect((await kubectl(['apply', '-f', '-'], rbac)).code).toBe(0);
    const asDeveloper = ['-n', 'team-l', '--context', 'developer@openpacific'];
    const lease = manifest('elector', { holderIdentity: 'pod-a', leaseDurationSeconds: 15 });
    const refused = await kubectl(['create', '-f', '-', ...asDeveloper], lease);
    expect(refused.stderr).toContain('leases.coordination.k8s.io is forbidden: User "developer" cannot create resource "leases" in API group "coordination.k8s.io" in the namespace "team-l"');
    const role = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: leader-election, namespace: team-l}
rules: [{apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, create, update]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: developer-leader-election, namespace: team-l}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: leader-election}
subjects: [{kind: User, name: developer, apiGroup: rbac.authorization.k8s.io}]
`;
    expect((await kubectl(['apply', '-f', '-'], role)).code).toBe(0);
    const created = await kubectl(['create', '-f', '-', ...asDeveloper], lease);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('lease.coordination.k8s.io/elector created\n');
  });

  it('shows the gateway\'s identity Lease in kube-system, held by the gateway, saying where it serves', async () => {
    const leases = (await json(['get', 'leases', '-n', 'kube-system', '-l', 'apiserver.kubernetes.io/identity=kube-apiserver'])).items;
    expect(leases).toHaveLength(1);
    const [lease] = leases;
    expect(lease.metadata.name).toMatch(/^apiserver-[a-z2-7]{26}$/);
    expect(lease.spec.holderIdentity).toMatch(new RegExp(`^${lease.metadata.name}_[0-9a-f-]{36}$`));
    expect(lease.spec.leaseDurationSeconds).toBe(30);
    expect(lease.spec.renewTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(lease.metadata.annotations['alpha.apiserver.kubernetes.io/peer-endpoint']).toBe(`127.0.0.1:${new URL(cluster.server).port}`);
    const table = await kubectl(['get', 'leases', '-n', 'kube-system']);
    expect(table.stdout).toMatch(new RegExp(`\\n${lease.metadata.name}\\s+${lease.spec.holderIdentity}\\s+\\d+s`));
  });
});
