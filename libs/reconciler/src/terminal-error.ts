import { CodedError } from '@openpacific/contracts';

export const TERMINAL_ERROR_CODE = 'RECONCILER.TERMINAL';

/**
 * Thrown by a reconcile that can never succeed by retrying (e.g. an invalid spec):
 * the controller logs it and drops the key instead of backing off forever.
 * A later change to the object enqueues the key again.
 */
export class TerminalError extends CodedError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? TERMINAL_ERROR_CODE, message, { cause: options?.cause });
    this.name = 'TerminalError';
  }
}

export function isTerminalError(err: unknown): err is TerminalError {
  return err instanceof TerminalError;
}
