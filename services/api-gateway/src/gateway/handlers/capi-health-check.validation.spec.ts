import { resourceDefinitions } from '@openpacific/contracts';
import { validateAgainstSchema } from '@openpacific/kube-api';
import { strategyFor } from './kind-strategies';
import { defaultMachineHealthCheck, validateMachineHealthCheckCreate, validateMachineHealthCheckUpdate } from './capi-health-check.validation';
import { statusOf } from './thrown-status.spec-support';

const mhc = (spec: any = {}) => ({
  apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineHealthCheck', metadata: { name: 'tkc-1-workers-mhc', namespace: 'tkg-team' },
  spec: {
    clusterName: 'tkc-1', selector: { matchLabels: { 'cluster.x-k8s.io/deployment-name': 'tkc-1-workers' } },
    unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '2s' }], maxUnhealthy: '100%', nodeStartupTimeout: '5m',
    ...spec,
  },
});
const messages = (causes: any[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe("MachineHealthCheck admission (Cluster API's MachineHealthCheck webhook)", () => {
  it('is the strategy of the kind, and takes the checks the guest-cluster tests write', () => {
    const def = resourceDefinitions.find((d) => d.kind === 'MachineHealthCheck')!;
    expect(strategyFor(def).validateCreate!(mhc(), undefined as any)).toEqual([]);
    const byExpression = mhc({ selector: { matchExpressions: [{ key: 'cluster.x-k8s.io/deployment-name', operator: 'In', values: ['tkc-1-workers'] }] } });
    expect(validateMachineHealthCheckCreate(byExpression)).toEqual([]);
    expect(validateMachineHealthCheckCreate(mhc({ nodeStartupTimeout: '0' }))).toEqual([]);
    expect(validateMachineHealthCheckCreate(mhc({ nodeStartupTimeout: undefined, maxUnhealthy: 2 }))).toEqual([]);
  });

  it('refuses a node startup timeout under 30s, printed as Go prints a duration', () => {
    expect(messages(validateMachineHealthCheckCreate(mhc({ nodeStartupTimeout: '10000ms' })))).toEqual(['spec.nodeStartupTimeout: Invalid value: "10s": must be at least 30s']);
    expect(messages(validateMachineHealthCheckCreate(mhc({ nodeStartupTimeout: '-1m' })))).toEqual(['spec.nodeStartupTimeout: Invalid value: "-1m0s": must be at least 30s']);
  });

  it('refuses an empty selector, one naming another cluster, and a maxUnhealthy that is no int or percentage', () => {
    expect(messages(validateMachineHealthCheckCreate(mhc({ selector: {}, maxUnhealthy: 'half' })))).toEqual([
      'spec.selector: Required value: selector must not be empty',
      'spec.maxUnhealthy: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"half"}: must be either an int or a percentage: invalid value for IntOrString: invalid type: string is not a percentage',
    ]);
    expect(messages(validateMachineHealthCheckCreate(mhc({ selector: { matchLabels: { 'cluster.x-k8s.io/cluster-name': 'tkc-2' } } })))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"cluster.x-k8s.io/cluster-name":"tkc-2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: cannot specify a cluster selector other than the one specified by ClusterName',
    ]);
  });

  it('refuses a remediation template in another namespace, and moving the check to another cluster', () => {
    expect(messages(validateMachineHealthCheckCreate(mhc({ remediationTemplate: { kind: 'X', name: 'y', namespace: 'other' } })))).toEqual([
      'spec.remediationTemplate.namespace: Invalid value: "other": must match metadata.namespace',
    ]);
    expect(messages(validateMachineHealthCheckUpdate(mhc(), mhc({ clusterName: 'tkc-2' })))).toEqual(['spec.clusterName: Forbidden: field is immutable']);
  });

  it("refuses an unhealthyRange not of the form [3-5] by the CRD's pattern (the schema)", () => {
    const def = resourceDefinitions.find((d) => d.kind === 'MachineHealthCheck')!;
    expect(validateAgainstSchema(def, 'v1beta1', mhc({ unhealthyRange: '[1-3]' }), 'Ignore').causes).toEqual([]);
    expect(messages(validateAgainstSchema(def, 'v1beta1', mhc({ unhealthyRange: '3-5' }), 'Ignore').causes)).toEqual([
      "spec.unhealthyRange: Invalid value: \"3-5\": spec.unhealthyRange in body should match '^\\[[0-9]+-[0-9]+\\]$'",
    ]);
  });

  it('answers a timeout it cannot decode with its defaulting webhook\'s 400', () => {
    const bad = mhc({ unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '5 minutes' }] });
    expect(statusOf(() => defaultMachineHealthCheck(bad))).toMatchObject({
      code: 400, message: 'admission webhook "default.machinehealthcheck.cluster.x-k8s.io" denied the request: time: unknown unit " minutes" in duration "5 minutes"',
    });
    expect(defaultMachineHealthCheck(mhc())).toEqual(mhc());
  });
});
