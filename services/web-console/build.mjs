// Bundles the console into dist/: one JS bundle and one stylesheet named by their content's hash
// (app-<hash>.js, app-<hash>.css: the gateway lets browsers keep them for a year), index.html naming them,
// and each file also brotli- and gzip-compressed beside it (.br, .gz) so the gateway compresses nothing at
// request time. No inline script or style (the gateway serves /console/ with a strict Content-Security-Policy).
import { build } from 'esbuild';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
// CONSOLE_DIST: build elsewhere (to look at the output while a gateway serves dist/).
const out = process.env.CONSOLE_DIST ?? join(here, 'dist');
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const common = { bundle: true, minify: true, outdir: out, entryNames: '[name]-[hash]', legalComments: 'none', logLevel: 'warning', metafile: true };
const js = await build({
  ...common,
  entryPoints: { app: join(here, 'src/main.tsx') },
  sourcemap: true,
  format: 'esm',
  target: ['chrome110', 'firefox115'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
});
const css = await build({ ...common, entryPoints: { app: join(here, 'src/styles.css') } });

/** The output file of an entry with this extension (esbuild's metafile names them relative to the cwd). */
function outputOf(result, ext) {
  const name = Object.keys(result.metafile.outputs).find((f) => f.endsWith(ext) && !f.endsWith('.map'));
  if (!name) throw new Error(`esbuild wrote no ${ext} file`);
  return basename(name);
}

const html = (await readFile(join(here, 'src/index.html'), 'utf8'))
  .replace('/console/app.js', `/console/${outputOf(js, '.js')}`)
  .replace('/console/app.css', `/console/${outputOf(css, '.css')}`);
if (html.includes('/console/app.js') || html.includes('/console/app.css')) throw new Error('index.html still names an unhashed file');
await writeFile(join(out, 'index.html'), html);

// Compressed once here, at the highest levels (too slow to do per request; the gateway serves these as they are).
for (const file of await readdir(out)) {
  if (!/\.(js|css|html|map)$/.test(file)) continue;
  const body = await readFile(join(out, file));
  const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  const gz = gzipSync(body, { level: 9 });
  if (br.length < body.length) await writeFile(join(out, `${file}.br`), br);
  if (gz.length < body.length) await writeFile(join(out, `${file}.gz`), gz);
}
