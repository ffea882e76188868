import { ResourceRequest } from '../core';
import { decodeDeleteOptions, deleteOptionsOf, validateDeleteOptions } from './delete-options';
import { statusOf } from './thrown-status.spec-support';

/** A DELETE as the handler sees it: its query and, when given, its JSON body. */
const request = (query: string, body?: unknown) =>
  ({ query: new URLSearchParams(query), body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)), req: { headers: { 'content-type': 'application/json' } } }) as unknown as ResourceRequest;

describe('DeleteOptions from the query (the parameter codec)', () => {
  it('reads each option from its first value, as the generated url.Values conversion does', () => {
    expect(deleteOptionsOf(request('gracePeriodSeconds=%2B5&gracePeriodSeconds=abc&propagationPolicy=Orphan&dryRun=All'))).toEqual({
      gracePeriodSeconds: 5, propagationPolicy: 'Orphan', dryRun: ['All'],
    });
    expect(deleteOptionsOf(request('gracePeriodSeconds=-3'))).toEqual({ gracePeriodSeconds: -3 });
    expect(deleteOptionsOf(request('labelSelector=app%3Dweb'))).toEqual({});
  });

  it('refuses a grace period that is no int64 with a 400 in strconv\'s words', () => {
    for (const [raw, why] of [['abc', 'invalid syntax'], ['', 'invalid syntax'], ['1.5', 'invalid syntax'], ['1_000', 'invalid syntax'], ['9223372036854775808', 'value out of range']]) {
      expect(statusOf(() => deleteOptionsOf(request(`gracePeriodSeconds=${raw}`)))).toMatchObject({
        code: 400, reason: 'BadRequest', message: `strconv.ParseInt: parsing "${raw}": ${why}`,
      });
    }
    expect(deleteOptionsOf(request('gracePeriodSeconds=-9223372036854775808')).gracePeriodSeconds).toBe(-(2 ** 63));
  });

  it('reads orphanDependents as kube\'s lenient bool: only 0 and false (any case) are false', () => {
    expect(deleteOptionsOf(request('orphanDependents=FALSE')).orphanDependents).toBe(false);
    expect(deleteOptionsOf(request('orphanDependents=0')).orphanDependents).toBe(false);
    expect(deleteOptionsOf(request('orphanDependents=')).orphanDependents).toBe(true);
    expect(deleteOptionsOf(request('orphanDependents=yes')).orphanDependents).toBe(true);
  });
});

describe('DeleteOptions from a body', () => {
  it('takes the body alone when there is one, the query left unread as kube-apiserver leaves it', () => {
    expect(deleteOptionsOf(request('gracePeriodSeconds=abc&dryRun=All', { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: '' } }))).toEqual({
      gracePeriodSeconds: 0, preconditions: { uid: '' },
    });
    expect(deleteOptionsOf(request('', { propagationPolicy: null, dryRun: null, unknown: 1 }))).toEqual({});
  });

  it('refuses a field of the wrong JSON type with a 400 in encoding/json\'s words', () => {
    const refusal = (body: unknown) => statusOf(() => deleteOptionsOf(request('', body))).message;
    expect(refusal({ gracePeriodSeconds: 'abc' })).toBe('json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64');
    expect(refusal({ gracePeriodSeconds: 1.5 })).toBe('json: cannot unmarshal number 1.5 into Go struct field DeleteOptions.gracePeriodSeconds of type int64');
    expect(refusal({ orphanDependents: 'true' })).toBe('json: cannot unmarshal string into Go struct field DeleteOptions.orphanDependents of type bool');
    expect(refusal({ propagationPolicy: 1 })).toBe('json: cannot unmarshal number into Go struct field DeleteOptions.propagationPolicy of type v1.DeletionPropagation');
    expect(refusal({ dryRun: 'All' })).toBe('json: cannot unmarshal string into Go struct field DeleteOptions.dryRun of type []string');
    expect(refusal({ dryRun: [true] })).toBe('json: cannot unmarshal bool into Go struct field DeleteOptions.dryRun of type string');
    expect(refusal({ preconditions: { uid: 7 } })).toBe('json: cannot unmarshal number into Go struct field Preconditions.preconditions.uid of type types.UID');
    expect(refusal([])).toBe('json: cannot unmarshal array into Go value of type v1.DeleteOptions');
  });

  it('names the Eviction field its deleteOptions sit in', () => {
    expect(statusOf(() => decodeDeleteOptions({ gracePeriodSeconds: true }, 'deleteOptions')).message).toBe(
      'json: cannot unmarshal bool into Go struct field DeleteOptions.deleteOptions.gracePeriodSeconds of type int64',
    );
    expect(statusOf(() => decodeDeleteOptions('x', 'deleteOptions')).message).toBe('json: cannot unmarshal string into Go struct field Eviction.deleteOptions of type v1.DeleteOptions');
  });
});

describe('ValidateDeleteOptions', () => {
  it('takes every propagation policy kube knows, orphanDependents alone, and dryRun All', () => {
    for (const propagationPolicy of ['Foreground', 'Background', 'Orphan'] as const) expect(() => validateDeleteOptions({ propagationPolicy })).not.toThrow();
    expect(() => validateDeleteOptions({ orphanDependents: false, dryRun: ['All'] })).not.toThrow();
  });

  it('refuses an unknown propagation policy as field.NotSupported, "nil" among the supported values', () => {
    expect(statusOf(() => deleteOptionsOf(request('propagationPolicy=Sideways')))).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 422, reason: 'Invalid',
      message: 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"',
      details: {
        name: '', group: 'meta.k8s.io', kind: 'DeleteOptions',
        causes: [{ field: 'propagationPolicy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"' }],
      },
    });
    expect(statusOf(() => deleteOptionsOf(request('propagationPolicy='))).message).toBe(
      'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "": supported values: "Foreground", "Background", "Orphan", "nil"',
    );
  });

  it('refuses orphanDependents with a propagation policy, and a dryRun other than All, every cause in one 422', () => {
    expect(statusOf(() => deleteOptionsOf(request('', { orphanDependents: true, propagationPolicy: 'Orphan' }))).message).toBe(
      'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set',
    );
    const both = statusOf(() => deleteOptionsOf(request('orphanDependents=true&propagationPolicy=x&dryRun=All&dryRun=Some')));
    expect(both.message).toBe(
      'DeleteOptions.meta.k8s.io "" is invalid: [propagationPolicy: Invalid value: "x": orphanDependents and deletionPropagation cannot be both set, ' +
        'propagationPolicy: Unsupported value: "x": supported values: "Foreground", "Background", "Orphan", "nil", ' +
        'dryRun: Unsupported value: []string{"All", "Some"}: supported values: "All"]',
    );
    expect(both.details.causes.map((c: any) => c.reason)).toEqual(['FieldValueInvalid', 'FieldValueNotSupported', 'FieldValueNotSupported']);
  });
});
