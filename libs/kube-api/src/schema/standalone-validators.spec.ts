import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { resourceDefinitions, type ResourceDefinition } from '@openpacific/contracts';
import { schemaHash, VALIDATOR_OPTIONS } from './schema-hash';
import { writeStandaloneValidators } from './standalone-validators';
import { releaseSchemas, schemaCompileError, usePrecompiledValidators, validateAgainstSchema, validatorCounts, validatorOf } from './validate';

const def = (kind: string, group: string): ResourceDefinition => resourceDefinitions.find((d) => d.kind === kind && d.group === group)!;
const pod = def('Pod', '');
const deployment = def('Deployment', 'apps');
const vm = def('VirtualMachine', 'vmoperator.vmware.com');
const configMap = def('ConfigMap', '');
const service = def('Service', '');
const schemaOf = (d: ResourceDefinition, version: string) => d.versions.find((v) => v.name === version)!.schema;

const meta = { name: 'x', namespace: 'default' };
const podSpec = { containers: [{ name: 'c', image: 'busybox' }] };
/** Each kind's objects at one version: valid ones and ones its schema refuses, in as many ways as it can. */
const cases: [ResourceDefinition, string, any[]][] = [
  [pod, 'v1', [
    { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: podSpec },
    { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { containers: [{ image: 'busybox', ports: [{ containerPort: 'http' }] }], restartPolicy: 'Sometimes' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { ...meta, labels: 'a=b' }, spec: { containers: 'busybox', nodeSelector: { a: 1 }, activeDeadlineSeconds: -1 } },
    { apiVersion: 'v1', kind: 'Pod', metadata: meta },
  ]],
  [deployment, 'v1', [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: { replicas: 2, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: podSpec } } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: { replicas: 'two', strategy: { type: 'Sideways' }, template: { spec: { containers: [{}] } } } },
  ]],
  [vm, 'v1alpha5', [
    { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: meta, spec: { className: 'small', imageName: 'ubuntu', powerState: 'PoweredOn' } },
    { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: meta, spec: { className: 3, powerState: 'Asleep', bootstrap: { cloudInit: { rawCloudConfig: { name: 'x' }, sshAuthorizedKeys: [1] } } } },
  ]],
  [vm, 'v1alpha1', [
    { apiVersion: 'vmoperator.vmware.com/v1alpha1', kind: 'VirtualMachine', metadata: meta, spec: { className: 'small', imageName: 'ubuntu', powerState: 'poweredOn' } },
    { apiVersion: 'vmoperator.vmware.com/v1alpha1', kind: 'VirtualMachine', metadata: meta, spec: { className: [], powerState: 'Asleep' } },
  ]],
  [configMap, 'v1', [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { a: 'b' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { a: 1 }, binaryData: [], immutable: 'yes' },
  ]],
];

describe('precompiled schema validators', () => {
  let dir: string;
  let file: string;
  let module: Record<string, any>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'schema-validators-'));
    file = join(dir, 'schema-validators.js');
    // Deployment twice: written once. Service is left out.
    const schemas = [schemaOf(pod, 'v1'), schemaOf(deployment, 'v1'), schemaOf(deployment, 'v1'), ...vm.versions.map((v) => v.schema), schemaOf(configMap, 'v1')];
    expect(await writeStandaloneValidators(schemas, file)).toEqual({ count: 3 + vm.versions.length });
    module = require(file);
  }, 60_000);

  afterAll(() => {
    usePrecompiledValidators(undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns what ajv.compile would, with the same errors', () => {
    const ajv = new Ajv(VALIDATOR_OPTIONS);
    let refused = 0;
    for (const [d, version, objects] of cases) {
      const schema = schemaOf(d, version);
      const precompiled = module[schemaHash(schema)];
      expect(typeof precompiled).toBe('function');
      const compiled = ajv.compile(schema);
      for (const obj of objects) {
        const valid = compiled(obj);
        expect(precompiled(obj)).toBe(valid);
        expect(precompiled.errors).toEqual(compiled.errors);
        if (!valid) refused++;
      }
    }
    // The invalid objects are refused, with several errors each: the comparison covers errors, not only nulls.
    expect(refused).toBe(7);
  });

  it('gives validateAgainstSchema the same causes as compiled validators, and takes them from the file', () => {
    const causes = (precompiled: boolean) => {
      usePrecompiledValidators(precompiled ? file : undefined);
      return cases.map(([d, version, objects]) => {
        const fromFile = validatorOf(schemaOf(d, version)) === module[schemaHash(schemaOf(d, version))];
        expect(fromFile).toBe(precompiled);
        return objects.map((obj) => validateAgainstSchema(d, version, obj, 'Strict').causes);
      });
    };
    const before = validatorCounts();
    const withFile = causes(true);
    expect(validatorCounts().precompiled - before.precompiled).toBe(cases.length);
    const compiled = causes(false);
    expect(withFile).toEqual(compiled);
    expect(withFile.flat().filter((c) => c.length > 0)).toHaveLength(7);
  });

  it('compiles a schema the file does not hold, and one changed since it was written', () => {
    usePrecompiledValidators(file);
    const before = validatorCounts();
    const r = validateAgainstSchema(service, 'v1', { apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { ports: [{ port: 'http' }] } }, 'Strict');
    expect(r.causes.map((c) => c.field)).toEqual(['spec.ports[0].port']);
    const changed = structuredClone(schemaOf(configMap, 'v1'));
    changed.properties.immutable = { type: 'string' };
    expect(validatorOf(changed)({ immutable: 'yes' })).toBe(true);
    expect(validatorOf(changed)).not.toBe(module[schemaHash(schemaOf(configMap, 'v1'))]);
    // The same content as a precompiled schema, another object: the precompiled validator.
    expect(validatorOf(structuredClone(schemaOf(configMap, 'v1')))).toBe(module[schemaHash(schemaOf(configMap, 'v1'))]);
    expect(validatorCounts()).toEqual({ precompiled: before.precompiled + 1, compiled: before.compiled + 2 });
  });

  it('keeps schemaCompileError and releaseSchemas as they were', () => {
    usePrecompiledValidators(file);
    expect(schemaCompileError(schemaOf(pod, 'v1'))).toBeUndefined();
    expect(schemaCompileError({ type: 'object', properties: { n: { type: 'integer', minimum: 'x' } } }, { keep: false })).toMatch(/minimum/);
    const first = validatorOf(schemaOf(pod, 'v1'));
    releaseSchemas(pod);
    expect(validatorOf(schemaOf(pod, 'v1'))).toBe(first);
    releaseSchemas(service);
    expect(validateAgainstSchema(service, 'v1', { apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { ports: 'http' } }, 'Strict').causes.map((c) => c.field)).toEqual(['spec.ports']);
  });

  it('compiles every schema, saying why once, when the file is missing', () => {
    const reasons: string[] = [];
    usePrecompiledValidators(join(dir, 'missing.js'), (reason) => reasons.push(reason));
    const before = validatorCounts();
    expect(validateAgainstSchema(pod, 'v1', cases[0][2][1], 'Strict').causes.length).toBeGreaterThan(0);
    expect(validateAgainstSchema(configMap, 'v1', cases[4][2][0], 'Strict').causes).toEqual([]);
    expect(validatorCounts()).toEqual({ precompiled: before.precompiled, compiled: before.compiled + 2 });
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/Cannot find module/);
  });
});
