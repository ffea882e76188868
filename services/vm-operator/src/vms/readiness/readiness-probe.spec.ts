import { VM_GUEST_HEARTBEAT_ANNOTATION, VM_GUEST_INFO_ANNOTATION } from '@openpacific/objects';
import { guestInfoResult, heartbeatResult, probeAction, probePeriodMs, readyCondition, withReadyCondition } from './readiness-probe';

const vm = (probe: any, opts: { power?: string; ip?: string; heartbeat?: string; guestinfo?: string } = {}) => ({
  metadata: {
    name: 'web-1', namespace: 'team-a', uid: 'u-1',
    annotations: { ...(opts.heartbeat ? { [VM_GUEST_HEARTBEAT_ANNOTATION]: opts.heartbeat } : {}), ...(opts.guestinfo !== undefined ? { [VM_GUEST_INFO_ANNOTATION]: opts.guestinfo } : {}) },
  },
  spec: { readinessProbe: probe },
  status: { powerState: opts.power ?? 'PoweredOn', network: opts.ip ? { primaryIP4: opts.ip } : {} },
});

describe('the readiness probe of a VM', () => {
  it('runs every periodSeconds, 10 s by default, and not at all without an action', () => {
    expect(probePeriodMs(vm({ tcpSocket: { port: 22 }, periodSeconds: 3 }))).toBe(3000);
    expect(probePeriodMs(vm({ guestHeartbeat: {} }))).toBe(10_000);
    expect(probePeriodMs(vm({ periodSeconds: 3 }))).toBeUndefined();
    expect(probePeriodMs({ metadata: {}, spec: {} })).toBeUndefined();
  });

  it('connects to the VM address, or the probe host, with timeoutSeconds (10 s by default)', () => {
    expect(probeAction(vm({ tcpSocket: { port: 22 } }, { ip: '127.64.1.2' }))).toEqual({ tcp: { host: '127.64.1.2', port: 22, timeoutMs: 10_000 } });
    expect(probeAction(vm({ tcpSocket: { port: 22, host: '127.0.0.1' }, timeoutSeconds: 2 }, { ip: '127.64.1.2' }))).toEqual({ tcp: { host: '127.0.0.1', port: 22, timeoutMs: 2000 } });
  });

  it('fails without probing a VM that is not powered on, has no address, or names its port', () => {
    expect(probeAction(vm({ tcpSocket: { port: 22 } }, { power: 'PoweredOff', ip: '127.64.1.2' }))).toEqual({ decided: { result: 'Failure', message: 'virtual machine is not powered on' } });
    expect(probeAction(vm({ tcpSocket: { port: 22 } }))).toEqual({ decided: { result: 'Failure', message: "VM team-a/web-1 doesn't have an IP assigned" } });
    expect(probeAction(vm({ tcpSocket: { port: 'ssh' } }, { ip: '127.64.1.2' }))).toMatchObject({ decided: { result: 'Failure' } });
  });

  it('compares the heartbeat the host reported with the threshold, green by default', () => {
    expect(probeAction(vm({ guestHeartbeat: {} }, { heartbeat: 'green' }))).toEqual({ decided: { result: 'Success' } });
    expect(probeAction(vm({ guestHeartbeat: {} }, { heartbeat: 'yellow' }))).toEqual({ decided: { result: 'Failure', message: 'heartbeat status "yellow" is below threshold' } });
    expect(heartbeatResult('yellow', 'yellow')).toEqual({ result: 'Success' });
    expect(heartbeatResult('gray', 'yellow').result).toBe('Failure');
    expect(heartbeatResult('red', 'yellow').result).toBe('Failure');
    expect(heartbeatResult(undefined, 'green')).toEqual({ result: 'Unknown', message: 'no heartbeat value' });
  });

  it('needs every guestinfo key set and matching its expression; an empty or invalid one matches anything', () => {
    const published = { 'guestinfo.ready': 'true', 'guestinfo.role': 'db-primary' };
    expect(guestInfoResult([{ key: 'ready', value: 'true' }, { key: 'role', value: '^db-' }], published)).toEqual({ result: 'Success' });
    expect(guestInfoResult([{ key: 'role' }, { key: 'ready', value: '(' }], published)).toEqual({ result: 'Success' });
    expect(guestInfoResult([{ key: 'ready', value: 'false' }], published).result).toBe('Failure');
    expect(guestInfoResult([{ key: 'missing', value: '' }], published)).toEqual({ result: 'Failure', message: 'guestinfo.missing is not set' });
  });

  it("reads the expression as Go's regexp (RE2): its flag groups, none of JavaScript's look-arounds, linear in what the guest set", () => {
    expect(guestInfoResult([{ key: 'ready', value: '(?i)^TRUE$' }], { 'guestinfo.ready': 'true' })).toEqual({ result: 'Success' });
    // Not RE2, so invalid, so it matches anything (JavaScript would read it and refuse `true`).
    expect(guestInfoResult([{ key: 'ready', value: '^(?!true)' }], { 'guestinfo.ready': 'true' })).toEqual({ result: 'Success' });
    // A guest's value that would hold a backtracking engine for ages.
    expect(guestInfoResult([{ key: 'ready', value: '^(a+)+$' }], { 'guestinfo.ready': `${'a'.repeat(5000)}!` }).result).toBe('Failure');
  });

  it('judges a guestInfo probe by the keys the host reported the guest set', () => {
    const probe = { guestInfo: [{ key: 'ready', value: 'true' }] };
    expect(probeAction(vm(probe, { guestinfo: JSON.stringify({ 'guestinfo.ready': 'true' }) }))).toEqual({ decided: { result: 'Success' } });
    expect(probeAction(vm(probe, { guestinfo: JSON.stringify({ 'guestinfo.ready': 'false' }) }))).toEqual({ decided: { result: 'Failure', message: 'guestinfo.ready does not match "true"' } });
    expect(probeAction(vm(probe, { guestinfo: JSON.stringify({ 'guestinfo.other': 'true' }) }))).toEqual({ decided: { result: 'Failure', message: 'guestinfo.ready is not set' } });
    expect(probeAction(vm(probe, { guestinfo: JSON.stringify({ 'guestinfo.ready': 'true' }), power: 'Suspended' }))).toEqual({ decided: { result: 'Failure', message: 'virtual machine is not powered on' } });
  });

  it('fails a guestInfo probe when the host reported nothing, or nothing it can read', () => {
    const probe = { guestInfo: [{ key: 'ready' }] };
    const notSet = { decided: { result: 'Failure', message: 'guestinfo.ready is not set' } };
    expect(probeAction(vm(probe, { ip: '127.64.1.2' }))).toEqual(notSet);
    for (const bad of ['not json', '["guestinfo.ready"]', '{"guestinfo.ready": 1}', '{"ready": "true"}', 'null']) expect(probeAction(vm(probe, { guestinfo: bad }))).toEqual(notSet);
  });
});

