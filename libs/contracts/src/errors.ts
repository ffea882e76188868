/** Error codes shared by every component; only the api-gateway maps them to HTTP Status objects. */
export const ErrorCodes = {
  versionConflict: 'EVENTSTORE.VERSION_CONFLICT',
  unknownEventType: 'EVENTSTORE.UNKNOWN_EVENT_TYPE',
  invalidEvent: 'EVENTSTORE.INVALID_EVENT',
  admissionUnavailable: 'POLICY.UNAVAILABLE',
  configInvalid: 'CONFIG.INVALID',
} as const;

export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CodedError';
  }
}
