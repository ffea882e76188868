import { VersionConflictError } from '@openpacific/event-store';
import type { Logger } from '@openpacific/service-kit';

/** How soon a pass with a failed step runs again. */
const RETRY_MS = 500;

/**
 * The steps of one controller pass, each tried apart so one object's failure holds up no other: a failed step is
 * logged (`<prefix> <what> failed`; not a version conflict, which only means another writer came first) and the whole
 * pass runs again RETRY_MS later. For the controllers that keep several kinds in one pass (zones, content library items).
 */
export class PassSteps {
  private failed = false;

  constructor(
    private readonly logger: Logger,
    private readonly prefix: string,
  ) {}

  async attempt(what: string, name: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (!(err instanceof VersionConflictError)) this.logger.warn(`${this.prefix} ${what} failed`, { name, error: (err as Error).message });
      this.failed = true;
    }
  }

  /** At the pass's end: runs it again soon if a step failed. */
  finish(schedule: () => void): void {
    if (this.failed) setTimeout(schedule, RETRY_MS).unref();
    this.failed = false;
  }
}
