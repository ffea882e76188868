import { resourceDefinitions } from '@openpacific/contracts';
import { strategyFor } from './kind-strategies';
import {
  defaultMachine, defaultMachineDeployment, validateMachineCreate, validateMachineDeploymentCreate, validateMachineDeploymentUpdate, validateMachineSetCreate,
  validateMachineSetUpdate, validateMachineUpdate,
} from './capi-machines.validation';
import { statusOf } from './thrown-status.spec-support';

const NS = 'tkg-team';
const infrastructureRef = { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', name: 'raw-workers' };
const machineSpec = (spec: any = {}) => ({ clusterName: 'raw', version: 'v1.29.4', bootstrap: { dataSecretName: 'raw-bootstrap' }, infrastructureRef, ...spec });
const md = (spec: any = {}, name = 'raw-md') => ({
  apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineDeployment', metadata: { name, namespace: NS },
  spec: { clusterName: 'raw', replicas: 1, selector: { matchLabels: { pool: 'raw' } }, template: { metadata: { labels: { pool: 'raw' } }, spec: machineSpec() }, ...spec },
});
const ms = (spec: any = {}) => ({ ...md(spec, 'raw-ms'), kind: 'MachineSet' });
const machine = (spec: any = {}, labels?: Record<string, string>) => ({
  apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Machine', metadata: { name: 'raw-1', namespace: NS, ...(labels ? { labels } : {}) }, spec: machineSpec(spec),
});
const messages = (causes: any[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe("MachineDeployment, MachineSet and Machine admission (Cluster API's webhooks)", () => {
  it('are the strategies of the kinds', () => {
    for (const kind of ['MachineDeployment', 'MachineSet', 'Machine']) {
      const def = resourceDefinitions.find((d) => d.group === 'cluster.x-k8s.io' && d.kind === kind)!;
      expect(strategyFor(def).validateCreate).toBeDefined();
    }
  });

  it('takes a MachineDeployment as kubectl users write it, and one without a selector (defaulting gives both its name)', () => {
    expect(validateMachineDeploymentCreate(md())).toEqual([]);
    expect(validateMachineDeploymentCreate(md({ selector: {}, template: { spec: machineSpec() } }))).toEqual([]);
  });

  it("refuses a MachineDeployment whose selector does not select its template, naming the defaulted selector", () => {
    expect(messages(validateMachineDeploymentCreate(md({ selector: { matchLabels: { pool: 'other' } } })))).toEqual([
      'spec.template.metadata.labels: Forbidden: must match spec.selector "cluster.x-k8s.io/cluster-name=raw,pool=other"',
    ]);
  });

  it('refuses a bad version, bad strategy values, a naming template without {{ .random }} and a name too long for a label', () => {
    const bad = md({
      template: { metadata: { labels: { pool: 'raw' } }, spec: machineSpec({ version: '1.29' }) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: '10%x' }, remediation: { maxInFlight: 'x' } },
      machineNamingStrategy: { template: '{{ .machineSet.name }}' },
    }, 'a'.repeat(64));
    expect(messages(validateMachineDeploymentCreate(bad))).toEqual([
      `metadata.name: Invalid value: "${'a'.repeat(64)}": must be a valid label value: must be no more than 63 characters`,
      'spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"1"}: must be either an int or a percentage: invalid value for IntOrString: invalid type: string is not a percentage',
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"10%x"}: must be either an int or a percentage: invalid value for IntOrString: invalid type: string is not a percentage',
      'spec.strategy.remediation.maxInFlight: Invalid value: "x": must be either an int or a percentage: invalid value for IntOrString: invalid type: string is not a percentage',
      'spec.template.spec.version: Invalid value: "v1.29": must be a valid semantic version',
      'spec.machineNamingStrategy.template: Invalid value: "{{ .machineSet.name }}": invalid template, {{ .random }} is missing',
    ]);
  });

  it('refuses moving a MachineDeployment or MachineSet to another cluster', () => {
    expect(messages(validateMachineDeploymentUpdate(md(), md({ clusterName: 'other' })))).toEqual(['spec.clusterName: Forbidden: field is immutable']);
    expect(messages(validateMachineSetUpdate(ms(), ms({ clusterName: 'other' })))).toEqual(['spec.clusterName: Forbidden: field is immutable']);
  });

  it("lets a user label a MachineDeployment and MachineSet the system wrote, whose template carries no labels, but not change their selectors", () => {
    const written = md({ selector: { matchLabels: { 'cluster.x-k8s.io/deployment-name': 'raw-md' } }, template: { spec: machineSpec() } });
    const labelled = { ...written, metadata: { ...written.metadata, labels: { team: 'a' } } };
    expect(validateMachineDeploymentUpdate(written, labelled)).toEqual([]);
    const reselected = { ...labelled, spec: { ...labelled.spec, selector: { matchLabels: { 'cluster.x-k8s.io/deployment-name': 'other' } } } };
    expect(messages(validateMachineDeploymentUpdate(written, reselected))).toEqual([
      'spec.template.metadata.labels: Forbidden: must match spec.selector "cluster.x-k8s.io/cluster-name=raw,cluster.x-k8s.io/deployment-name=other"',
    ]);
    const set = ms({ selector: { matchLabels: { 'cluster.x-k8s.io/set-name': 'raw-ms' } }, template: { spec: machineSpec() } });
    expect(validateMachineSetUpdate(set, { ...set, metadata: { ...set.metadata, labels: { team: 'a' } } })).toEqual([]);
  });

  it('refuses a MachineSet whose selector does not select its template, printing the labels as Go does', () => {
    expect(messages(validateMachineSetCreate(ms({ selector: { matchLabels: { pool: 'other' } } })))).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"pool":"raw"}: must match spec.selector "pool=other"',
    ]);
    expect(messages(validateMachineSetCreate(ms({ selector: { matchExpressions: [{ key: 'pool', operator: 'Is', values: ['raw'] }] } })))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"pool", Operator:"Is", Values:[]string{"raw"}}}}: "Is" is not a valid label selector operator',
    ]);
  });

  it('refuses a Machine without bootstrap data (unless a MachinePool owns it), references elsewhere, and a bad version', () => {
    expect(validateMachineCreate(machine())).toEqual([]);
    expect(messages(validateMachineCreate(machine({ bootstrap: {}, version: 'latest', infrastructureRef: { ...infrastructureRef, namespace: 'other' } })))).toEqual([
      'spec.bootstrap.data: Required value: expected either spec.bootstrap.dataSecretName or spec.bootstrap.configRef to be populated',
      'spec.infrastructureRef.namespace: Invalid value: "other": must match metadata.namespace',
      'spec.version: Invalid value: "vlatest": must be a valid semantic version',
    ]);
    expect(validateMachineCreate(machine({ bootstrap: {} }, { 'cluster.x-k8s.io/pool-name': 'mp' }))).toEqual([]);
    expect(messages(validateMachineUpdate(machine(), machine({ clusterName: 'other' })))).toEqual(['spec.clusterName: Forbidden: field is immutable']);
  });

  it('lets a user annotate a Machine the system wrote before naming its bootstrap data', () => {
    const written = machine({ bootstrap: {} });
    expect(validateMachineUpdate(written, { ...written, metadata: { ...written.metadata, annotations: { a: 'b' } } })).toEqual([]);
  });

  it('gives versions their `v`, and answers a duration it cannot decode with 400', () => {
    expect(defaultMachine(machine({ version: '1.29.4' })).spec.version).toBe('v1.29.4');
    expect(defaultMachineDeployment(md({ template: { spec: machineSpec({ version: '1.30.0' }) } })).spec.template.spec.version).toBe('v1.30.0');
    expect(statusOf(() => defaultMachine(machine({ nodeDrainTimeout: 'soon' })))).toMatchObject({
      code: 400, message: 'admission webhook "default.machine.cluster.x-k8s.io" denied the request: time: invalid duration "soon"',
    });
    // An update leaves a duration it does not change alone.
    const written = machine({ nodeDrainTimeout: 'soon' });
    expect(defaultMachine({ ...written, metadata: { ...written.metadata, labels: { a: 'b' } } }, written).spec.nodeDrainTimeout).toBe('soon');
  });
});
