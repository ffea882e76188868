/**
 * A list kept current by one watch: list (paged with limit/continue; on the first list each page is shown as
 * it arrives, counted with the server's remainingItemCount), then
 * `?watch=true&resourceVersion=<rv>&allowWatchBookmarks=true` read as newline-delimited JSON; when the
 * stream ends or fails it re-watches from the last version seen, and on 410 Gone it lists again. Views
 * share one ListWatch per path and query; it stops when its last subscriber leaves.
 */
import { ApiError, getJson, messageOf, request } from './api';

/** The first page is kubectl's size, so the first rows are drawn soon; the rest come in fewer, larger pages. */
export const FIRST_PAGE = 500;
export const PAGE = 2000;
const RETRY_MS = 1000;

export interface ListState {
  items: any[];
  /** The whole list has arrived (and the watch keeps it current). */
  loaded: boolean;
  /** While the first list is still arriving: how many objects it holds (items so far + the server's remainingItemCount). */
  total?: number;
  error?: string;
}

type Listener = (s: ListState) => void;

export function keyOf(obj: any): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
}

/**
 * Namespace, then name, by code unit: the order the API serves list pages in, so pages append without moving
 * the rows already drawn (and far cheaper than a locale-aware compare on 10,000 objects).
 */
export function compareObjects(a: any, b: any): number {
  const an = a.metadata?.namespace ?? '';
  const bn = b.metadata?.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  const a2 = a.metadata?.name ?? '';
  const b2 = b.metadata?.name ?? '';
  return a2 < b2 ? -1 : a2 > b2 ? 1 : 0;
}

/** The size of a list of which `received` objects have arrived, from a page's metadata. */
export function listTotal(received: number, meta: { remainingItemCount?: number } | undefined): number | undefined {
  const remaining = meta?.remainingItemCount;
  return typeof remaining === 'number' && remaining >= 0 ? received + remaining : undefined;
}

class ListWatch {
  private readonly objects = new Map<string, any>();
  private readonly listeners = new Set<Listener>();
  private resourceVersion = '';
  private abort = new AbortController();
  private state: ListState = { items: [], loaded: false };
  private pending = false;
  private retry?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly path: string,
    private readonly query: URLSearchParams,
  ) {}

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    l(this.state);
    if (this.listeners.size === 1) void this.run();
    return () => {
      this.listeners.delete(l);
      if (this.listeners.size === 0) this.stop();
    };
  }

  get active(): boolean {
    return this.listeners.size > 0;
  }

  private stop(): void {
    this.abort.abort();
    clearTimeout(this.retry);
  }

  private async run(): Promise<void> {
    this.abort = new AbortController();
    try {
      // after a failure, carry on from the last version seen; list only the first time (and on 410)
      if (!this.state.loaded) await this.list();
      for (;;) await this.watch();
    } catch (err) {
      if (this.abort.signal.aborted) return;
      // a forbidden or unknown list will not get better by itself
      const final = err instanceof ApiError && [400, 401, 403, 404, 405, 422].includes(err.code);
      this.state = { ...this.state, error: final ? messageOf(err) : `Connection lost (${messageOf(err)}); reconnecting…` };
      this.emit();
      if (!final) this.retry = setTimeout(() => void this.run(), RETRY_MS);
    }
  }

  /**
   * Lists in pages, all from the state of the first (the gateway's continue tokens carry it); the watch then
   * starts from that state's resourceVersion. The first time, each page is shown as it arrives; a re-list
   * (after 410) keeps showing the old state until the new one is complete.
   */
  private async list(): Promise<void> {
    const signal = this.abort.signal;
    const progressive = !this.state.loaded;
    const fresh = new Map<string, any>();
    let cont = '';
    do {
      const q = new URLSearchParams(this.query);
      q.set('limit', String(cont ? PAGE : FIRST_PAGE));
      if (cont) q.set('continue', cont);
      const page = await getJson(`${this.path}?${q}`, { signal });
      for (const item of page.items ?? []) fresh.set(keyOf(item), item);
      this.resourceVersion = page.metadata?.resourceVersion ?? '';
      cont = page.metadata?.continue ?? '';
      if (progressive && cont) {
        // Pages come in the order the rows are drawn in: what has arrived is shown now, the count is the list's.
        this.state = { items: [...fresh.values()].sort(compareObjects), loaded: false, total: listTotal(fresh.size, page.metadata) };
        this.emit();
      }
    } while (cont);
    this.objects.clear();
    for (const [k, v] of fresh) this.objects.set(k, v);
    this.state = { items: [...this.objects.values()].sort(compareObjects), loaded: true };
    this.emit();
  }

  private async watch(): Promise<void> {
    const q = new URLSearchParams(this.query);
    q.set('watch', 'true');
    q.set('allowWatchBookmarks', 'true');
    if (this.resourceVersion) q.set('resourceVersion', this.resourceVersion);
    let res: Response;
    try {
      res = await request(`${this.path}?${q}`, { signal: this.abort.signal });
    } catch (err) {
      if (err instanceof ApiError && err.code === 410) return this.list();
      throw err;
    }
    if (this.state.error) {
      this.state = { ...this.state, error: undefined };
      this.emit();
    }
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line && (await this.apply(JSON.parse(line))) === 'relisted') return;
      }
    }
  }

  private async apply(ev: { type: string; object: any }): Promise<'ok' | 'relisted'> {
    if (ev.type === 'ERROR') {
      if (ev.object?.code === 410) {
        await this.list();
        return 'relisted';
      }
      throw new ApiError(ev.object?.code ?? 500, ev.object?.message ?? 'watch failed');
    }
    const rv = ev.object?.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (ev.type === 'BOOKMARK') return 'ok';
    if (ev.type === 'DELETED') this.objects.delete(keyOf(ev.object));
    else this.objects.set(keyOf(ev.object), ev.object);
    this.changed();
    return 'ok';
  }

  /** Many events in a burst are shown once. */
  private changed(): void {
    if (this.pending) return;
    this.pending = true;
    setTimeout(() => {
      this.pending = false;
      const items = [...this.objects.values()].sort(compareObjects);
      this.state = { items, loaded: this.state.loaded, total: this.state.loaded ? undefined : this.state.total };
      this.emit();
    }, 16);
  }

  private emit(): void {
    for (const l of this.listeners) l(this.state);
  }
}

const shared = new Map<string, ListWatch>();

/** Subscribe to the live list at `path` filtered by `query` (labelSelector, fieldSelector). */
export function watchList(path: string, query: Record<string, string | undefined>, l: Listener): () => void {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const key = `${path}?${q}`;
  let lw = shared.get(key);
  if (!lw || !lw.active) {
    lw = new ListWatch(path, q);
    shared.set(key, lw);
  }
  const unsubscribe = lw.subscribe(l);
  return () => {
    unsubscribe();
    if (!lw.active && shared.get(key) === lw) shared.delete(key);
  };
}
