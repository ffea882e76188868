import { startCluster, TestCluster } from '@openpacific/testing';

/** core/v1 PodTemplates through the real kubectl: the template defaulted as a pod's, kubectl's columns, a bad template refused. */
describe('PodTemplates', () => {
  let cluster: TestCluster;
  const template = (name: string, spec: object) => JSON.stringify({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { name }, template: { metadata: { labels: { app: name } }, spec } });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'podtemplates', hostCount: 0 });
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('stores a template defaulted as a pod, lists it with kubectl columns and refuses one without containers', async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: template('batch', { restartPolicy: 'OnFailure', containers: [{ name: 'work', image: 'busybox' }] }) })).stdout.trim()).toBe('podtemplate/batch created');
    const stored = JSON.parse((await cluster.kubectl(['get', 'podtemplate', 'batch', '-o', 'json'])).stdout);
    expect(stored.template.spec).toMatchObject({ restartPolicy: 'OnFailure', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 });
    expect(stored.template.spec.containers[0]).toMatchObject({ imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log' });
    const list = await cluster.kubectl(['get', 'podtemplates']);
    expect(list.stdout).toMatch(/^NAME\s+CONTAINERS\s+IMAGES\s+POD LABELS\n/);
    expect(list.stdout).toMatch(/\nbatch\s+work\s+busybox\s+app=batch\n/);

    const bad = await cluster.kubectl(['apply', '-f', '-'], { input: template('empty', { containers: [] }) });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('The PodTemplate "empty" is invalid: template.spec.containers: Required value');
    expect((await cluster.kubectl(['get', 'podtemplate', 'empty'])).stderr).toContain('podtemplates "empty" not found');
  }, 60_000);
});
