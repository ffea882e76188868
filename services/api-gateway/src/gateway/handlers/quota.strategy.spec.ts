import { validateLimitRange, validateResourceQuota } from './quota.strategy';

describe('ResourceQuota and LimitRange validation', () => {
  it('names the field of a malformed quantity', () => {
    const causes = validateResourceQuota({ spec: { hard: { pods: '10', 'requests.cpu': 'lots' } } });
    expect(causes).toEqual([expect.objectContaining({ field: 'spec.hard.requests.cpu', reason: 'FieldValueInvalid' })]);
    expect(causes[0].message).toContain('Invalid value: "lots": quantities must match the regular expression');
    expect(validateResourceQuota({ spec: { hard: { pods: '10', 'requests.memory': '1Gi' } } })).toEqual([]);
  });

  it('refuses a negative quantity', () => {
    expect(validateResourceQuota({ spec: { hard: { pods: '-1' } } })).toEqual([expect.objectContaining({ field: 'spec.hard.pods' })]);
  });

  it('checks every list of a LimitRange item, and min against max', () => {
    expect(validateLimitRange({ spec: { limits: [{ type: 'Container', default: { cpu: 'x' } }] } })).toEqual([expect.objectContaining({ field: 'spec.limits[0].default.cpu' })]);
    expect(validateLimitRange({ spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }] } })).toEqual([expect.objectContaining({ field: 'spec.limits[0].min[cpu]' })]);
  });
});
