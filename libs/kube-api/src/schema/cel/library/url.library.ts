import type * as Cel from '@bufbuild/cel';
import { isRequestUri } from '../../string-formats';
import { expectOpaque, opaque } from './opaque-values';

/** A URL split as Go's net/url.Parse splits it. */
interface ParsedUrl {
  scheme: string;
  host: string;
  path: string;
  query: string;
}

function parseUrl(s: string): ParsedUrl {
  const noFragment = s.split('#')[0];
  const [beforeQuery, ...rest] = noFragment.split('?');
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^/]*))?(.*)$/.exec(beforeQuery)!;
  return { scheme: (m[1] ?? '').toLowerCase(), host: (m[2] ?? '').replace(/^[^@]*@/, ''), path: m[3], query: rest.join('?') };
}

/** Go's URL.Hostname and URL.Port: the host without brackets or port, and the port alone. */
function splitHost(host: string): { hostname: string; port: string } {
  const bracketed = /^\[([^\]]*)\](?::(\d*))?$/.exec(host);
  if (bracketed) return { hostname: bracketed[1], port: bracketed[2] ?? '' };
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && /^\d*$/.test(host.slice(colon + 1))) return { hostname: host.slice(0, colon), port: host.slice(colon + 1) };
  return { hostname: host, port: '' };
}

/** Go's url.ParseQuery, keeping the pairs it can decode. */
function parseQuery(query: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pair of query.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const [k, ...v] = pair.split('=');
    try {
      const key = decodeURIComponent(k.replace(/\+/g, ' '));
      const value = decodeURIComponent(v.join('=').replace(/\+/g, ' '));
      out.set(key, [...(out.get(key) ?? []), value]);
    } catch {
      // An undecodable pair is dropped, as Go's URL.Query drops it.
    }
  }
  return out;
}

/** Kubernetes' URL library: `url()`, `isURL()` and the accessors of a URL. */
export function urlLibrary(cel: typeof Cel): Cel.CelFunc[] {
  const { CelScalar, celFunc, celMethod, mapType, listType } = cel;
  const { STRING, BOOL } = CelScalar;
  const URL = mapType(CelScalar.DYN, CelScalar.DYN);
  const get = (u: unknown, fn: string) => expectOpaque<ParsedUrl>('URL', u, fn);
  const accessor = (name: string, read: (u: ParsedUrl) => string) => celMethod(name, URL, [], STRING, function () { return read(get(this, name)); });
  return [
    celFunc('url', [STRING], URL, (s) => {
      if (!isRequestUri(s)) throw new Error(`URL parse error during conversion from string: parse ${JSON.stringify(s)}: invalid URI for request`);
      return opaque(cel, 'URL', s, parseUrl(s));
    }),
    celFunc('isURL', [STRING], BOOL, (s) => isRequestUri(s)),
    accessor('getScheme', (u) => u.scheme),
    accessor('getHost', (u) => u.host),
    accessor('getHostname', (u) => splitHost(u.host).hostname),
    accessor('getPort', (u) => splitHost(u.host).port),
    accessor('getEscapedPath', (u) => u.path),
    celMethod('getQuery', URL, [], mapType(STRING, listType(STRING)), function () { return parseQuery(get(this, 'getQuery').query); }),
  ];
}
