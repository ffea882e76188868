/**
 * Splits a newline-delimited JSON stream (a Kubernetes watch) into parsed events as chunks arrive:
 * a chunk may end in the middle of an event, so the tail waits for the next chunk.
 * With `only`, a line is parsed only if its text contains it: a bench waiting for one state (a pod's
 * `"phase":"Running"`) skips parsing the other events of each object, most of the stream in a burst.
 */
export class WatchLines<T = any> {
  private tail = '';

  constructor(private readonly only?: string) {}

  push(chunk: string): T[] {
    const lines = (this.tail + chunk).split('\n');
    this.tail = lines.pop() ?? '';
    const events: T[] = [];
    for (const line of lines) {
      if ((this.only === undefined || line.includes(this.only)) && line.trim() !== '') events.push(JSON.parse(line) as T);
    }
    return events;
  }
}
