import { powerStateStamp } from '@openpacific/contracts';
import { appliedStamp, applying, bootSchedule, memberLink, parseDuration, powerSynced, readyCondition } from './group-logic';

const STAMP = 'vmoperator.vmware.com.protected/last-updated-power-state-time';
const APPLY = 'vmoperator.vmware.com.protected/apply-power-state-time';
const T0 = Date.parse('2026-01-01T00:00:00.5Z');
const group = (spec: any, annotations: Record<string, string> = { [STAMP]: '2026-01-01T00:00:00.5Z' }, status?: any) => ({ metadata: { name: 'app', annotations }, spec, ...(status ? { status } : {}) });
const bootOrder = [
  { members: [{ name: 'db', kind: 'VirtualMachine' }] },
  { members: [{ name: 'app', kind: 'VirtualMachine' }, { name: 'tier', kind: 'VirtualMachineGroup' }], powerOnDelay: '1m30s' },
  { members: [{ name: 'web' }], powerOnDelay: '500ms' },
];

describe('a group’s boot order', () => {
  it('parses Go durations, and not what Go would refuse', () => {
    expect([parseDuration('30s'), parseDuration('1m30s'), parseDuration('1.5h'), parseDuration('250ms'), parseDuration(undefined), parseDuration('0')]).toEqual([30_000, 90_000, 5_400_000, 250, 0, 0]);
    expect([parseDuration('30'), parseDuration('1 m'), parseDuration('s')]).toEqual([undefined, undefined, undefined]);
  });

  it('powers on each entry after the delays so far, counted from the power-state stamp', () => {
    expect(bootSchedule(group({ powerState: 'PoweredOn', bootOrder }))).toEqual([
      { at: T0, members: [{ kind: 'VirtualMachine', name: 'db' }] },
      { at: T0 + 90_000, members: [{ kind: 'VirtualMachine', name: 'app' }, { kind: 'VirtualMachineGroup', name: 'tier' }] },
      { at: T0 + 90_500, members: [{ kind: 'VirtualMachine', name: 'web' }] },
    ]);
  });

  it('counts from the time its parent applied the power-on, for a nested group', () => {
    const nested = group({ powerState: 'PoweredOn', bootOrder }, { [STAMP]: '2026-01-01T00:00:00.5Z', [APPLY]: '2026-01-01T00:01:00Z' });
    expect((bootSchedule(nested) as any[]).map((s) => s.at - T0)).toEqual([59_500, 149_500, 150_000]);
  });

  it('powers off and suspends every entry at once', () => {
    expect((bootSchedule(group({ powerState: 'PoweredOff', bootOrder }, { [STAMP]: '2026-01-01T00:00:00.5Z', [APPLY]: 'x' })) as any[]).map((s) => s.at - T0)).toEqual([0, 0, 0]);
  });

  it('reports a delay that is not a duration', () => {
    expect(bootSchedule(group({ powerState: 'PoweredOn', bootOrder: [{ members: [], powerOnDelay: '5' }] }))).toEqual({ error: 'spec.bootOrder[0].powerOnDelay: time: invalid duration "5"' });
  });

  it('is applying until the status records the stamp it applied (whole seconds)', () => {
    expect(applying(group({}))).toBe(false);
    expect(applying(group({ powerState: 'PoweredOn' }))).toBe(true);
    expect(applying(group({ powerState: 'PoweredOn' }, undefined, { lastUpdatedPowerStateTime: '2026-01-01T00:00:00Z' }))).toBe(false);
    expect(applying(group({ powerState: 'PoweredOn' }, undefined, { lastUpdatedPowerStateTime: '2025-12-31T23:59:59Z' }))).toBe(true);
    // The power state before finished applying at 00:00:07 (its stamp 00:00:03); one stamped at 00:00:07.4 is new.
    const after = group({ powerState: 'PoweredOff' }, { [STAMP]: '2026-01-01T00:00:07.4Z' }, { lastUpdatedPowerStateTime: '2026-01-01T00:00:03Z' });
    expect(applying(after)).toBe(true);
    expect(appliedStamp(after)).toBe(Date.parse('2026-01-01T00:00:07Z'));
    // Applied (stamp 00:00:00.5 recorded as 00:00:00); a new power state within that second is stamped 00:00:01.
    const applied = group({ powerState: 'PoweredOff' }, undefined, { lastUpdatedPowerStateTime: '2026-01-01T00:00:00Z' });
    const next = powerStateStamp(applied.metadata.annotations[STAMP], T0 + 300);
    expect(next).toBe('2026-01-01T00:00:01Z');
    expect(applying(group({ powerState: 'PoweredOn' }, { [STAMP]: next }, applied.status))).toBe(true);
  });
});

describe('a group’s members', () => {
  it('links a member whose groupName names the group, and says why not otherwise', () => {
    const m = { kind: 'VirtualMachine' as const, name: 'db' };
    expect(memberLink(m, { spec: { groupName: 'app' } }, 'app')).toMatchObject({ status: 'True' });
    expect(memberLink(m, undefined, 'app')).toEqual({ type: 'GroupLinked', status: 'False', reason: 'NotFound', message: '' });
    expect(memberLink(m, { spec: {} }, 'app')).toMatchObject({ reason: 'NotMember', message: 'member "VirtualMachine/db" has no group name' });
    expect(memberLink(m, { spec: { groupName: 'other' } }, 'app')).toMatchObject({ reason: 'NotMember', message: 'member "VirtualMachine/db" has different group name: "other"' });
  });

  it('syncs power: True when observed, Pending while applying, NotSynced when changed outside the group', () => {
    const on = group({ powerState: 'PoweredOn' });
    expect(powerSynced(group({}), {}, true)).toBeUndefined();
    expect(powerSynced(on, { status: { powerState: 'PoweredOn' } }, false)).toMatchObject({ status: 'True' });
    expect(powerSynced(on, { spec: { powerState: 'PoweredOff' }, status: { powerState: 'PoweredOff' } }, true)).toMatchObject({ reason: 'Pending' });
    expect(powerSynced(on, { spec: { powerState: 'PoweredOff' }, status: { powerState: 'PoweredOff' } }, false)).toMatchObject({ reason: 'NotSynced' });
  });

  it('is Ready when every member has its conditions True', () => {
    const linked = { type: 'GroupLinked', status: 'True' };
    expect(readyCondition([])).toMatchObject({ status: 'True', reason: 'True' });
    expect(readyCondition([{ kind: 'VirtualMachine', name: 'db', conditions: [linked] }])).toMatchObject({ status: 'True' });
    expect(readyCondition([
      { kind: 'VirtualMachine', name: 'db', conditions: [linked, { type: 'PowerStateSynced', status: 'False' }] },
      { kind: 'VirtualMachineGroup', name: 'tier', conditions: [linked] },
      { kind: 'VirtualMachine', name: 'web', conditions: [linked] },
    ])).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'MembersNotReady',
      message: '2 of 3 members not ready: VirtualMachine/db condition PowerStateSynced is False; VirtualMachineGroup/tier missing condition Ready',
    });
  });
});
