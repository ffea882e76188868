import type { LoggerService } from '@nestjs/common';
import type { Logger } from './logger';

/** Routes Nest's own log calls through our JSON logger, keeping Nest's context as a field. */
export class NestLoggerAdapter implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.logger.info(...this.shape(message, params));
  }
  error(message: unknown, ...params: unknown[]): void {
    this.logger.error(...this.shape(message, params));
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.logger.warn(...this.shape(message, params));
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.logger.debug(...this.shape(message, params));
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.logger.debug(...this.shape(message, params));
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.logger.error(...this.shape(message, params));
  }

  // Nest passes the context last and, for errors, a stack trace before it.
  private shape(message: unknown, params: unknown[]): [string, Record<string, unknown>] {
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') fields.context = rest.pop();
    if (rest.length === 1 && typeof rest[0] === 'string') fields.stack = rest[0];
    else if (rest.length > 0) fields.details = rest;
    if (message instanceof Error) return [message.message, { ...fields, error: message }];
    if (typeof message === 'string') return [message, fields];
    return ['nest', { ...fields, details: message }];
  }
}
