import { CodedError } from '@openpacific/contracts';
import type { ManagedProcess } from './managed-process';

export const LauncherErrorCodes = {
  childExited: 'LAUNCHER.CHILD_EXITED',
  timeout: 'LAUNCHER.TIMEOUT',
  postgresUnavailable: 'LAUNCHER.POSTGRES_UNAVAILABLE',
  natsUnavailable: 'LAUNCHER.NATS_UNAVAILABLE',
  notBuilt: 'LAUNCHER.NOT_BUILT',
} as const;

/** A child died while the cluster was starting; the launcher prints its log tail. */
export class ChildExitedError extends CodedError {
  constructor(readonly process: ManagedProcess) {
    super(LauncherErrorCodes.childExited, `${process.name} exited during start`);
  }
}
