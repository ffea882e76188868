/**
 * One read-modify-write at a time per object, within this gateway. Two patches of the same object in
 * flight together read the same version; the second one's append is refused (a version conflict) after
 * its admission round trip and append were spent, and it then waits for the log to bring the winner back
 * before trying again. Taking turns makes the second one start from the first one's result instead.
 * Writers elsewhere (other replicas, controllers) are still kept apart by the log's version check.
 */
export class ObjectTurns {
  /** The last turn queued per key: a turn starts when the previous one has settled. */
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, turn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    const mine = (previous ?? Promise.resolve()).then(turn, turn);
    // What the next one waits for must never reject (its own failure is its caller's).
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, settled);
    try {
      return await mine;
    } finally {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    }
  }

  /** Keys with a turn running or queued (tests). */
  get busy(): number {
    return this.tails.size;
  }
}
