import { eventually, TestCluster } from '@openpacific/testing';
import { startWithGuestCluster, TKC_NAMESPACE } from './support/guest-cluster';
import { kubectlApply, kubectlJson } from './support/kubectl-json';

const NS = TKC_NAMESPACE;
const CAPV = 'vmware.infrastructure.cluster.x-k8s.io/v1beta1';

/**
 * A TanzuKubernetesCluster's Cluster API objects refer to their infrastructure as Cluster API and CAPV do: the control
 * plane and each pool to a VSphereMachineTemplate, each Machine to the VSphereMachine of its name, cloned from that
 * template. A new VM class is a new template, and the machines roll onto it.
 */
describe('the VSphereMachineTemplates and VSphereMachines of a guest cluster', () => {
  let cluster: TestCluster;
  const machines = async () => (await kubectlJson(cluster, ['get', 'machines', '-n', NS])).items;
  const workers = async () => (await machines()).filter((m: any) => m.metadata.labels?.['cluster.x-k8s.io/deployment-name'] === 'tkc-1-workers');
  const templateOfPool = async () => (await kubectlJson(cluster, ['get', 'md', 'tkc-1-workers', '-n', NS])).spec.template.spec.infrastructureRef.name;

  beforeAll(async () => {
    ({ cluster } = await startWithGuestCluster('guesttemplates'));
  }, 240_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refers the control plane and the pool to VSphereMachineTemplates, and each Machine to its VSphereMachine cloned from one', async () => {
    const kcp = await kubectlJson(cluster, ['get', 'kcp', 'tkc-1-control-plane', '-n', NS]);
    const cpTemplate = kcp.spec.machineTemplate.infrastructureRef;
    expect(cpTemplate).toEqual({ apiVersion: CAPV, kind: 'VSphereMachineTemplate', name: expect.stringMatching(/^tkc-1-control-plane-[a-z0-9]{5}$/), namespace: NS });
    const poolTemplate = await templateOfPool();
    expect(poolTemplate).toMatch(/^tkc-1-workers-[a-z0-9]{5}$/);
    const listed = await cluster.kubectl(['get', 'vspheremachinetemplates', '-n', NS, '-o', 'name']);
    expect(listed.stderr).toBe('');
    expect(listed.stdout.trim().split('\n').sort()).toEqual([`vspheremachinetemplate.vmware.infrastructure.cluster.x-k8s.io/${cpTemplate.name}`, `vspheremachinetemplate.vmware.infrastructure.cluster.x-k8s.io/${poolTemplate}`].sort());
    const template = await kubectlJson(cluster, ['get', 'vspheremachinetemplate', poolTemplate, '-n', NS]);
    expect(template.spec.template.spec).toMatchObject({ className: 'best-effort-small', imageName: 'ob-22-tkr-v1-29', storageClass: 'vsan-default-storage-policy' });
    expect(template.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'TanzuKubernetesCluster', name: 'tkc-1' })]);

    const all = await machines();
    expect(all).toHaveLength(3);
    for (const m of all) {
      expect(m.spec.infrastructureRef).toEqual({ apiVersion: CAPV, kind: 'VSphereMachine', name: m.metadata.name, namespace: NS });
      const vsm = await kubectlJson(cluster, ['get', 'vspheremachine', m.metadata.name, '-n', NS]);
      const controlPlane = m.metadata.labels['cluster.x-k8s.io/control-plane'] !== undefined;
      expect(vsm.metadata.annotations).toMatchObject({
        'cluster.x-k8s.io/cloned-from-name': controlPlane ? cpTemplate.name : poolTemplate,
        'cluster.x-k8s.io/cloned-from-groupkind': 'VSphereMachineTemplate.vmware.infrastructure.cluster.x-k8s.io',
      });
      expect(vsm.spec).toMatchObject({ className: 'best-effort-small', imageName: 'ob-22-tkr-v1-29' });
    }
  });

  it('annotates and patches a Machine without warnings about unknown fields', async () => {
    const [m] = await workers();
    const annotated = await cluster.kubectl(['annotate', 'machine', m.metadata.name, '-n', NS, 'example.com/owner=e2e']);
    expect(annotated.stderr).toBe('');
    expect(annotated.stdout.trim()).toBe(`machine.cluster.x-k8s.io/${m.metadata.name} annotated`);
    const patched = await cluster.kubectl(['patch', 'machine', m.metadata.name, '-n', NS, '--type=merge', '-p', JSON.stringify({ metadata: { labels: { 'example.com/tier': 'e2e' } } })]);
    expect(patched.stderr).toBe('');
    expect(patched.stdout.trim()).toBe(`machine.cluster.x-k8s.io/${m.metadata.name} patched`);
    const yaml = await cluster.kubectl(['get', 'machine', m.metadata.name, '-n', NS, '-o', 'yaml']);
    expect(yaml.stdout).not.toContain('className');
  });

  it('rolls the pool onto a new template when its VM class changes, and deletes the old template once no MachineSet refers to it', async () => {
    await kubectlApply(cluster, { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineClass', metadata: { name: 'best-effort-medium', namespace: NS }, spec: { hardware: { cpus: 1, memory: '1Gi' } } });
    const before = await templateOfPool();
    const patched = await cluster.kubectl(['patch', 'tkc', 'tkc-1', '-n', NS, '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/topology/nodePools/0/vmClass', value: 'best-effort-medium' }])]);
    expect(patched.stderr).toBe('');
    const after = await eventually(async () => {
      const name = await templateOfPool();
      expect(name).not.toBe(before);
      expect(name).toMatch(/^tkc-1-workers-[a-z0-9]{5}$/);
      return name;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect((await kubectlJson(cluster, ['get', 'vspheremachinetemplate', after, '-n', NS])).spec.template.spec.className).toBe('best-effort-medium');

    // Rolled: two workers again, both cloned from the new template, their VMs of the new class; the old template gone.
    await eventually(async () => {
      const now = (await workers()).filter((m: any) => !m.metadata.deletionTimestamp);
      expect(now).toHaveLength(2);
      for (const m of now) {
        expect(m.status?.phase).toBe('Running');
        const vsm = await kubectlJson(cluster, ['get', 'vspheremachine', m.metadata.name, '-n', NS]);
        expect(vsm.metadata.annotations['cluster.x-k8s.io/cloned-from-name']).toBe(after);
        const vm = await kubectlJson(cluster, ['get', 'virtualmachine', m.metadata.name, '-n', NS]);
        expect(vm.spec.className).toBe('best-effort-medium');
      }
      const sets = (await kubectlJson(cluster, ['get', 'machinesets', '-n', NS, '-l', 'cluster.x-k8s.io/deployment-name=tkc-1-workers'])).items;
      expect(sets.map((s: any) => s.spec.template.spec.infrastructureRef.name)).toEqual([after]);
      const old = await cluster.kubectl(['get', 'vspheremachinetemplate', before, '-n', NS]);
      expect(old.stderr).toContain(`vspheremachinetemplates.vmware.infrastructure.cluster.x-k8s.io "${before}" not found`);
    }, { timeoutMs: 240_000, intervalMs: 1000 });
    // The control plane kept its template: it was not rolled.
    const cp = (await machines()).filter((m: any) => m.metadata.labels['cluster.x-k8s.io/control-plane'] !== undefined);
    expect(cp).toHaveLength(1);
  }, 300_000);
});
