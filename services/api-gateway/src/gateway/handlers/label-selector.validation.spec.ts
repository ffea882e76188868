import { validateLabelSelector } from './networkpolicy.strategy';

const messages = (sel: unknown) => validateLabelSelector(sel, 'spec.selector').map((c) => `${c.field}: ${c.message}`);

describe('a label selector where the kind\'s schema leaves it loose', () => {
  it('takes a well-formed one', () => {
    expect(messages({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] })).toEqual([]);
  });

  it('refuses values of the wrong type with a 422 cause rather than failing (matchLabels {app: null} answered 500)', () => {
    expect(messages({ matchLabels: { app: null } })).toEqual(['spec.selector.matchLabels: Invalid value: null: must be of type string: "null"']);
    expect(messages({ matchExpressions: [{ key: 'tier', operator: 'In', values: [7] }] })).toEqual(['spec.selector.matchExpressions[0].values[0]: Invalid value: 7: must be of type string: "number"']);
    expect(messages({ matchExpressions: {} })).toEqual(['spec.selector.matchExpressions: Invalid value: {}: must be of type array']);
    expect(messages({ matchLabels: 'app=web' })).toEqual(['spec.selector.matchLabels: Invalid value: "app=web": must be of type object']);
  });
});
