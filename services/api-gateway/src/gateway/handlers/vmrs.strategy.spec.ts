import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { virtualMachineReplicaSetResource } from '@openpacific/contracts';
import { validateAgainstSchema } from '@openpacific/kube-api';
import { parse } from 'yaml';
import { defaultVirtualMachineReplicaSet, selectorString, validateVirtualMachineReplicaSet } from './vmrs.strategy';

const rs = (spec: any) => ({ metadata: { name: 'web', namespace: 'a' }, spec });
const template = (labels: Record<string, string>, spec: any = { className: 'small', imageName: 'vmi-web' }) => ({ metadata: { labels }, spec });

describe('VirtualMachineReplicaSet validation (VM Operator webhook)', () => {
  it('accepts a selector matching the template labels and a valid VM spec', () => {
    expect(validateVirtualMachineReplicaSet(rs({ replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web', tier: 'fe' }) }))).toEqual([]);
  });

  it('refuses template labels the selector does not match, naming spec.template.metadata.labels and the selector', () => {
    const causes = validateVirtualMachineReplicaSet(rs({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'db' }) }));
    expect(causes).toEqual([{ field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid', message: 'Invalid value: map[app:db]: must match spec.selector "app=web"' }]);
  });

  it('refuses a set without a selector: nothing matches its template', () => {
    expect(validateVirtualMachineReplicaSet(rs({ template: template({ app: 'web' }) })).map((c) => c.field)).toEqual(['spec.template.metadata.labels']);
  });

  it('refuses a selector with a bad operator use under spec.selector', () => {
    const causes = validateVirtualMachineReplicaSet(rs({ selector: { matchExpressions: [{ key: 'app', operator: 'In' }] }, template: template({ app: 'web' }) }));
    expect(causes.map((c) => c.field)).toEqual(['spec.selector.matchExpressions[0].values']);
  });

  it('refuses negative replicas', () => {
    const causes = validateVirtualMachineReplicaSet(rs({ replicas: -1, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }));
    expect(causes).toEqual([{ field: 'spec.replicas', reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0' }]);
  });

  it("validates the template's VM spec as a VirtualMachine's, with its fields under spec.template.spec", () => {
    const causes = validateVirtualMachineReplicaSet(rs({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }, { imageName: 'vmi-web', readinessProbe: { tcpSocket: { port: 70000 } } }) }));
    expect(causes.map((c) => c.field)).toEqual(['spec.template.spec.className', 'spec.template.spec.readinessProbe.tcpSocket.port']);
  });

  it('defaults replicas to 1 and keeps an explicit 0', () => {
    expect(defaultVirtualMachineReplicaSet(rs({})).spec.replicas).toBe(1);
    expect(defaultVirtualMachineReplicaSet(rs({ replicas: 0 })).spec.replicas).toBe(0);
  });

  it("prints selectors as labels.Selector's String()", () => {
    expect(selectorString({ matchLabels: { tier: 'fe', app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }, { key: 'x', operator: 'DoesNotExist' }] })).toBe('app=web,env in (dev,prod),tier=fe,!x');
  });

  it("accepts the README's example manifest (test/e2e/manifests/vm-replicaset.yaml)", () => {
    const manifest = parse(readFileSync(join(__dirname, '../../../../../test/e2e/manifests/vm-replicaset.yaml'), 'utf8'));
    expect(validateAgainstSchema(virtualMachineReplicaSetResource, 'v1alpha5', manifest, 'Strict')).toMatchObject({ causes: [], unknownFields: [] });
    expect(validateVirtualMachineReplicaSet(defaultVirtualMachineReplicaSet(manifest))).toEqual([]);
  });
});
