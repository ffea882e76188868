/** Output of a container as its log has it, for a client following it live (attach sessions). */
export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

const SPACE = 0x20;
const NEWLINE = 0x0a;

/**
 * The output in CRI log records appended to a container's log (`<time> <stream> <F|P> <bytes>`, a newline ending each):
 * a whole line (F) gets its newline back, a part of a long line (P) does not. A record not yet ended by its newline is
 * left for the next read: `used` is how many bytes were taken. Records of other shapes are skipped.
 */
export function outputOfLogRecords(bytes: Buffer): { chunks: OutputChunk[]; used: number } {
  const chunks: OutputChunk[] = [];
  let at = 0;
  for (;;) {
    const end = bytes.indexOf(NEWLINE, at);
    if (end < 0) break;
    const record = bytes.subarray(at, end);
    at = end + 1;
    const timeEnd = record.indexOf(SPACE);
    const streamEnd = timeEnd < 0 ? -1 : record.indexOf(SPACE, timeEnd + 1);
    if (streamEnd < 0 || record[streamEnd + 2] !== SPACE) continue;
    const stream = record.subarray(timeEnd + 1, streamEnd).toString();
    const tag = String.fromCharCode(record[streamEnd + 1]);
    if ((stream !== 'stdout' && stream !== 'stderr') || (tag !== 'F' && tag !== 'P')) continue;
    const text = record.subarray(Math.min(record.length, streamEnd + 3));
    const data = tag === 'F' ? Buffer.concat([text, Buffer.from('\n')]) : Buffer.from(text);
    const last = chunks[chunks.length - 1];
    // Lines of one stream that came together travel as one message.
    if (last?.stream === stream) last.data = Buffer.concat([last.data, data]);
    else chunks.push({ stream, data });
  }
  return { chunks, used: at };
}
