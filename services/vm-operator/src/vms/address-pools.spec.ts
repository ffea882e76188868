import { addressesOf, addressOf, freeAddress, VM_IP_ANNOTATION } from './address-pools';

const vm = (ip?: string) => ({ metadata: { annotations: ip ? { [VM_IP_ANNOTATION]: ip } : {} } });

describe('VM address pools', () => {
  it('gives the lowest address no VM holds, and where to look for the next one', () => {
    const used = addressesOf([vm(addressOf(3, 1)), vm(addressOf(3, 3)), vm()]);
    expect(used.size).toBe(2);
    expect(freeAddress(3, used)).toEqual({ ip: addressOf(3, 2), n: 2 });
    used.add(addressOf(3, 2));
    expect(freeAddress(3, used, 3)).toEqual({ ip: addressOf(3, 4), n: 4 });
  });

  it('numbers addresses across /24s without .0 or .255', () => {
    expect(addressOf(1, 1)).toBe('127.65.0.1');
    expect(addressOf(1, 254)).toBe('127.65.0.254');
    expect(addressOf(1, 255)).toBe('127.65.1.1');
  });
});
