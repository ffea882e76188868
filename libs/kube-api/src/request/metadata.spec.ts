import { validateObjectMeta, validatePathSegmentName } from './metadata';

describe('names that only have to be one path segment (the RBAC kinds, as apimachinery\'s IsValidPathSegmentName)', () => {
  it('takes colons and capitals, refuses . and .. and any / or %', () => {
    expect(validatePathSegmentName('system:basic-user')).toEqual([]);
    expect(validatePathSegmentName('Team:Admins')).toEqual([]);
    expect(validatePathSegmentName('.')).toEqual(["may not be '.'"]);
    expect(validatePathSegmentName('..')).toEqual(["may not be '..'"]);
    expect(validatePathSegmentName('a/b%c')).toEqual(["may not contain '/'", "may not contain '%'"]);
  });

  it('is the name rule of a kind whose names are path segments, and not of a DNS-named one', () => {
    expect(validateObjectMeta({ name: 'system:controller:x' }, { nameFormat: 'path-segment', namespaced: false })).toEqual([]);
    expect(validateObjectMeta({ name: 'a/b' }, { nameFormat: 'path-segment', namespaced: false })).toEqual([
      { field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "a/b": may not contain '/'` },
    ]);
    expect(validateObjectMeta({ name: 'system:x' }, { nameFormat: 'dns1123-subdomain', namespaced: false })).toHaveLength(1);
  });
});

describe('a name given as null', () => {
  it('is a name left out, as Go decodes it: required unless generateName is given (it answered 500 from the log\'s event check)', () => {
    expect(validateObjectMeta({ name: null }, { nameFormat: 'dns1123-subdomain', namespaced: true })).toEqual([
      { field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' },
    ]);
    expect(validateObjectMeta({ name: null, generateName: 'web-', namespace: 'default' }, { nameFormat: 'dns1123-subdomain', namespaced: true })).toEqual([]);
  });
});
