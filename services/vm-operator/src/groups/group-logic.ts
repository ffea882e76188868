import { VMG_LAST_UPDATED_POWER_STATE_ANNOTATION, VMG_APPLY_POWER_STATE_ANNOTATION } from '@openpacific/contracts';
import { byConditionType } from '@openpacific/objects';
import type { Condition } from '../snapshots/snapshot.status';

export const GROUP_FINALIZER = 'vmoperator.vmware.com/virtualmachinegroup';
export const GROUP_LINKED = 'GroupLinked';
export const POWER_STATE_SYNCED = 'PowerStateSynced';
export const PLACEMENT_READY = 'PlacementReady';


export interface Member {
  kind: 'VirtualMachine' | 'VirtualMachineGroup';
  name: string;
}

/** One boot-order entry with the time its members are due: the group's power-on time plus the delays so far. */
export interface Step {
  members: Member[];
  at: number;
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A metav1.Duration (Go's time.ParseDuration: `30s`, `1m30s`, `1.5h`, `500ms`) in milliseconds; undefined if it does not parse. */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return 0;
  if (text === '0') return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text);
  if (!m) return undefined;
  let total = 0;
  for (const part of text.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * UNITS[part[2]];
  return m[1] === '-' ? -total : total;
}

export const ok = (type: string): Condition => ({ type, status: 'True', reason: 'True', message: '' });
export const not = (type: string, reason: string, message = ''): Condition => ({ type, status: 'False', reason, message });

const parseTime = (text: string | undefined): number | undefined => {
  const t = text ? Date.parse(text) : NaN;
  return Number.isNaN(t) ? undefined : t;
};


/**
 * Whether the group is still applying its power state: one is set, and the status has not recorded applying it
 * since the webhook last stamped the group (a new power state, or `nextForcePowerStateSyncTime: now`).
 */
export function applying(group: any): boolean {
  if (!group.spec?.powerState) return false;
  const done = parseTime(group.status?.lastUpdatedPowerStateTime);
  return done === undefined || done < appliedStamp(group);
}

/**
 * What `status.lastUpdatedPowerStateTime` records once the group's power state is applied: the webhook's stamp of
 * that power state, in whole seconds as metav1.Time keeps it. (Not the time the last entry was applied: a new power
 * state stamped within the second the previous one finished would then look applied already.) No two stamps share
 * a second: powerStateStamp moves one in the previous stamp's second to the next.
 */
export function appliedStamp(group: any): number {
  const stamped = parseTime(group.metadata.annotations?.[VMG_LAST_UPDATED_POWER_STATE_ANNOTATION]) ?? 0;
  return Math.floor(stamped / 1000) * 1000;
}

/**
 * The boot order as due times. Powering on counts from the time the group's parent applied it to this group (its
 * apply-power-state-time annotation) or else from the group's own power-state stamp, and each entry's
 * `powerOnDelay` adds to the ones before it; powering off or suspending has no delays.
 */
export function bootSchedule(group: any): Step[] | { error: string } {
  const on = group.spec?.powerState === 'PoweredOn';
  const annotations = group.metadata.annotations ?? {};
  let at = (on ? parseTime(annotations[VMG_APPLY_POWER_STATE_ANNOTATION]) : undefined) ?? parseTime(annotations[VMG_LAST_UPDATED_POWER_STATE_ANNOTATION]) ?? 0;
  const steps: Step[] = [];
  for (const [i, entry] of (group.spec?.bootOrder ?? []).entries()) {
    const delay = parseDuration(entry?.powerOnDelay);
    if (delay === undefined) return { error: `spec.bootOrder[${i}].powerOnDelay: time: invalid duration ${JSON.stringify(entry.powerOnDelay)}` };
    if (on) at += delay;
    steps.push({ at, members: (entry?.members ?? []).map((m: any) => ({ kind: m.kind ?? 'VirtualMachine', name: m.name })) });
  }
  return steps;
}

/** The group's boot order lists this object (by kind and name): the rule for a member whose groupName names it. */
export function lists(group: any, kind: string, name: string): boolean {
  return (group.spec?.bootOrder ?? []).some((e: any) => (e?.members ?? []).some((m: any) => (m.kind ?? 'VirtualMachine') === kind && m.name === name));
}

/** A member's GroupLinked condition (on the member itself): its groupName's group exists and lists it. */
export function linkedCondition(group: any | undefined, kind: string, name: string): Condition {
  if (!group) return not(GROUP_LINKED, 'NotFound');
  return lists(group, kind, name) ? ok(GROUP_LINKED) : not(GROUP_LINKED, 'NotMember');
}

/** How the group sees one member it lists: as VM Operator's reconcileMember words it. */
export function memberLink(member: Member, obj: any | undefined, groupName: string): Condition {
  const key = `${member.kind}/${member.name}`;
  if (!obj) return not(GROUP_LINKED, 'NotFound');
  const theirs = obj.spec?.groupName ?? '';
  if (theirs === groupName) return ok(GROUP_LINKED);
  return not(GROUP_LINKED, 'NotMember', theirs ? `member "${key}" has different group name: "${theirs}"` : `member "${key}" has no group name`);
}

/**
 * PowerStateSynced of a linked VM: True once its observed power state is the group's; Pending while the group is
 * applying it (or the VM already asks for it); NotSynced when the VM's power was changed outside the group.
 */
export function powerSynced(group: any, vm: any, isApplying: boolean): Condition | undefined {
  const want = group.spec?.powerState;
  if (!want) return undefined;
  if (vm.status?.powerState === want) return ok(POWER_STATE_SYNCED);
  return isApplying || vm.spec?.powerState === want ? not(POWER_STATE_SYNCED, 'Pending') : not(POWER_STATE_SYNCED, 'NotSynced');
}

/** PlacementReady of a linked VM: the scheduler has placed it (or it already runs somewhere). */
export function placementReady(vm: any, groupName: string, linked: boolean): Condition {
  if (!linked) return not(PLACEMENT_READY, 'Error', `VM "${vm?.metadata?.name}" is not linked for group "${groupName}"`);
  if (vm.status?.uniqueID || vm.status?.nodeName) return ok(PLACEMENT_READY);
  const vmPlacement = (vm.status?.conditions ?? []).find((c: any) => c.type === 'VirtualMachineConditionPlacementReady' && c.status === 'False');
  return not(PLACEMENT_READY, vmPlacement?.reason ?? 'Pending', vmPlacement?.message ?? '');
}

/** A member is ready when every condition it has is True and those its kind needs are there. */
function memberProblem(ms: any): string | undefined {
  const key = `${ms.kind}/${ms.name}`;
  const expected = ms.kind === 'VirtualMachine' ? [GROUP_LINKED] : [GROUP_LINKED, 'Ready'];
  const conditions: Condition[] = ms.conditions ?? [];
  for (const type of expected) {
    const c = conditions.find((x) => x.type === type);
    if (!c) return `${key} missing condition ${type}`;
    if (c.status !== 'True') return `${key} condition ${type} is ${c.status}`;
  }
  const bad = conditions.find((c) => c.status !== 'True');
  return bad ? `${key} condition ${bad.type} is ${bad.status}` : undefined;
}

/** The group's Ready condition: True with no members or all members ready and no error; else why not. */
export function readyCondition(members: any[], error?: string): Condition {
  const problems = members.map(memberProblem).filter((p): p is string => !!p);
  if (problems.length) return not('Ready', 'MembersNotReady', `${problems.length} of ${members.length} members not ready: ${problems.join('; ')}`);
  return error ? not('Ready', 'Error', error) : ok('Ready');
}

/** `next` by type, keeping the transition time of those whose status did not change, sorted by type. */
export function mergeConditions(previous: Condition[] | undefined, next: Condition[], now: string): Condition[] {
  return next
    .map((c) => {
      const before = previous?.find((p) => p.type === c.type);
      return { ...c, lastTransitionTime: before && before.status === c.status ? before.lastTransitionTime : now };
    })
    .sort(byConditionType);
}

/** `conditions` with `c` in place of its type (or without that type, for undefined), keeping the transition time. */
export function withCondition(conditions: Condition[] | undefined, type: string, c: Condition | undefined, now: string): Condition[] {
  const others = (conditions ?? []).filter((x) => x.type !== type);
  return c ? mergeConditions(conditions, [...others, c], now) : others;
}
