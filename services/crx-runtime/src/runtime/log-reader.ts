import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { ReadLogsRequest } from '@openpacific/contracts';

// dotAll: a terminal's lines end in a carriage return, which `.` alone does not match.
const RECORD = /^(\S+) (stdout|stderr) ([FP]) (.*)$/s;

/** A line of a container's output: one record, or the parts (tagged P) of a long one and its last (F). */
interface LogLine {
  time: string;
  text: string;
  whole: boolean;
}

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
  // Only whole records: a record still being written is read on the next follow.
  const end = text.lastIndexOf('\n') + 1;
  const lines: LogLine[] = [];
  // A long line's parts join up per stream (the other stream's lines may come in between); one whose last part is not
  // written yet is given as far as it goes, and a follow goes on with the rest.
  const open = new Map<string, LogLine>();
  for (const record of text.slice(0, end).split('\n')) {
    const m = RECORD.exec(record);
    if (!m) continue;
    let line = open.get(m[2]);
    if (!line) lines.push((line = { time: m[1], text: '', whole: false }));
    line.text += m[4];
    line.whole = m[3] === 'F';
    if (line.whole) open.delete(m[2]);
    else open.set(m[2], line);
  }
  const since = req.sinceTime ? Date.parse(req.sinceTime) : undefined;
  let kept = lines.filter((l) => since === undefined || Date.parse(l.time) >= since);
  if (req.tailLines !== undefined && req.tailLines >= 0) kept = kept.slice(Math.max(0, kept.length - req.tailLines));
  let content = kept.map((l) => `${req.timestamps ? `${l.time} ` : ''}${l.text}${l.whole ? '\n' : ''}`).join('');
  if (req.limitBytes !== undefined && Buffer.byteLength(content) > req.limitBytes) content = Buffer.from(content).subarray(0, req.limitBytes).toString('utf8');
  return { content, nextByte: from + Buffer.byteLength(text.slice(0, end)) };
}
