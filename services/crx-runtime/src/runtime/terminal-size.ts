import { closeSync, constants, openSync, writeSync } from 'node:fs';

/** A window size as a client's resize message carries it (`{"Width":w,"Height":h}`). */
export interface TerminalSize {
  cols: number;
  rows: number;
}

/** The size in a resize message, or undefined for one that is not a sane size. */
export function terminalSizeOf(message: Buffer): TerminalSize | undefined {
  let size: { Width?: unknown; Height?: unknown };
  try {
    size = JSON.parse(message.toString());
  } catch {
    return undefined;
  }
  const [cols, rows] = [Number(size?.Width), Number(size?.Height)];
  const sane = (n: number) => Number.isInteger(n) && n > 0 && n <= 10000;
  return sane(cols) && sane(rows) ? { cols, rows } : undefined;
}

/**
 * Asks a container's monitor to set its terminal's window (native/crx-monitor.c): one fixed-width record written at
 * once (shorter than PIPE_BUF, so whole), which is how the monitor can read records without framing. Without
 * waiting: a monitor that has let go of the FIFO (the container ended) or a FIFO full of unread sizes loses this one.
 */
export function writeTerminalSize(controlPath: string, size: TerminalSize): void {
  let fd: number;
  try {
    fd = openSync(controlPath, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return;
  }
  try {
    writeSync(fd, `${String(size.rows).padStart(5)} ${String(size.cols).padStart(5)}\n`);
  } catch {
    // EAGAIN: see above.
  } finally {
    closeSync(fd);
  }
}
