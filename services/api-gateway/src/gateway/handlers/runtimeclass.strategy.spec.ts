import { runtimeClassResource } from '@openpacific/contracts';
import { validateRuntimeClass, validateRuntimeClassUpdate } from './runtimeclass.strategy';

const rc = (over: any = {}) => ({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'fast' }, handler: 'crx', ...over });

describe('node.k8s.io/v1 RuntimeClass strategy', () => {
  it('takes a DNS-label handler, whole overheads and a labelled node selector', () => {
    expect(validateRuntimeClass(rc({ overhead: { podFixed: { cpu: '250m', memory: '64Mi' } }, scheduling: { nodeSelector: { 'example.com/sandbox': 'yes' } } }))).toEqual([]);
    expect(runtimeClassResource.versions[0].printerColumns!.map((c) => c.name)).toEqual(['Handler', 'Age']);
  });

  it('refuses a missing or upper-case handler, a negative or unreadable overhead and a bad node selector, naming the field', () => {
    expect(validateRuntimeClass(rc({ handler: undefined })).map((c) => `${c.field}: ${c.message}`)).toEqual([
      expect.stringMatching(/^handler: Invalid value: "": a lowercase RFC 1123 label must consist of/),
    ]);
    expect(validateRuntimeClass(rc({ handler: 'Runsc' }))[0]).toMatchObject({ field: 'handler', message: expect.stringMatching(/^Invalid value: "Runsc": a lowercase RFC 1123 label/) });
    expect(validateRuntimeClass(rc({ overhead: { podFixed: { cpu: '-1', memory: 'lots' } } })).map((c) => `${c.field}: ${c.message}`)).toEqual([
      'overhead.podFixed[cpu]: Invalid value: "-1": must be greater than or equal to 0',
      `overhead.podFixed[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ]);
    expect(validateRuntimeClass(rc({ scheduling: { nodeSelector: { 'bad key!': 'x', ok: 'not ok!' } } })).map((c) => c.field)).toEqual(['scheduling.nodeSelector', 'scheduling.nodeSelector']);
  });

  it('keeps the handler immutable', () => {
    expect(validateRuntimeClassUpdate(rc(), rc({ handler: 'runsc' }))).toEqual([{ field: 'handler', reason: 'FieldValueInvalid', message: 'Invalid value: "runsc": field is immutable' }]);
    expect(validateRuntimeClassUpdate(rc(), rc({ overhead: { podFixed: { cpu: '1' } } }))).toEqual([]);
  });
});
