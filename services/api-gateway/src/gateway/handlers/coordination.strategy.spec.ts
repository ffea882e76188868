import { normalizeLease, validateLease } from './coordination.strategy';

const lease = (spec: any) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec });

describe('Lease validation, as kube-apiserver\'s ValidateLeaseSpec', () => {
  it('accepts a lease as client-go leader election writes it', () => {
    expect(validateLease(lease({ holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: '2026-12-04T03:30:00.123456Z', renewTime: '2026-12-04T03:30:10.000001Z', leaseTransitions: 0 }))).toEqual([]);
    expect(validateLease(lease(undefined))).toEqual([]);
  });

  it('refuses a leaseDurationSeconds that is not positive and negative leaseTransitions, naming the fields', () => {
    expect(validateLease(lease({ leaseDurationSeconds: 0, leaseTransitions: -1 }))).toEqual([
      { field: 'spec.leaseDurationSeconds', reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be greater than 0' },
      { field: 'spec.leaseTransitions', reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0' },
    ]);
  });

  it('accepts the Kubernetes strategy and qualified names of others, refuses other strategies', () => {
    expect(validateLease(lease({ strategy: 'OldestEmulationVersion', preferredHolder: 'b' }))).toEqual([]);
    expect(validateLease(lease({ strategy: 'example.com/Newest' }))).toEqual([]);
    expect(validateLease(lease({ strategy: 'Newest' }))).toEqual([
      { field: 'spec.strategy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Newest": supported values: "OldestEmulationVersion"' },
    ]);
    expect(validateLease(lease({ strategy: 'Bad_/x' }))[0]).toMatchObject({ field: 'spec.strategy', reason: 'FieldValueInvalid' });
  });

  it('refuses preferredHolder without a strategy', () => {
    expect(validateLease(lease({ preferredHolder: 'b' }))).toEqual([
      { field: 'spec.preferredHolder', reason: 'FieldValueForbidden', message: 'Forbidden: may only be specified if `strategy` is defined' },
    ]);
  });

  it('writes MicroTimes in UTC with six fractional digits, and refuses a time that is none', () => {
    const l = normalizeLease(lease({ acquireTime: '2026-12-04T05:30:00+02:00', renewTime: '2026-12-04T03:30:00.1234567Z' }));
    expect(l.spec).toEqual({ acquireTime: '2026-12-04T03:30:00.000000Z', renewTime: '2026-12-04T03:30:00.123456Z' });
    const bad = normalizeLease(lease({ renewTime: 'yesterday' }));
    expect(validateLease(bad)).toEqual([{ field: 'spec.renewTime', reason: 'FieldValueInvalid', message: 'Invalid value: "yesterday": must be an RFC 3339 time, e.g. 2026-12-04T03:30:00.123456Z' }]);
  });
});
