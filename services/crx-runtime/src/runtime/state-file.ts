import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * A JSON state kept in one file, written whole and renamed into place. A change is marked (`changed`) and written
 * once, as soon as the code running now is done (a microtask), for every change it made: the requests of one
 * read from the NATS socket share a write. A burst of starts (a host taking over a failed one's pods) changed the
 * runtime's state a hundred times in a second, and each write took 2-4 ms of its one thread. Not later than that
 * (a timer, or the next turn of the event loop): every answer waits for the write, once `persisted()` says so.
 */
export class StateFile<T> {
  private dirty = false;
  /** The write already due for the changes marked since the last one. */
  private writing?: Promise<void>;

  private constructor(
    private readonly path: string,
    readonly value: T,
  ) {}

  /** The state the file holds, or `initial` where there is none yet. */
  static open<T>(path: string, initial: () => T): StateFile<T> {
    return new StateFile(path, existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : initial());
  }

  changed(): void {
    this.dirty = true;
    if (this.writing) return;
    const written = new Promise<void>((resolve, reject) =>
      queueMicrotask(() => {
        this.writing = undefined;
        try {
          this.write();
          resolve();
        } catch (err) {
          reject(err);
        }
      }),
    );
    // Whoever waits for it hears of a failure; nobody waiting is no crash (the state stays dirty and goes again).
    written.catch(() => undefined);
    this.writing = written;
  }

  /** Resolves once every change marked so far is written (rejects if the write failed). */
  persisted(): Promise<void> {
    if (this.writing) return this.writing;
    if (!this.dirty) return Promise.resolve();
    // A write that failed before: try again now.
    try {
      this.write();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Writes the state now, changed or not (a process on its way out). */
  writeNow(): void {
    this.dirty = true;
    this.write();
  }

  private write(): void {
    if (!this.dirty) return;
    writeFileSync(`${this.path}.tmp`, JSON.stringify(this.value));
    renameSync(`${this.path}.tmp`, this.path);
    this.dirty = false;
  }
}
