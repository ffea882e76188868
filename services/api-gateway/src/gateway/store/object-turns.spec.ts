import { ObjectTurns } from './object-turns';

const tick = () => new Promise((r) => setImmediate(r));

describe('ObjectTurns', () => {
  it('runs the turns of one key one after another, in order', async () => {
    const turns = new ObjectTurns();
    const log: string[] = [];
    let release!: () => void;
    const first = turns.run('a', async () => {
      log.push('first starts');
      await new Promise<void>((r) => (release = r));
      log.push('first ends');
      return 1;
    });
    const second = turns.run('a', async () => {
      log.push('second starts');
      return 2;
    });
    await tick();
    expect(log).toEqual(['first starts']);
    release();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(['first starts', 'first ends', 'second starts']);
    expect(turns.busy).toBe(0);
  });

  it('lets other keys run meanwhile', async () => {
    const turns = new ObjectTurns();
    let release!: () => void;
    const held = turns.run('a', () => new Promise<void>((r) => (release = r)));
    await expect(turns.run('b', async () => 'b ran')).resolves.toBe('b ran');
    release();
    await held;
  });

  it('gives a failed turn its own error and still runs the next one', async () => {
    const turns = new ObjectTurns();
    const failed = turns.run('a', async () => {
      throw new Error('conflict');
    });
    const next = turns.run('a', async () => 'next ran');
    await expect(failed).rejects.toThrow('conflict');
    await expect(next).resolves.toBe('next ran');
    expect(turns.busy).toBe(0);
  });
});
