import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, TestCluster } from '@openpacific/testing';

const CRD = readFileSync(join(__dirname, 'manifests', 'scalingpolicies-crd.yaml'), 'utf8');

const policy = (name: string, spec: string) => `
apiVersion: example.com/v1
kind: ScalingPolicy
metadata: { name: ${name}, namespace: default }
spec: ${spec}
`;

/**
 * CEL validation rules of a CRD (x-kubernetes-validations) through the real kubectl: a rule that does not compile
 * refuses the CRD; rules across fields, on list items and on transitions refuse custom resources with a 422 naming the
 * field and the rule's message, and nothing is written.
 */
describe('custom resource validation rules', () => {
  let cluster: TestCluster;
  const ok = async (args: string[], input?: string) => {
    const r = await cluster.kubectl(args, input === undefined ? undefined : { input });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const refused = async (args: string[], input?: string) => {
    const r = await cluster.kubectl(args, input === undefined ? undefined : { input });
    expect(r.code).not.toBe(0);
    return r.stderr;
  };

  beforeAll(async () => {
    cluster = await startCluster({ label: 'crd-rules', hostCount: 1 });
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refuses a CRD whose rule does not compile, naming the rule', async () => {
    const broken = CRD.replace('rule: self.minReplicas <= self.maxReplicas', 'rule: self.minReplicas <=');
    const stderr = await refused(['apply', '-f', '-'], broken);
    expect(stderr).toContain('spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: ');
    expect(stderr).toContain('compilation failed: ERROR: <input>:1:');
    expect((await cluster.kubectl(['get', 'crd', 'scalingpolicies.example.com'])).code).not.toBe(0);
  });

  it('evaluates the rules on create, update and patch with kube-apiserver\'s messages', async () => {
    await ok(['apply', '-f', '-'], CRD);
    await ok(['wait', '--for', 'condition=established', '--timeout=60s', 'crd/scalingpolicies.example.com']);
    await ok(['apply', '-f', '-'], policy('p1', '{ maxReplicas: 3, mode: fast, tags: [web] }'));

    let stderr = await refused(['apply', '-f', '-'], policy('p2', '{ minReplicas: 5, maxReplicas: 3 }'));
    expect(stderr).toContain('spec: Invalid value: "object": minReplicas must not exceed maxReplicas');
    expect((await cluster.kubectl(['get', 'scalingpolicy', 'p2'])).code).not.toBe(0);

    stderr = await refused(['patch', 'scalingpolicy', 'p1', '--type', 'merge', '-p', '{"spec":{"mode":"slow"}}']);
    expect(stderr).toContain('spec.mode: Invalid value: "string": mode is immutable');

    stderr = await refused(['patch', 'scalingpolicy', 'p1', '--type', 'merge', '-p', '{"spec":{"tags":["web","Bad1"]}}']);
    expect(stderr).toContain("spec.tags: Forbidden: failed rule: self.all(t, t.matches('^[a-z]+$'))");

    // The defaulted minReplicas (1) takes part: lowering maxReplicas under it is refused, raising it is fine.
    stderr = await refused(['apply', '-f', '-'], policy('p1', '{ maxReplicas: 0, mode: fast, tags: [web] }'));
    expect(stderr).toContain('minReplicas must not exceed maxReplicas');
    // A custom resource is replaced only at a version read, as kube-apiserver requires (kubectl replace reads one itself).
    const unconditional = await cluster.request('PUT', '/apis/example.com/v1/namespaces/default/scalingpolicies/p1', {
      body: { apiVersion: 'example.com/v1', kind: 'ScalingPolicy', metadata: { name: 'p1', namespace: 'default' }, spec: { maxReplicas: 3, mode: 'fast', tags: ['web'] } },
    });
    expect(unconditional.status).toBe(422);
    expect(unconditional.json().message).toBe('ScalingPolicy "p1" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    stderr = await refused(['replace', '-f', '-'], policy('p1', '{ maxReplicas: 3, mode: slow, tags: [web] }'));
    expect(stderr).toContain('The ScalingPolicy "p1" is invalid: spec.mode: Invalid value: "string": mode is immutable');
    await ok(['apply', '-f', '-'], policy('p1', '{ maxReplicas: 5, mode: fast, tags: [web, api] }'));
    const got = JSON.parse(await ok(['get', 'scalingpolicy', 'p1', '-o', 'json']));
    expect(got.spec).toEqual({ minReplicas: 1, maxReplicas: 5, mode: 'fast', tags: ['web', 'api'] });
  });

  it('checks string formats and rules that use Kubernetes\' CEL libraries', async () => {
    let stderr = await refused(['apply', '-f', '-'], policy('p3', '{ maxReplicas: 3, until: tomorrow }'));
    expect(stderr).toContain('spec.until: Invalid value: "tomorrow": spec.until in body must be of type date-time: "tomorrow"');
    stderr = await refused(['apply', '-f', '-'], policy('p3', '{ maxReplicas: 3, memory: 8Gi }'));
    expect(stderr).toContain('The ScalingPolicy "p3" is invalid: spec.memory: Invalid value: "string": memory must be a quantity of at most 4Gi');
    expect((await cluster.kubectl(['get', 'scalingpolicy', 'p3'])).code).not.toBe(0);
    await ok(['apply', '-f', '-'], policy('p3', '{ maxReplicas: 3, until: "2027-01-01T00:00:00Z", memory: 4096Mi }'));
    expect(JSON.parse(await ok(['get', 'scalingpolicy', 'p3', '-o', 'json'])).spec).toMatchObject({ until: '2027-01-01T00:00:00Z', memory: '4096Mi' });
  });

  it('evaluates the rules on writes through the status subresource', async () => {
    const status = (ready: number) => ['patch', 'scalingpolicy', 'p1', '--subresource', 'status', '--type', 'merge', '-p', JSON.stringify({ status: { ready } })];
    const stderr = await refused(status(-1));
    expect(stderr).toContain('status: Invalid value: "object": ready must not be negative');
    await ok(status(2));
    expect(JSON.parse(await ok(['get', 'scalingpolicy', 'p1', '-o', 'json'])).status).toEqual({ ready: 2 });
  });

  it("reads a schema's pattern as Go's regexp (RE2): its dialect, its errors, and time linear in the string", async () => {
    const tagsCrd = (name: string, code: string) => `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: tags.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { plural: tags, kind: Tag }
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              name: { type: string, pattern: '${name}' }
              code: { type: string, pattern: '${code}' }
`;
    const tag = (name: string, spec: string) => `
apiVersion: example.com/v1
kind: Tag
metadata: { name: ${name}, namespace: default }
spec: ${spec}
`;
    // Not RE2: refused with Go's compile error, and no CRD is made.
    let stderr = await refused(['apply', '-f', '-'], tagsCrd('+', 'a(?=b)'));
    expect(stderr).toContain("spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[name].pattern: Invalid value: \"+\": must be a valid regular expression, but isn't: error parsing regexp: missing argument to repetition operator: `+`");
    expect(stderr).toContain('properties[code].pattern: Invalid value: "a(?=b)": must be a valid regular expression, but isn\'t: error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
    expect((await cluster.kubectl(['get', 'crd', 'tags.example.com'])).code).not.toBe(0);

    // RE2 takes a leading flag group, which JavaScript does not; a nested repetition is answered at once, where a
    // backtracking engine would hold the gateway for ages on 40 a's and a '!'.
    await ok(['apply', '-f', '-'], tagsCrd('^(a+)+$', '(?i)^ab-[0-9]+$'));
    await ok(['wait', '--for', 'condition=established', '--timeout=60s', 'crd/tags.example.com']);
    stderr = await refused(['apply', '-f', '-'], tag('t1', `{ name: ${'a'.repeat(40)}! }`));
    expect(stderr).toContain(`spec.name: Invalid value: "${'a'.repeat(40)}!": spec.name in body should match '^(a+)+$'`);
    expect((await cluster.kubectl(['get', 'tag', 't1'])).code).not.toBe(0);
    await ok(['apply', '-f', '-'], tag('t1', '{ name: aaaa, code: AB-12 }'));
    expect(JSON.parse(await ok(['get', 'tag', 't1', '-o', 'json'])).spec).toEqual({ name: 'aaaa', code: 'AB-12' });
  });
});
