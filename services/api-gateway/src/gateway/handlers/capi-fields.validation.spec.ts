import { atoiError, formatGoDuration, intOrPercentCauses, intValue, newCauses, parseGoDuration, selectorError, semverCauses } from './capi-fields.validation';

describe("the fields Cluster API's webhooks share", () => {
  it('parses durations as time.ParseDuration does, with its errors', () => {
    expect(parseGoDuration('1h30m')).toEqual({ ns: 5_400_000_000_000n });
    expect(parseGoDuration('1.5s')).toEqual({ ns: 1_500_000_000n });
    expect(parseGoDuration('-2m')).toEqual({ ns: -120_000_000_000n });
    expect(parseGoDuration('0')).toEqual({ ns: 0n });
    expect(parseGoDuration('500µs')).toEqual({ ns: 500_000n });
    expect(parseGoDuration('abc')).toEqual({ error: 'time: invalid duration "abc"' });
    expect(parseGoDuration('10')).toEqual({ error: 'time: missing unit in duration "10"' });
    expect(parseGoDuration('10x')).toEqual({ error: 'time: unknown unit "x" in duration "10x"' });
    expect(parseGoDuration('')).toEqual({ error: 'time: invalid duration ""' });
    expect(parseGoDuration('3000000h')).toEqual({ error: 'time: invalid duration "3000000h"' });
  });

  it('prints durations as time.Duration.String() does', () => {
    const text = (d: string) => formatGoDuration((parseGoDuration(d) as { ns: bigint }).ns);
    expect(['10s', '90s', '2h', '1.5s', '500ms', '0', '-20s', '1h0m0.25s', '750ns', '1.2µs'].map(text))
      .toEqual(['10s', '1m30s', '2h0m0s', '1.5s', '500ms', '0s', '-20s', '1h0m0.25s', '750ns', '1.2µs']);
  });

  it('refuses an int-or-percent string that is not `<int>%`, as GetScaledValueFromIntOrPercent words it', () => {
    expect(intOrPercentCauses('spec.maxUnhealthy', '40%')).toEqual([]);
    expect(intOrPercentCauses('spec.maxUnhealthy', 3)).toEqual([]);
    expect(intOrPercentCauses('spec.maxUnhealthy', '5')).toEqual([{
      field: 'spec.maxUnhealthy', reason: 'FieldValueInvalid',
      message: 'Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"5"}: must be either an int or a percentage: invalid value for IntOrString: invalid type: string is not a percentage',
    }]);
    expect(intOrPercentCauses('spec.maxUnhealthy', 'a%')[0].message).toBe(
      'Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"a%"}: must be either an int or a percentage: invalid value for IntOrString: invalid value "a%": strconv.Atoi: parsing "a": invalid syntax',
    );
    expect(atoiError('99999999999999999999')).toBe('strconv.Atoi: parsing "99999999999999999999": value out of range');
    expect([intValue('1'), intValue('50%'), intValue(0)]).toEqual([1, 0, 0]);
  });

  it('refuses a selector as LabelSelectorAsSelector does', () => {
    expect(selectorError({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] })).toBeUndefined();
    expect(selectorError({ matchExpressions: [{ key: 'tier', operator: 'Equals', values: ['a'] }] })).toBe('"Equals" is not a valid label selector operator');
    expect(selectorError({ matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] })).toBe("values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty");
    expect(selectorError({ matchLabels: { app: 'a b' } })).toMatch(/^values\[0\]\[app\]: Invalid value: "a b": a valid label must be/);
  });

  it('judges a version as the defaulting webhook leaves it, with its `v`', () => {
    expect(semverCauses('spec.version', '1.29.4')).toEqual([]);
    expect(semverCauses('spec.version', 'v1.29.4+vmware.1')).toEqual([]);
    expect(semverCauses('spec.version', '1.29')).toEqual([{ field: 'spec.version', reason: 'FieldValueInvalid', message: 'Invalid value: "v1.29": must be a valid semantic version' }]);
    expect(semverCauses('spec.version', undefined)).toEqual([]);
  });

  it('judges an update on what it makes wrong, not on what the stored object already had', () => {
    const a = { field: 'spec.x', reason: 'FieldValueInvalid', message: 'Invalid value: 1: no' };
    const b = { field: 'spec.y', reason: 'FieldValueInvalid', message: 'Invalid value: 2: no' };
    expect(newCauses([a, b], [a], { old: { spec: { x: 'bad' } }, next: { spec: { x: 'bad' } } })).toEqual([b]);
    // A cause the stored object had too, at a field the update changed, is the update's.
    expect(newCauses([a], [a], { old: { spec: { x: 2 } }, next: { spec: { x: 4 } } })).toEqual([a]);
  });
});
