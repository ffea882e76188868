import { guestInfoAnnotationValue, VM_GUEST_INFO_ANNOTATION, vmGuestInfo } from './vm-readiness';

describe('the guestinfo annotation', () => {
  it('holds only guestinfo keys, sorted, and is absent for none', () => {
    expect(guestInfoAnnotationValue({ 'guestinfo.b': '2', other: 'x', 'guestinfo.a': '1' })).toBe('{"guestinfo.a":"1","guestinfo.b":"2"}');
    expect(guestInfoAnnotationValue({ other: 'x' })).toBeUndefined();
    expect(guestInfoAnnotationValue(undefined)).toBeUndefined();
  });

  it('reads back as the keys the host reported, and as none when it cannot be read', () => {
    const vm = (value?: string) => ({ metadata: { annotations: value === undefined ? {} : { [VM_GUEST_INFO_ANNOTATION]: value } } });
    expect(vmGuestInfo(vm(guestInfoAnnotationValue({ 'guestinfo.ready': 'true' })))).toEqual({ 'guestinfo.ready': 'true' });
    expect(vmGuestInfo(vm('{"guestinfo.a": "1", "guestinfo.n": 2, "x": "y"}'))).toEqual({ 'guestinfo.a': '1' });
    for (const bad of [undefined, '', 'nope', '[]', 'null', '"s"']) expect(vmGuestInfo(vm(bad))).toEqual({});
    expect(vmGuestInfo({})).toEqual({});
  });
});
