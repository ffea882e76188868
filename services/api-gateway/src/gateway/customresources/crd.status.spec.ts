import { namesAndConditions } from './crd.status';

const crd = (name: string, names: any, status?: any) => ({
  metadata: { name: `${name}.example.com` },
  spec: { group: 'example.com', names },
  ...(status ? { status } : {}),
});
const established = { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };

describe('the names a CustomResourceDefinition is given', () => {
  const widgets = crd('widgets', { plural: 'widgets', kind: 'Widget', shortNames: ['wd'] }, {
    acceptedNames: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'] },
    conditions: [established],
  });

  it('accepts names no other CRD of the group holds, and establishes the CRD', () => {
    const gadgets = crd('gadgets', { plural: 'gadgets', kind: 'Gadget' });
    const r = namesAndConditions(gadgets, [widgets, gadgets]);
    expect(r.accepted).toEqual({ plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' });
    expect(r.namesAccepted).toEqual({ type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' });
    expect(r.established).toEqual(established);
  });

  it('refuses a name another CRD of the group has accepted, and does not establish the CRD', () => {
    const clash = crd('gizmos', { plural: 'gizmos', singular: 'gizmo', kind: 'Widget', listKind: 'GizmoList' });
    const r = namesAndConditions(clash, [widgets, clash]);
    expect(r.namesAccepted).toEqual({ type: 'NamesAccepted', status: 'False', reason: 'KindConflict', message: '"Widget" is already in use' });
    expect(r.accepted).toEqual({ plural: 'gizmos', singular: 'gizmo', listKind: 'GizmoList' });
    // Each conflicting name is left out; the condition names the last one found, as apiextensions' naming controller does.
    const many = crd('gizmos', { plural: 'gizmos', kind: 'Widget', shortNames: ['wd'] });
    expect(namesAndConditions(many, [widgets, many]).namesAccepted).toMatchObject({ reason: 'ListKindConflict', message: '"WidgetList" is already in use' });
    expect(namesAndConditions(many, [widgets, many]).accepted).toEqual({ plural: 'gizmos' });
    expect(r.established).toEqual({ type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' });
    // Another group may use the same names.
    const elsewhere = { ...clash, spec: { ...clash.spec, group: 'example.org' } };
    expect(namesAndConditions(elsewhere, [widgets, elsewhere]).namesAccepted.status).toBe('True');
  });

  it('keeps an established CRD established when a later change of its names conflicts, serving the names it had', () => {
    const gadgets = crd('gadgets', { plural: 'gadgets', kind: 'Gadget', shortNames: ['wd'] }, {
      acceptedNames: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList', shortNames: [] },
      conditions: [established],
    });
    const r = namesAndConditions(gadgets, [widgets, gadgets]);
    expect(r.namesAccepted).toMatchObject({ status: 'False', reason: 'ShortNamesConflict', message: '"wd" is already in use' });
    expect(r.accepted.shortNames).toBeUndefined();
    expect(r.established).toEqual(established);
  });
});
