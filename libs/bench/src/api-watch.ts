import { request } from 'node:https';
import { WatchLines } from './watch-lines';

export interface ApiWatch {
  close(): void;
}

/**
 * A watch on the API (`?watch=true`), as a client sees objects change: `onEvent` gets every
 * WatchEvent as it arrives. Resolves once the server has answered, so what is created after
 * that is seen. Benchmarks take the moment an object shows a state here as its end time.
 * With `only`, events whose JSON text does not contain it are not parsed nor passed on (see `WatchLines`).
 */
export function watchApi(server: string, ca: string, token: string, path: string, onEvent: (type: string, object: any) => void, only?: string): Promise<ApiWatch> {
  const url = new URL(path, server);
  url.searchParams.set('watch', 'true');
  return new Promise((res, rej) => {
    const req = request(url, { method: 'GET', ca, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (r) => {
      if (r.statusCode !== 200) return rej(new Error(`watch ${path}: HTTP ${r.statusCode}`));
      const lines = new WatchLines<{ type: string; object: any }>(only);
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => {
        for (const e of lines.push(chunk)) onEvent(e.type, e.object);
      });
      r.on('error', () => undefined);
      res({ close: () => req.destroy() });
    });
    req.on('error', rej);
    req.end();
  });
}