describe('the Ready condition', () => {
  it('is True, False NotReady or Unknown Unknown, as VM Operator writes it', () => {
    expect(readyCondition({ result: 'Success' })).toEqual({ type: 'Ready', status: 'True', reason: 'True', message: '' });
    expect(readyCondition({ result: 'Failure', message: 'm' })).toEqual({ type: 'Ready', status: 'False', reason: 'NotReady', message: 'm' });
    expect(readyCondition({ result: 'Unknown', message: 'm' })).toEqual({ type: 'Ready', status: 'Unknown', reason: 'Unknown', message: 'm' });
  });

  it('is written only when it changes, keeping its transition time while the status stays', () => {
    const created = { type: 'VirtualMachineCreated', status: 'True', reason: 'True', message: '', lastTransitionTime: 't0' };
    const status = { powerState: 'PoweredOn', conditions: [{ type: 'Ready', status: 'False', reason: 'NotReady', message: 'a', lastTransitionTime: 't1' }, created] };
    const clock = () => 't2';
    expect(withReadyCondition(status, readyCondition({ result: 'Failure', message: 'a' }), clock)).toBeUndefined();
    expect(withReadyCondition(status, readyCondition({ result: 'Failure', message: 'b' }), clock).conditions[0]).toMatchObject({ message: 'b', lastTransitionTime: 't1' });
    const ready = withReadyCondition(status, readyCondition({ result: 'Success' }), clock);
    expect(ready.conditions).toEqual([{ type: 'Ready', status: 'True', reason: 'True', message: '', lastTransitionTime: 't2' }, created]);
    expect(ready.powerState).toBe('PoweredOn');
    expect(withReadyCondition(undefined, readyCondition({ result: 'Success' }), clock).conditions).toHaveLength(1);
  });
});
