import { validateAgainstSchema } from '@openpacific/kube-api';
import { configMapDataCount, configMapResource, dataCount, resourceDefinitions, secretResource } from './index';

const column = (def: typeof secretResource, name: string) => def.versions[0].printerColumns.find((c) => c.name === name)!;

describe('core v1 Secret', () => {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'web-1-bootstrap', namespace: 'team-a' },
    type: 'Opaque',
    data: { 'user-data': Buffer.from('#cloud-config\n').toString('base64') },
    stringData: { extra: 'plain text' },
    immutable: false,
  };

  it('is a registered built-in kind with strategic merge patch and no short name', () => {
    expect(resourceDefinitions).toContain(secretResource);
    expect(secretResource).toMatchObject({ group: '', plural: 'secrets', kind: 'Secret', scope: 'Namespaced', shortNames: [], strategicMergePatch: true });
    expect(secretResource.versions.map((v) => [v.name, v.storage])).toEqual([['v1', true]]);
  });

  it('accepts data, stringData, type and immutable', () => {
    expect(validateAgainstSchema(secretResource, 'v1', secret, 'Strict')).toMatchObject({ causes: [], unknownFields: [] });
  });

  it('refuses data that is not base64 and reports unknown top-level fields', () => {
    const bad = validateAgainstSchema(secretResource, 'v1', { ...secret, data: { k: 'not base64!' }, spec: {} }, 'Strict');
    expect(bad.causes[0]).toMatchObject({ field: 'data.k' });
    expect(bad.unknownFields).toEqual(['.spec']);
  });

  it('declares Opaque as the default type', () => {
    expect(secretResource.versions[0].schema.properties.type.default).toBe('Opaque');
  });

  it('prints TYPE, DATA (the number of data keys) and AGE', () => {
    expect(secretResource.versions[0].printerColumns.map((c) => c.name)).toEqual(['Type', 'Data', 'Age']);
    expect(column(secretResource, 'Data').value!(secret)).toBe(1);
    expect(dataCount({})).toBe(0);
  });
});

describe('core v1 ConfigMap', () => {
  const cm = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'legacy-cloud-init', namespace: 'team-a' },
    data: { 'user-data': '#cloud-config\n', hostname: 'legacy' },
    binaryData: { blob: 'AAEC' },
    immutable: true,
  };

  it('is a registered built-in kind with short name cm', () => {
    expect(resourceDefinitions).toContain(configMapResource);
    expect(configMapResource).toMatchObject({ group: '', plural: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'], strategicMergePatch: true });
  });

  it('accepts data, binaryData and immutable', () => {
    expect(validateAgainstSchema(configMapResource, 'v1', cm, 'Strict')).toMatchObject({ causes: [], unknownFields: [] });
  });

  it('refuses non-string data values', () => {
    expect(validateAgainstSchema(configMapResource, 'v1', { ...cm, data: { port: 80 } }, 'Strict').causes[0]).toMatchObject({ field: 'data.port', reason: 'FieldValueTypeInvalid' });
  });

  it('prints DATA (data and binaryData keys) and AGE', () => {
    expect(configMapResource.versions[0].printerColumns.map((c) => c.name)).toEqual(['Data', 'Age']);
    expect(column(configMapResource, 'Data').value!(cm)).toBe(3);
    expect(configMapDataCount({})).toBe(0);
  });
});
