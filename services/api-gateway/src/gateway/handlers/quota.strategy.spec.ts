import { quotaKindStrategies, validateLimitRange, validateResourceQuota } from './quota.strategy';
import { storageKindStrategies } from './storage.strategy';

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

  it('keeps min <= defaultRequest <= default <= max and the ratio within 1..max/min, in kube-apiserver\'s words (a default over the max refused every defaulted pod)', () => {
    const messages = (item: object) => validateLimitRange({ spec: { limits: [{ type: 'Container', ...item }] } }).map((c) => `${c.field}: ${c.message}`);
    expect(messages({ min: { memory: '64Mi' }, defaultRequest: { memory: '128Mi' }, default: { memory: '256Mi' }, max: { memory: '1Gi' }, maxLimitRequestRatio: { memory: '4' } })).toEqual([]);
    expect(messages({ default: { cpu: '2' }, max: { cpu: '1' } })).toEqual(['spec.limits[0].default[cpu]: Invalid value: "1": default value 2 is greater than max value 1']);
    expect(messages({ min: { cpu: '1' }, default: { cpu: '500m' } })).toEqual(['spec.limits[0].default[cpu]: Invalid value: "1": min value 1 is greater than default value 500m']);
    expect(messages({ defaultRequest: { cpu: '2' }, default: { cpu: '1' } })).toEqual(['spec.limits[0].defaultRequest[cpu]: Invalid value: "2": default request value 2 is greater than default limit value 1']);
    expect(messages({ min: { cpu: '1' }, defaultRequest: { cpu: '100m' } })).toEqual(['spec.limits[0].defaultRequest[cpu]: Invalid value: "100m": min value 1 is greater than default request value 100m']);
    expect(messages({ maxLimitRequestRatio: { cpu: '0' } })).toEqual(['spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: "0": ratio 0 is less than 1']);
    expect(messages({ min: { cpu: '1' }, max: { cpu: '2' }, maxLimitRequestRatio: { cpu: '3' } })).toEqual(['spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: "3": ratio 3 is greater than max/min = 2.000000']);
  });
});

describe('status writes of a ResourceQuota and a PersistentVolumeClaim', () => {
  it('take only quantities, none below zero', () => {
    const quota = quotaKindStrategies['/ResourceQuota'];
    expect(quota.validateStatusUpdate!({}, { status: { hard: { pods: '10' }, used: { pods: '2' } } })).toEqual([]);
    expect(quota.validateStatusUpdate!({}, { status: { hard: { pods: 'lots' }, used: { pods: '-1' } } }).map((c) => c.field)).toEqual(['status.hard.pods', 'status.used.pods']);
    const claim = storageKindStrategies['/PersistentVolumeClaim'];
    expect(claim.validateStatusUpdate!({}, { status: { capacity: { storage: '1Gi' } } })).toEqual([]);
    const refused = claim.validateStatusUpdate!({}, { status: { capacity: { storage: 'fz-str' }, allocatedResources: { storage: '-1' } } });
    expect(refused.map((c) => `${c.field}: ${c.message}`)).toEqual([
      'status.capacity.storage: Invalid value: "fz-str": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
      'status.allocatedResources.storage: Invalid value: "-1": must be greater than or equal to 0',
    ]);
  });
});
