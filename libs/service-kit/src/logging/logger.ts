import { hostname } from 'node:os';
import type { LogLevel } from '../config/base-config';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (line: string) => void;

const stdoutSink: LogSink = (line) => process.stdout.write(line + '\n');

/**
 * A logger writing one JSON object per line on stdout:
 * {"time","level","service","instance","msg",...fields}.
 */
export function createLogger(
  service: string,
  level: LogLevel = 'info',
  instance = `${hostname()}-${process.pid}`,
  sink: LogSink = stdoutSink,
): Logger {
  return new JsonLogger(SEVERITY[level], { service, instance }, sink);
}

class JsonLogger implements Logger {
  constructor(
    private readonly threshold: number,
    private readonly base: Record<string, unknown>,
    private readonly sink: LogSink,
  ) {}

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.write('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.write('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.write('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.write('error', msg, fields);
  }

  child(fields: Record<string, unknown>): Logger {
    return new JsonLogger(this.threshold, { ...this.base, ...fields }, this.sink);
  }

  private write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (SEVERITY[level] < this.threshold) return;
    const record = { time: new Date().toISOString(), level, ...this.base, msg, ...fields };
    this.sink(safeStringify(record));
  }
}

function safeStringify(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, replacer);
  } catch {
    // A cyclic or otherwise unserialisable field must never lose the message itself.
    return JSON.stringify({ time: record.time, level: record.level, service: record.service, msg: record.msg });
  }
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const coded = value as Error & { code?: unknown; cause?: unknown };
    return { name: value.name, message: value.message, code: coded.code, cause: coded.cause, stack: value.stack };
  }
  return value;
}
