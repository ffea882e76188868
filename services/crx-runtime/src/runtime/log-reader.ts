import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { ReadLogsRequest } from '@openpacific/contracts';

const LINE = /^(\S+) (stdout|stderr) [FP] (.*)$/;

/** Reads a CRI-format log file with kubectl's options (tail, since, timestamps, limit, follow offset). */
export function readLogFile(path: string, req: ReadLogsRequest): { content: string; nextByte: number } {
  if (!existsSync(path)) return { content: '', nextByte: 0 };
  const size = statSync(path).size;
  const from = Math.min(req.fromByte ?? 0, size);
  const buf = Buffer.alloc(size - from);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, buf.length, from);
  } finally {
    closeSync(fd);
  }
  const text = buf.toString('utf8');
  // Only whole lines: a line still being written is read on the next follow.
  const end = text.lastIndexOf('\n') + 1;
  let lines = text.slice(0, end).split('\n').filter(Boolean);
  const since = req.sinceTime ? Date.parse(req.sinceTime) : undefined;
  const parsed = lines.map((l) => LINE.exec(l)).filter((m): m is RegExpExecArray => !!m);
  let kept = parsed.filter((m) => since === undefined || Date.parse(m[1]) >= since);
  if (req.tailLines !== undefined && req.tailLines >= 0) kept = kept.slice(Math.max(0, kept.length - req.tailLines));
  lines = kept.map((m) => (req.timestamps ? `${m[1]} ${m[3]}` : m[3]));
  let content = lines.length ? `${lines.join('\n')}\n` : '';
  if (req.limitBytes !== undefined && Buffer.byteLength(content) > req.limitBytes) content = Buffer.from(content).subarray(0, req.limitBytes).toString('utf8');
  return { content, nextByte: from + Buffer.byteLength(text.slice(0, end)) };
}
