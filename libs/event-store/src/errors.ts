import { CodedError, ErrorCodes } from '@openpacific/contracts';

export type ExpectedVersion = 'any' | 'no_stream' | number;

/** The stream was not at the version the writer based its decision on. */
export class VersionConflictError extends CodedError {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: ExpectedVersion,
    readonly actualVersion: number,
  ) {
    super(ErrorCodes.versionConflict, `stream ${streamId} is at version ${actualVersion}, expected ${expectedVersion}`);
    this.name = 'VersionConflictError';
  }
}

export class CheckpointConflictError extends CodedError {
  constructor(readonly consumer: string) {
    super('EVENTSTORE.CHECKPOINT_CONFLICT', `checkpoint of ${consumer} was moved by someone else`);
    this.name = 'CheckpointConflictError';
  }
}
