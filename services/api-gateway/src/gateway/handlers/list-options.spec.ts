import { KubeApiError } from '@openpacific/kube-api';
import { sendsInitialEvents, validateListOptions } from './list-options';
import { timeoutSecondsOf } from './query-params';

const refusal = (query: Record<string, string>, watch: boolean) => {
  try {
    validateListOptions(new URLSearchParams(query), watch);
    return undefined;
  } catch (err) {
    return (err as KubeApiError).status;
  }
};

describe('the options of a list or a watch', () => {
  it('takes what kube-apiserver takes', () => {
    expect(refusal({}, false)).toBeUndefined();
    expect(refusal({ resourceVersion: '5', resourceVersionMatch: 'Exact' }, false)).toBeUndefined();
    expect(refusal({ resourceVersion: '0', resourceVersionMatch: 'NotOlderThan' }, false)).toBeUndefined();
    expect(refusal({ sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: 'true' }, true)).toBeUndefined();
    expect(refusal({ sendInitialEvents: 'false', resourceVersionMatch: 'NotOlderThan' }, true)).toBeUndefined();
    expect(refusal({ resourceVersion: '7' }, true)).toBeUndefined();
  });

  it('refuses a list\'s resourceVersionMatch without a resourceVersion, an unknown one, Exact at 0, and sendInitialEvents, with 422', () => {
    expect(refusal({ resourceVersionMatch: 'NotOlderThan' }, false)).toMatchObject({
      code: 422, reason: 'Invalid', message: 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      details: { group: 'meta.k8s.io', kind: 'ListOptions', causes: [{ field: 'resourceVersionMatch', reason: 'FieldValueForbidden' }] },
    });
    expect(refusal({ resourceVersion: '5', resourceVersionMatch: 'Newest' }, false)?.message).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""');
    expect(refusal({ resourceVersion: '0', resourceVersionMatch: 'Exact' }, false)?.message).toContain('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    expect(refusal({ resourceVersion: '5', resourceVersionMatch: 'Exact', continue: 'x' }, false)?.message).toContain('resourceVersionMatch is forbidden when continue is provided');
    expect(refusal({ sendInitialEvents: 'true' }, false)?.message).toBe('ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list');
  });

  it('refuses a watch\'s sendInitialEvents without NotOlderThan and a resourceVersionMatch without sendInitialEvents', () => {
    expect(refusal({ sendInitialEvents: 'true' }, true)?.message).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    expect(refusal({ resourceVersionMatch: 'NotOlderThan' }, true)?.message).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
    expect(refusal({ sendInitialEvents: 'true', resourceVersionMatch: 'Exact' }, true)?.message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]',
    );
  });

  it('reads sendInitialEvents as given, or not at all', () => {
    expect(sendsInitialEvents(new URLSearchParams({ sendInitialEvents: 'true' }))).toBe(true);
    expect(sendsInitialEvents(new URLSearchParams({ sendInitialEvents: 'false' }))).toBe(false);
    expect(sendsInitialEvents(new URLSearchParams())).toBeUndefined();
  });
});

describe('timeoutSeconds of a list or a watch', () => {
  it('is an int64, absent or empty meaning none', () => {
    expect(timeoutSecondsOf(new URLSearchParams(''))).toBe(0);
    expect(timeoutSecondsOf(new URLSearchParams('timeoutSeconds='))).toBe(0);
    expect(timeoutSecondsOf(new URLSearchParams('timeoutSeconds=30'))).toBe(30);
    expect(timeoutSecondsOf(new URLSearchParams('timeoutSeconds=-5'))).toBe(-5);
  });

  it('refuses anything else with a 400 in the parameter codec\'s words, for a list as for a watch', () => {
    for (const watch of [false, true]) {
      expect(refusal({ timeoutSeconds: 'abc' }, watch)).toMatchObject({ code: 400, reason: 'BadRequest', message: 'strconv.ParseInt: parsing "abc": invalid syntax' });
      expect(refusal({ timeoutSeconds: '1.5' }, watch)).toMatchObject({ code: 400 });
      expect(refusal({ timeoutSeconds: '99999999999999999999' }, watch)).toMatchObject({ code: 400, message: 'strconv.ParseInt: parsing "99999999999999999999": value out of range' });
    }
  });
});
