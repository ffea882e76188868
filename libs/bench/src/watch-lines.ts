/**
 * Splits a newline-delimited JSON stream (a Kubernetes watch) into parsed events as chunks arrive:
 * a chunk may end in the middle of an event, so the tail waits for the next chunk.
 */
export class WatchLines<T = any> {
  private tail = '';

  push(chunk: string): T[] {
    const parts = (this.tail + chunk).split('\n');
    this.tail = parts.pop() ?? '';
    return parts.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
  }
}
