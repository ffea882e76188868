import { gunzipSync, gzipSync } from 'node:zlib';
import { rewriteHtmlLinks } from './proxy-html';
import { rewrittenLocation, withHtmlLinks } from './proxy';

const base = '/api/v1/namespaces/mon/services/grafana:3000/proxy';
const backend = { scheme: 'http' as const, host: '10.65.0.4', port: 3000 };
const rewrite = (url: string) => rewrittenLocation(url, backend, base, 'gw.example:6443');
const page = (html: string) => rewriteHtmlLinks(Buffer.from(html, 'latin1'), rewrite).toString('latin1');

describe("a proxied HTML page's links", () => {
  it('puts links to the backend under the proxy path, and leaves relative and other hosts\' links alone', () => {
    expect(page('<a href="/login?next=%2F&amp;x=1">in</a> <a href=rel.html>r</a> <a href="https://example.com/x">out</a>')).toBe(
      `<a href="${base}/login?next=%2F&amp;x=1">in</a> <a href=rel.html>r</a> <a href="https://example.com/x">out</a>`,
    );
    expect(page('<base href="/"><link rel=stylesheet href=\'/public/app.css\'><script src="/public/app.js" async></script>')).toBe(
      `<base href="${base}/"><link rel="stylesheet" href="${base}/public/app.css"><script src="${base}/public/app.js" async></script>`,
    );
    // The backend itself by address, or the gateway's own host: under the proxy; an already proxied link: kept.
    expect(page('<img src="http://10.65.0.4:3000/i.png"/><form action="https://gw.example:6443/save"></form>')).toBe(
      `<img src="${base}/i.png" /><form action="${base}/save"></form>`,
    );
    expect(page(`<a href="${base}/x">already</a>`)).toBe(`<a href="${base}/x">already</a>`);
  });

  it('leaves every byte outside a rewritten tag as it was, whatever the encoding, and tags without links untouched', () => {
    const utf8 = Buffer.from('<!doctype html><p class=x>Grüße — 日本</p><!-- <a href="/c"> --><a href="/é">ü</a>', 'utf8');
    const out = rewriteHtmlLinks(utf8, rewrite);
    expect(out.toString('utf8')).toBe(`<!doctype html><p class=x>Grüße — 日本</p><!-- <a href="/c"> --><a href="${base}/é">ü</a>`);
    const plain = Buffer.from('<div data-x="/y"><p>nothing</p></div>');
    expect(rewriteHtmlLinks(plain, rewrite).equals(plain)).toBe(true);
  });

  it('decompresses a gzip page, rewrites it and compresses it again', () => {
    const zipped = gzipSync(Buffer.from('<a href="/d">d</a>'));
    expect(gunzipSync(withHtmlLinks(zipped, 'gzip', rewrite)).toString()).toBe(`<a href="${base}/d">d</a>`);
    expect(withHtmlLinks(Buffer.from('<a href="/d">d</a>'), '', rewrite).toString()).toBe(`<a href="${base}/d">d</a>`);
  });
});
