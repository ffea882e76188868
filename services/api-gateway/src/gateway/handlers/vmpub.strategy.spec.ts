import { defaultPublishRequest, validatePublishRequest, validatePublishRequestUpdate } from './vmpub.strategy';

const req = (spec: any) => ({ metadata: { name: 'web-1', namespace: 'ns' }, spec });

describe('VirtualMachinePublishRequest admission', () => {
  it('defaults the source to a v1alpha5 VirtualMachine and the location to a ContentLibrary, keeping what is given', () => {
    const out = defaultPublishRequest(req({ source: { name: 'web-2' }, target: { location: { name: 'lib' } } }));
    expect(out.spec.source).toEqual({ name: 'web-2', apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine' });
    expect(out.spec.target.location).toEqual({ name: 'lib', apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibrary' });
    expect(defaultPublishRequest({ metadata: { name: 'x' } }).spec.source.kind).toBe('VirtualMachine');
  });

  it('accepts a defaulted empty spec and a source at any served vmoperator version', () => {
    expect(validatePublishRequest(defaultPublishRequest(req({})))).toEqual([]);
    expect(validatePublishRequest(req({ source: { apiVersion: 'vmoperator.vmware.com/v1alpha1', kind: 'VirtualMachine' } }))).toEqual([]);
  });

  it('refuses another source kind or group and another location kind or version, naming each field', () => {
    const causes = validatePublishRequest(req({
      source: { apiVersion: 'v1', kind: 'Pod' },
      target: { location: { apiVersion: 'imageregistry.vmware.com/v1alpha2', kind: 'ClusterContentLibrary' } },
    }));
    expect(causes.map((c) => c.field)).toEqual(['spec.source.apiVersion', 'spec.source.kind', 'spec.target.location.apiVersion', 'spec.target.location.kind']);
    expect(causes[1].message).toBe('Unsupported value: "Pod": supported values: "VirtualMachine", ""');
    expect(causes.every((c) => c.reason === 'FieldValueNotSupported')).toBe(true);
  });

  it('keeps source and target immutable, but not the TTL', () => {
    const old = defaultPublishRequest(req({ target: { item: { name: 'a' } } }));
    const moved = defaultPublishRequest(req({ target: { item: { name: 'b' } } }));
    expect(validatePublishRequestUpdate(old, moved)).toEqual([
      expect.objectContaining({ field: 'spec.target', reason: 'FieldValueInvalid', message: expect.stringMatching(/field is immutable$/) }),
    ]);
    const other = defaultPublishRequest(req({ source: { name: 'web-2' }, target: { item: { name: 'a' } } }));
    expect(validatePublishRequestUpdate(old, other).map((c) => c.field)).toEqual(['spec.source']);
    const ttl = defaultPublishRequest(req({ target: { item: { name: 'a' } }, ttlSecondsAfterFinished: 60 }));
    expect(validatePublishRequestUpdate(old, ttl)).toEqual([]);
  });
});
