import { useEffect, useState } from 'preact/hooks';
import { AccessQuery, ApiError, canI, getJson, messageOf } from './api';
import { collectionPath, preferredResource, ResourceInfo } from './discovery';
import { USAGE_PERIOD_MS, usageByName, UsageState } from './usage';
import { ListState, watchList } from './watch';

const RETRY_MS = 1000;

/**
 * A resource at its group's preferred version, found through discovery. The API's answer is final; a request
 * the network lost is asked again (until then its message shows).
 */
export function useResource(group: string, plural: string): { info?: ResourceInfo; error?: string } {
  const [state, setState] = useState<{ info?: ResourceInfo; error?: string }>({});
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const find = () =>
      preferredResource(group, plural).then(
        (info) => live && setState({ info }),
        (err) => {
          if (!live) return;
          setState({ error: messageOf(err) });
          if (!(err instanceof ApiError)) timer = setTimeout(find, RETRY_MS);
        },
      );
    void find();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [group, plural]);
  return state;
}

/** The live list of a resource (all namespaces unless `namespace`), filtered server-side. */
export function useLiveList(info: ResourceInfo | undefined, namespace?: string, query: Record<string, string | undefined> = {}): ListState {
  const [state, setState] = useState<ListState>({ items: [], loaded: false });
  const path = info ? collectionPath(info, namespace) : undefined;
  const queryKey = JSON.stringify(query);
  useEffect(() => {
    if (!path) return undefined;
    return watchList(path, JSON.parse(queryKey), setState);
  }, [path, queryKey]);
  return state;
}

/** Whether the signed-in user may do this; `false` until the API says yes. */
export function useCan(q: AccessQuery | undefined): boolean {
  const [allowed, setAllowed] = useState(false);
  const key = q ? JSON.stringify(q) : '';
  useEffect(() => {
    setAllowed(false);
    if (!key) return undefined;
    let live = true;
    void canI(JSON.parse(key)).then((ok) => live && setAllowed(ok));
    return () => void (live = false);
  }, [key]);
  return allowed;
}

/**
 * The latest usage of the hosts (`nodes`) or of the pods (of `namespace`, or all), read from metrics.k8s.io now
 * and every USAGE_PERIOD_MS while the page shows it.
 */
export function useUsage(kind: 'nodes' | 'pods', namespace?: string): UsageState {
  const [state, setState] = useState<UsageState>({ byName: new Map() });
  const path = `/apis/metrics.k8s.io/v1beta1/${namespace ? `namespaces/${encodeURIComponent(namespace)}/` : ''}${kind}`;
  useEffect(() => {
    let live = true;
    const controller = new AbortController();
    const read = () =>
      getJson(path, { signal: controller.signal }).then(
        (list) => live && setState({ byName: usageByName(list) }),
        (err) => live && setState((s) => ({ byName: s.byName, error: messageOf(err) })),
      );
    void read();
    const timer = setInterval(read, USAGE_PERIOD_MS);
    return () => {
      live = false;
      clearInterval(timer);
      controller.abort();
    };
  }, [path]);
  return state;
}
