import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { Client } from 'pg';

/** batch/v1 Jobs and CronJobs through the real kubectl: run to completion, parallel completions, failure by backoff and deadline, suspend, TTL, schedules, cleanup. */
const job = (name: string, spec: Record<string, unknown>, command: string[], restartPolicy = 'Never') =>
  JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { ...spec, template: { spec: { restartPolicy, terminationGracePeriodSeconds: 1, containers: [{ name: 'work', image: 'busybox', command }] } } },
  });

describe('Jobs', () => {
  let cluster: TestCluster;
  const getJson = async (...args: string[]) => JSON.parse((await cluster.kubectl(['get', ...args, '-o', 'json'])).stdout);
  const podsOf = async (name: string): Promise<any[]> => (await getJson('pods', '-l', `batch.kubernetes.io/job-name=${name}`)).items;
  const apply = async (manifest: string) => {
    const r = await cluster.kubectl(['apply', '-f', '-'], { input: manifest });
    if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
  };
  const waitFor = async (condition: string, name: string) => {
    const r = await cluster.kubectl(['wait', `--for=condition=${condition}`, `job/${name}`, '--timeout=90s'], { timeoutMs: 100_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`job.batch/${name} condition met`);
  };

  beforeAll(async () => {
    // A short pod-failure back-off, so failing pods are replaced within the test's time; a CronJob's first run 10 s
    // after its controller first waits for it (its clock moved ahead) rather than at the next whole minute.
    cluster = await startCluster({ label: 'jobs', env: { JOB_POD_FAILURE_BACKOFF_MS: '200', CRONJOB_TEST_CLOCK_LEAD_MS: '10000' } });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('runs kubectl create job to completion: wait, logs, the table and the status', async () => {
    const created = await cluster.kubectl(['create', 'job', 'hello', '--image=busybox', '--', 'sh', '-c', 'echo hello from a job']);
    expect(created.stdout.trim()).toBe('job.batch/hello created');
    await waitFor('complete', 'hello');
    expect((await cluster.kubectl(['logs', 'job/hello'])).stdout).toBe('hello from a job\n');
    expect((await cluster.kubectl(['get', 'job', 'hello', '--no-headers'])).stdout).toMatch(/^hello\s+Complete\s+1\/1\s+\d+s\s+\d+s\n$/);
    const j = await getJson('job', 'hello');
    expect(j.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': j.metadata.uid } } });
    expect(j.status).toMatchObject({ succeeded: 1, ready: 0 });
    expect(j.status.active).toBeUndefined();
    expect(Date.parse(j.status.completionTime)).toBeGreaterThanOrEqual(Date.parse(j.status.startTime));
    expect(j.status.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(['SuccessCriteriaMet=True', 'Complete=True']);
    const [pod] = await podsOf('hello');
    expect(pod.status.phase).toBe('Succeeded');
    expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: 'batch/v1', kind: 'Job', name: 'hello', controller: true })]);
  }, 150_000);

  it('runs completions in parallel, never more pods at once than parallelism', async () => {
    await apply(job('batch', { completions: 4, parallelism: 2 }, ['sh', '-c', 'sleep 1']));
    let most = 0;
    await eventually(async () => {
      const pods = await podsOf('batch');
      most = Math.max(most, pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length);
      expect(pods.filter((p) => p.status?.phase === 'Succeeded')).toHaveLength(4);
    }, { timeoutMs: 90_000, intervalMs: 200 });
    expect(most).toBeLessThanOrEqual(2);
    await waitFor('complete', 'batch');
    expect((await cluster.kubectl(['get', 'job', 'batch', '--no-headers'])).stdout).toMatch(/^batch\s+Complete\s+4\/4\s/);
  }, 150_000);

  it('keeps the tracking finalizer on its pods until counted, so deleting finished pods leaves status.succeeded as it was', async () => {
    await apply(job('tracked', { completions: 2, parallelism: 2 }, ['sh', '-c', 'sleep 3']));
    await eventually(async () => {
      const pods = await podsOf('tracked');
      expect(pods).toHaveLength(2);
      for (const p of pods) expect(p.metadata.finalizers).toEqual(['batch.kubernetes.io/job-tracking']);
    }, { timeoutMs: 30_000, intervalMs: 200 });
    await waitFor('complete', 'tracked');
    const done = await getJson('job', 'tracked');
    expect(done.status).toMatchObject({ succeeded: 2, uncountedTerminatedPods: {} });
    const pods = await podsOf('tracked');
    expect(pods.map((p) => p.metadata.finalizers ?? [])).toEqual([[], []]);
    const deleted = await cluster.kubectl(['delete', 'pods', '-l', 'batch.kubernetes.io/job-name=tracked', '--timeout=60s'], { timeoutMs: 70_000 });
    expect(deleted.code).toBe(0);
    expect(await podsOf('tracked')).toEqual([]);
    const after = await getJson('job', 'tracked');
    expect(after.status).toMatchObject({ succeeded: 2 });
    expect(after.status.failed).toBeUndefined();
    expect((await cluster.kubectl(['get', 'job', 'tracked', '--no-headers'])).stdout).toMatch(/^tracked\s+Complete\s+2\/2\s/);
  }, 150_000);

  it('counts a running pod deleted by kubectl as failed once, and starts another in its place', async () => {
    await apply(job('victim', { backoffLimit: 3 }, ['sleep', '300']));
    let first: any;
    await eventually(async () => {
      [first] = await podsOf('victim');
      expect(first?.status?.phase).toBe('Running');
    }, { timeoutMs: 60_000, intervalMs: 250 });
    expect((await cluster.kubectl(['delete', 'pod', first.metadata.name, '--timeout=60s'], { timeoutMs: 70_000 })).code).toBe(0);
    await eventually(async () => {
      const pods = await podsOf('victim');
      expect(pods.map((p) => p.metadata.name)).not.toContain(first.metadata.name);
      expect(pods).toHaveLength(1);
      expect((await getJson('job', 'victim')).status).toMatchObject({ failed: 1, active: 1 });
    }, { timeoutMs: 60_000, intervalMs: 250 });
    // Counted once: its uid left uncountedTerminatedPods for the counter, and a later pass adds nothing.
    await new Promise((r) => setTimeout(r, 2000));
    const j = await getJson('job', 'victim');
    expect(j.status.failed).toBe(1);
    expect(j.status.uncountedTerminatedPods).toEqual({});
    expect((await cluster.kubectl(['delete', 'job', 'victim', '--timeout=60s'], { timeoutMs: 70_000 })).code).toBe(0);
    await eventually(async () => expect(await podsOf('victim')).toEqual([]), { timeoutMs: 60_000 });
  }, 150_000);

  it('releases a pod relabelled out of its selector (reference and tracking finalizer gone), and another Job whose selector matches adopts it unrestarted', async () => {
    // Jobs with a selector of their own (manualSelector), as kubectl would send them.
    const selected = (name: string, app: string) => {
      const manifest = JSON.parse(job(name, { manualSelector: true, selector: { matchLabels: { app } } }, ['sleep', '300']));
      manifest.spec.template.metadata = { labels: { app } };
      return JSON.stringify(manifest);
    };
    const podsLabelled = async (app: string) => (await getJson('pods', '-l', `app=${app}`)).items.filter((p: any) => !p.metadata.deletionTimestamp);
    await apply(selected('giver', 'giver'));
    let taken: any;
    await eventually(async () => {
      [taken] = await podsLabelled('giver');
      expect(taken?.status?.phase).toBe('Running');
    }, { timeoutMs: 60_000, intervalMs: 250 });
    expect((await cluster.kubectl(['label', 'pod', taken.metadata.name, 'app=taker', '--overwrite'])).code).toBe(0);
    await eventually(async () => {
      const released = await getJson('pod', taken.metadata.name);
      expect(released.metadata.ownerReferences).toBeUndefined();
      expect(released.metadata.finalizers).toBeUndefined();
      // The giver replaces the pod it let go.
      const replacements = await podsLabelled('giver');
      expect(replacements.map((p: any) => p.metadata.name)).not.toContain(taken.metadata.name);
      expect(replacements).toHaveLength(1);
    }, { timeoutMs: 60_000, intervalMs: 250 });
    await apply(selected('taker', 'taker'));
    const taker = await getJson('job', 'taker');
    await eventually(async () => {
      const adopted = await getJson('pod', taken.metadata.name);
      expect(adopted.metadata.uid).toBe(taken.metadata.uid);
      expect(adopted.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'taker', uid: taker.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      expect(adopted.metadata.finalizers).toEqual(['batch.kubernetes.io/job-tracking']);
      expect(adopted.status.phase).toBe('Running');
      // It fills the taker's parallelism of one: the taker makes no pod of its own.
      expect((await podsLabelled('taker')).map((p: any) => p.metadata.name)).toEqual([taken.metadata.name]);
      expect((await getJson('job', 'taker')).status).toMatchObject({ active: 1 });
    }, { timeoutMs: 60_000, intervalMs: 250 });
    for (const name of ['giver', 'taker']) expect((await cluster.kubectl(['delete', 'job', name, '--timeout=60s'], { timeoutMs: 70_000 })).code).toBe(0);
    await eventually(async () => expect(await podsLabelled('taker')).toEqual([]), { timeoutMs: 60_000 });
  }, 150_000);

  it('leaves a Job managed by another controller alone, and refuses a bad or changed spec.managedBy (422), writing nothing', async () => {
    await apply(job('elsewhere', { managedBy: 'example.com/other' }, ['true']));
    const other = await getJson('job', 'elsewhere');
    expect(other.spec.managedBy).toBe('example.com/other');
    // Our controller's passes run every few seconds and at every change: none of them touches this Job.
    await new Promise((r) => setTimeout(r, 6000));
    expect(await podsOf('elsewhere')).toEqual([]);
    expect((await getJson('job', 'elsewhere')).status ?? {}).toEqual({});
    const bad = await cluster.kubectl(['apply', '-f', '-'], { input: job('bad-managed', { managedBy: 'other' }, ['true']) });
    expect(bad.stderr).toContain('The Job "bad-managed" is invalid: spec.managedBy: Invalid value: "other": must be a domain-prefixed path (such as "acme.io/foo")');
    const long = await cluster.kubectl(['apply', '-f', '-'], { input: job('long-managed', { managedBy: `example.com/${'x'.repeat(60)}` }, ['true']) });
    expect(long.stderr).toContain('spec.managedBy: Too long: may not be more than 63 bytes');
    expect((await cluster.kubectl(['get', 'jobs', 'bad-managed', 'long-managed'])).stderr).toContain('jobs.batch "bad-managed" not found');
    const changed = await cluster.kubectl(['patch', 'job', 'elsewhere', '--type=merge', '-p', '{"spec":{"managedBy":"example.com/again"}}']);
    expect(changed.stderr).toContain('spec.managedBy: Invalid value: "example.com/again": field is immutable');
    expect((await getJson('job', 'elsewhere')).spec.managedBy).toBe('example.com/other');
    expect((await cluster.kubectl(['delete', 'job', 'elsewhere'])).code).toBe(0);
  }, 60_000);

  it('gives each pod of an Indexed Job its completion index, and completes when every index has', async () => {
    await apply(job('indexed', { completionMode: 'Indexed', completions: 3, parallelism: 3 }, ['sh', '-c', 'echo "index $JOB_COMPLETION_INDEX on $(hostname)"']));
    await waitFor('complete', 'indexed');
    const j = await getJson('job', 'indexed');
    expect(j.status).toMatchObject({ succeeded: 3, completedIndexes: '0-2' });
    const pods = await podsOf('indexed');
    expect(pods.map((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index']).sort()).toEqual(['0', '1', '2']);
    for (const p of pods) {
      const index = p.metadata.labels['batch.kubernetes.io/job-completion-index'];
      expect(p.metadata.name).toMatch(new RegExp(`^indexed-${index}-[a-z0-9]{5}$`));
      expect((await cluster.kubectl(['logs', p.metadata.name])).stdout).toBe(`index ${index} on indexed-${index}\n`);
    }
    const missing = await cluster.kubectl(['apply', '-f', '-'], { input: job('no-completions', { completionMode: 'Indexed', parallelism: 2 }, ['true']) });
    expect(missing.stderr).toContain('spec.completions: Required value: when completion mode is Indexed');
  }, 150_000);

  it('fails a Job whose pods keep failing past backoffLimit, and one past its active deadline', async () => {
    await apply(job('flaky', { backoffLimit: 1 }, ['sh', '-c', 'exit 3']));
    await waitFor('failed', 'flaky');
    const flaky = await getJson('job', 'flaky');
    expect(flaky.status.failed).toBe(2);
    expect(flaky.status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect((await cluster.kubectl(['get', 'job', 'flaky', '--no-headers'])).stdout).toMatch(/^flaky\s+Failed\s+0\/1\s/);
    const events = (await cluster.kubectl(['describe', 'job', 'flaky'])).stdout;
    expect(events).toMatch(/Warning\s+BackoffLimitExceeded\s+\S+\s+job-controller\s+Job has reached the specified backoff limit/);

    await apply(job('slow', { activeDeadlineSeconds: 2 }, ['sleep', '3600']));
    await waitFor('failed', 'slow');
    expect((await getJson('job', 'slow')).status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    // Its running pod is stopped.
    await eventually(async () => expect((await podsOf('slow')).filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running')).toHaveLength(0), { timeoutMs: 60_000 });
  }, 200_000);

  it('fails a Job at once on a podFailurePolicy FailJob exit code, stopping its other pods', async () => {
    const byIndex = ['sh', '-c', 'if [ "$JOB_COMPLETION_INDEX" = 0 ]; then sleep 1; exit 42; fi; sleep 3600'];
    const rules = [{ action: 'FailJob', onExitCodes: { containerName: 'work', operator: 'In', values: [42] } }];
    await apply(job('exit42', { completionMode: 'Indexed', completions: 2, parallelism: 2, podFailurePolicy: { rules } }, byIndex));
    await waitFor('failed', 'exit42');
    const j = await getJson('job', 'exit42');
    expect(j.spec.podReplacementPolicy).toBe('Failed');
    const pods = await podsOf('exit42');
    const failed = pods.find((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index'] === '0');
    const message = `Container work for pod default/${failed.metadata.name} failed with exit code 42 matching FailJob rule at index 0`;
    expect(j.status.conditions.map((c: any) => `${c.type}=${c.status} ${c.reason}: ${c.message}`)).toEqual([`FailureTarget=True PodFailurePolicy: ${message}`, `Failed=True PodFailurePolicy: ${message}`]);
    // The pod stopped for the Job's failure may still be counted as failed while it is being deleted.
    expect(j.status.failed).toBeGreaterThanOrEqual(1);
    // The other index's pod was stopped before the Job became Failed, and nothing replaced the failed one.
    expect(pods.filter((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index'] === '0')).toHaveLength(1);
    expect(pods.filter((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded' && !p.metadata.deletionTimestamp)).toHaveLength(0);
    expect((await cluster.kubectl(['describe', 'job', 'exit42'])).stdout).toMatch(new RegExp(`Warning\\s+PodFailurePolicy\\s+\\S+\\s+job-controller\\s+${message.replace(/\//g, '\\/')}`));
  }, 150_000);

  it('keeps a Job alive while its failures match an Ignore rule, replacing each failed pod after a back-off', async () => {
    const rules = [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [7] } }];
    await apply(job('ignored', { backoffLimit: 0, podFailurePolicy: { rules } }, ['sh', '-c', 'exit 7']));
    await eventually(async () => expect((await podsOf('ignored')).filter((p) => p.status?.phase === 'Failed').length).toBeGreaterThanOrEqual(3), { timeoutMs: 90_000, intervalMs: 500 });
    const j = await getJson('job', 'ignored');
    // backoffLimit 0 would have failed it at the first counted failure.
    expect(j.status.failed).toBeUndefined();
    expect((j.status.conditions ?? []).map((c: any) => c.type)).not.toContain('Failed');
    expect((await cluster.kubectl(['get', 'job', 'ignored', '--no-headers'])).stdout).toMatch(/^ignored\s+Running\s+0\/1\s/);
    expect((await cluster.kubectl(['delete', 'job', 'ignored'])).code).toBe(0);
  }, 150_000);

  it('fails one index of an Indexed Job past backoffLimitPerIndex, finishes the others and then fails with FailedIndexes', async () => {
    await apply(job('per-index', { completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 1 }, ['sh', '-c', 'if [ "$JOB_COMPLETION_INDEX" = 1 ]; then exit 3; fi']));
    await waitFor('failed', 'per-index');
    const j = await getJson('job', 'per-index');
    expect(j.spec.backoffLimit).toBe(2147483647);
    expect(j.status).toMatchObject({ failedIndexes: '1', completedIndexes: '0,2', succeeded: 2, failed: 2 });
    expect(j.status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ reason: 'FailedIndexes', message: 'Job has failed indexes' });
    // Index 1 ran twice (its limit is one retry), the second pod carrying the first failure.
    const counts = (await podsOf('per-index'))
      .filter((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index'] === '1')
      .map((p) => p.metadata.annotations['batch.kubernetes.io/job-index-failure-count'])
      .sort();
    expect(counts).toEqual(['0', '1']);
  }, 150_000);

  it('completes an Indexed Job by its successPolicy, stopping the indexes it no longer needs', async () => {
    const successPolicy = { rules: [{ succeededIndexes: '0' }] };
    await apply(job('leader', { completionMode: 'Indexed', completions: 3, parallelism: 3, successPolicy }, ['sh', '-c', 'if [ "$JOB_COMPLETION_INDEX" = 0 ]; then sleep 1; exit 0; fi; sleep 3600']));
    await waitFor('complete', 'leader');
    const j = await getJson('job', 'leader');
    expect(j.status.conditions.map((c: any) => `${c.type} ${c.reason}: ${c.message}`)).toEqual(['SuccessCriteriaMet SuccessPolicy: Matched rules at index 0', 'Complete SuccessPolicy: Matched rules at index 0']);
    expect(j.status).toMatchObject({ completedIndexes: '0', succeeded: 1 });
    expect((await podsOf('leader')).filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp)).toHaveLength(0);
  }, 150_000);

  it('refuses a podFailurePolicy with restartPolicy OnFailure (422), and a FailIndex rule without backoffLimitPerIndex', async () => {
    const rules = [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }];
    const onFailure = await cluster.kubectl(['create', '-f', '-', '-v=6'], { input: job('bad-policy', { podFailurePolicy: { rules } }, ['true'], 'OnFailure') });
    expect(onFailure.code).not.toBe(0);
    expect(onFailure.stderr).toMatch(/POST \S+\/apis\/batch\/v1\/namespaces\/default\/jobs\S* 422 Unprocessable Entity/);
    expect(onFailure.stderr).toContain('The Job "bad-policy" is invalid: spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified');
    const failIndex = await cluster.kubectl(['apply', '-f', '-'], { input: job('bad-index', { podFailurePolicy: { rules: [{ ...rules[0], action: 'FailIndex' }] } }, ['true']) });
    expect(failIndex.stderr).toContain('spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set');
    expect((await cluster.kubectl(['get', 'jobs', 'bad-policy', 'bad-index'])).stderr).toContain('jobs.batch "bad-policy" not found');
  });

  it('starts nothing while suspended, and runs once resumed', async () => {
    await apply(job('later', { suspend: true }, ['true']));
    await eventually(async () => expect((await cluster.kubectl(['get', 'job', 'later', '--no-headers'])).stdout).toMatch(/^later\s+Suspended\s+0\/1\s/), { timeoutMs: 30_000 });
    expect(await podsOf('later')).toHaveLength(0);
    expect((await cluster.kubectl(['patch', 'job', 'later', '--type=merge', '-p', '{"spec":{"suspend":false}}'])).code).toBe(0);
    await waitFor('complete', 'later');
  }, 150_000);

  it('deletes a finished Job once ttlSecondsAfterFinished has passed, in the foreground: its pods first, then the Job', async () => {
    await apply(job('brief', { ttlSecondsAfterFinished: 2 }, ['true']));
    await waitFor('complete', 'brief');
    const [pod] = await podsOf('brief');
    expect(pod).toBeDefined();
    await eventually(async () => {
      expect((await cluster.kubectl(['get', 'job', 'brief'])).stderr).toContain('jobs.batch "brief" not found');
      expect(await podsOf('brief')).toHaveLength(0);
    }, { timeoutMs: 60_000 });
    // The log says how: the TTL controller started the Job's deletion held by foregroundDeletion (grace 0), the pod went, then the Job.
    const db = new Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(
        `SELECT type, stream_id, metadata->>'actor' AS actor, data->'object'->'metadata' AS meta FROM events
          WHERE stream_id = 'jobs.batch/default/brief' OR stream_id = $1 ORDER BY transaction_id, position`,
        [`pods/default/${pod.metadata.name}`],
      );
      const started = rows.find((r) => r.stream_id.startsWith('jobs') && r.type === 'ResourceDeletionStarted');
      expect(started).toMatchObject({ actor: 'system:serviceaccount:kube-system:ttl-after-finished-controller', meta: { finalizers: ['foregroundDeletion'], deletionGracePeriodSeconds: 0 } });
      const gone = (prefix: string) => rows.findIndex((r) => r.stream_id.startsWith(prefix) && r.type === 'ResourceDeleted');
      expect(gone('pods')).toBeGreaterThan(rows.indexOf(started));
      expect(gone('jobs')).toBeGreaterThan(gone('pods'));
    } finally {
      await db.end();
    }
  }, 150_000);

  it('refuses a template that restarts always, a selector of its own, and a changed template, writing nothing', async () => {
    const always = await cluster.kubectl(['apply', '-f', '-'], { input: job('always', {}, ['true'], 'Always') });
    expect(always.code).not.toBe(0);
    expect(always.stderr).toContain('spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
    const own = JSON.parse(job('own', { selector: { matchLabels: { a: 'b' } } }, ['true']));
    const selector = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(own) });
    expect(selector.stderr).toContain('`selector` will be auto-generated');
    expect((await cluster.kubectl(['get', 'job', 'always'])).stderr).toContain('jobs.batch "always" not found');
    const changed = await cluster.kubectl(['patch', 'job', 'hello', '--type=json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"other"}]']);
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain('spec.template: Invalid value');
  });

  /**
   * The Forbid CronJob of the second schedule test, made during the first so that their first runs overlap. It is
   * made suspended and resumed only once its Job by hand runs, so its first scheduled run comes after that Job.
   */
  const startForbidCronJob = async () => {
    await apply(JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'fb2' },
      spec: {
        schedule: '* * * * *',
        concurrencyPolicy: 'Forbid',
        suspend: true,
        jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'work', image: 'busybox', command: ['sleep', '3600'] }] } } } },
      },
    }));
    expect((await cluster.kubectl(['create', 'job', 'fbman', '--from=cronjob/fb2'])).code).toBe(0);
    expect((await cluster.kubectl(['patch', 'cronjob', 'fb2', '--type=merge', '-p', '{"spec":{"suspend":false}}'])).code).toBe(0);
  };

  it('runs a CronJob on its schedule and by hand (kubectl create job --from), keeping its history', async () => {
    const created = await cluster.kubectl(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=* * * * *', '--', 'sh', '-c', 'echo tick']);
    expect(created.stdout.trim()).toBe('cronjob.batch/tick created');
    expect((await cluster.kubectl(['get', 'cronjob', 'tick', '--no-headers'])).stdout).toMatch(/^tick\s+\* \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s\n$/);
    await startForbidCronJob();

    const manual = await cluster.kubectl(['create', 'job', 'tick-by-hand', '--from=cronjob/tick']);
    expect(manual.stdout.trim()).toBe('job.batch/tick-by-hand created');
    await waitFor('complete', 'tick-by-hand');
    expect((await cluster.kubectl(['logs', 'job/tick-by-hand'])).stdout).toBe('tick\n');
    expect((await getJson('job', 'tick-by-hand')).metadata.annotations['cronjob.kubernetes.io/instantiate']).toBe('manual');

    // The next whole minute of the controller's clock starts a Job named by that minute.
    const cj = await eventually(async () => {
      const c = await getJson('cronjob', 'tick');
      expect(c.status.lastScheduleTime).toBeDefined();
      return c;
    }, { timeoutMs: 90_000, intervalMs: 500 });
    const scheduled = Date.parse(cj.status.lastScheduleTime);
    expect(new Date(scheduled).getUTCSeconds()).toBe(0);
    expect(scheduled).toBeGreaterThan(Date.parse(cj.metadata.creationTimestamp));
    const name = `tick-${scheduled / 60_000}`;
    await waitFor('complete', name);
    const run = await getJson('job', name);
    expect(run.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(cj.status.lastScheduleTime);
    expect(run.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'CronJob', name: 'tick', controller: true })]);
    await eventually(async () => expect((await getJson('cronjob', 'tick')).status.lastSuccessfulTime).toBeDefined(), { timeoutMs: 30_000 });
    // LAST SCHEDULE is <invalid> (kube's word for a time ahead) while the wall clock has not yet reached the test clock's time.
    expect((await cluster.kubectl(['get', 'cronjob', 'tick', '--no-headers'])).stdout).toMatch(/^tick\s+\* \* \* \* \*\s+<none>\s+False\s+\d\s+(\d+s|<invalid>)\s+\d+s\n$/);
    const described = (await cluster.kubectl(['describe', 'cronjob', 'tick'])).stdout;
    expect(described).toMatch(new RegExp(`Normal\\s+SuccessfulCreate\\s+\\S+\\s+cronjob-controller\\s+Created job ${name}`));

    expect((await cluster.kubectl(['delete', 'cronjob', 'tick'])).code).toBe(0);
    await eventually(async () => expect((await getJson('jobs')).items.map((j: any) => j.metadata.name)).not.toContain(name), { timeoutMs: 60_000 });
  }, 200_000);

  it('does not count a Job made by hand from a Forbid CronJob as its own run: UnexpectedJob, and the schedule still starts', async () => {
    await eventually(async () => {
      const out = (await cluster.kubectl(['describe', 'cronjob', 'fb2'])).stdout;
      expect(out).toMatch(/Warning\s+UnexpectedJob\s+\S+\s+cronjob-controller\s+Saw a job that the controller did not create or forgot: fbman/);
    }, { timeoutMs: 30_000 });
    // Resumed while fbman runs, it starts its Job on its schedule all the same; only that one is active. (A run skipped
    // because the CronJob counted fbman as its own would set no lastScheduleTime; a JobAlreadyActive of a later
    // minute, while its own Job sleeps, is right, so the Events are not searched for one.)
    const cj = await eventually(async () => {
      const c = await getJson('cronjob', 'fb2');
      expect(c.status.lastScheduleTime).toBeDefined();
      return c;
    }, { timeoutMs: 90_000, intervalMs: 500 });
    const name = `fb2-${Date.parse(cj.status.lastScheduleTime) / 60_000}`;
    expect(cj.status.active.map((r: any) => r.name)).toEqual([name]);
    expect((await cluster.kubectl(['describe', 'cronjob', 'fb2'])).stdout).toMatch(new RegExp(`Normal\\s+SuccessfulCreate\\s+\\S+\\s+cronjob-controller\\s+Created job ${name}`));
    expect((await cluster.kubectl(['delete', 'cronjob', 'fb2'])).code).toBe(0);
  }, 150_000);

  it('refuses a CronJob with a schedule it cannot read, an unknown time zone or a name too long for its Jobs', async () => {
    const cronJob = (name: string, spec: Record<string, unknown>) =>
      JSON.stringify({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name }, spec: { schedule: '0 * * * *', ...spec, jobTemplate: { spec: JSON.parse(job('x', {}, ['true'])).spec } } });
    const bad = await cluster.kubectl(['apply', '-f', '-'], { input: cronJob('bad', { schedule: '* * * *' }) });
    expect(bad.stderr).toContain('spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]');
    const zone = await cluster.kubectl(['apply', '-f', '-'], { input: cronJob('zone', { timeZone: 'Mars/Olympus' }) });
    expect(zone.stderr).toContain('spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus');
    const long = 'c'.repeat(53);
    const named = await cluster.kubectl(['apply', '-f', '-'], { input: cronJob(long, {}) });
    expect(named.stderr).toContain(`metadata.name: Invalid value: "${long}": must be no more than 52 characters`);
    expect((await cluster.kubectl(['get', 'cronjobs', '-o', 'name'])).stdout).toBe('');
  });

  it('takes its pods with it when deleted', async () => {
    expect((await podsOf('batch')).length).toBe(4);
    expect((await cluster.kubectl(['delete', 'job', 'batch'])).code).toBe(0);
    await eventually(async () => expect(await podsOf('batch')).toHaveLength(0), { timeoutMs: 60_000 });
  }, 90_000);
});
