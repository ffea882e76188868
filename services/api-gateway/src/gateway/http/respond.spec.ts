import { objectJson, sendList } from './respond';

const configMap = (name: string, resourceVersion: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, resourceVersion }, data: { k: `"${name}"\n` } });

/** Just what sendList writes. */
function captured(): { res: any; body: () => string; headers: () => Record<string, unknown> } {
  let body = '';
  let headers: Record<string, unknown> = {};
  const res = { writeHead: (_code: number, h: Record<string, unknown>) => (headers = h), end: (payload: string) => (body = payload) };
  return { res, body: () => body, headers: () => headers };
}

describe('encoding answers', () => {
  it('encodes an object once per resourceVersion, and an object without one every time', () => {
    const obj = configMap('a', '1');
    const first = objectJson(obj);
    expect(first).toBe(JSON.stringify(obj));
    expect(objectJson(obj)).toBe(first);
    // Changed in place under a new resourceVersion (never done by the read model): encoded again.
    obj.metadata.resourceVersion = '2';
    expect(JSON.parse(objectJson(obj)).metadata.resourceVersion).toBe('2');
    const status = { kind: 'Status', code: 404 };
    expect(objectJson(status)).toBe(JSON.stringify(status));
  });

  it('writes a list as JSON.stringify would, with and without list metadata', () => {
    const items = [configMap('a', '1'), configMap('b', '2')];
    for (const head of [{ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '5', continue: 'x' } }, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: undefined }, {}]) {
      for (const list of [items, []]) {
        const out = captured();
        sendList(out.res, head, list);
        expect(out.body()).toBe(JSON.stringify({ ...head, items: list }));
        expect(out.headers()['Content-Length']).toBe(Buffer.byteLength(out.body()));
      }
    }
  });
});
