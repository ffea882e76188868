import { validateReadinessProbe } from './vm.strategy';

describe('a VM readiness probe', () => {
  it('may name one action at most, as the validating webhook rules', () => {
    expect(validateReadinessProbe({ tcpSocket: { port: 22 }, guestHeartbeat: {} })).toEqual([
      { field: 'spec.readinessProbe', reason: 'FieldValueForbidden', message: 'Forbidden: only one action can be specified' },
    ]);
    expect(validateReadinessProbe({ guestHeartbeat: {}, guestInfo: [{ key: 'ready' }] })).toHaveLength(1);
    expect(validateReadinessProbe({ guestHeartbeat: {}, guestInfo: [] })).toEqual([]);
    expect(validateReadinessProbe({ periodSeconds: 5 })).toEqual([]);
    expect(validateReadinessProbe(undefined)).toEqual([]);
  });

  it('takes a TCP port from 1 to 65535 or an IANA service name', () => {
    expect(validateReadinessProbe({ tcpSocket: { port: 65535 } })).toEqual([]);
    expect(validateReadinessProbe({ tcpSocket: { port: 'ssh' } })).toEqual([]);
    for (const port of [0, 70000, 2.5]) {
      expect(validateReadinessProbe({ tcpSocket: { port } })).toEqual([
        { field: 'spec.readinessProbe.tcpSocket.port', reason: 'FieldValueInvalid', message: `Invalid value: ${port}: must be between 1 and 65535, inclusive` },
      ]);
    }
    expect(validateReadinessProbe({ tcpSocket: { port: 'Not_A-Name' } })[0].field).toBe('spec.readinessProbe.tcpSocket.port');
  });
});
