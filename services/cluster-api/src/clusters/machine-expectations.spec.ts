import { MachineExpectations } from './machine-expectations';

describe('Machine expectations', () => {
  afterEach(() => jest.restoreAllMocks());

  it('counts an owner\'s creates until the log has them, a failed create, or a minute has passed', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000);
    const e = new MachineExpectations();
    e.created('ms-1', 'machines/ns/a');
    e.created('ms-1', 'machines/ns/b');
    e.created('ms-1', 'machines/ns/c');
    expect(e.pending('ms-1', [])).toBe(3);
    expect(e.pending('ms-1', ['machines/ns/a', 'machines/ns/other'])).toBe(2);
    e.failed('machines/ns/b');
    expect(e.pending('ms-1', [])).toBe(1);
    now.mockReturnValue(1_000 + 60_001);
    expect(e.pending('ms-1', [])).toBe(0);
    expect(e.pending('unknown', [])).toBe(0);
  });

  it('forgets owners no longer in the log', () => {
    const e = new MachineExpectations();
    e.created('kcp-1', 'machines/ns/cp');
    e.created('ms-2', 'machines/ns/w');
    e.keepOnly(new Set(['ms-2']));
    expect(e.pending('kcp-1', [])).toBe(0);
    expect(e.pending('ms-2', [])).toBe(1);
  });
});
