// Bundles each service's built entry (services/<svc>/dist/main.js, from tsc) into one file beside it,
// services/<svc>/dist/main.bundle.js, which the local cluster and a guest cluster's node image run, and the
// list of the files it was made from, main.bundle.inputs.json (libs/contracts/src/service-bundle.ts).
// A program started from its bundle reaches its first log line on 220-360 ms of CPU, from its few hundred
// module files (NestJS, rxjs, pg, nats, ajv...) on 420-560 ms: docs/benchmarks.md, ninth round. Run by
// `npm run build`.
//
// The bundle sits in the same folder as main.js, so `__dirname` in the service's top-level files (the crx
// shim's and the sim guest's paths) means what it does unbundled. Names are kept (`keepNames`): NestJS and
// our logs read classes' names. A source map beside each bundle leads back through tsc's maps to the TypeScript
// (`NODE_OPTIONS=--enable-source-maps` for stack traces with .ts lines). The externals are optional modules
// NestJS and pg try to load and do without (none of them is installed).
//
// Each bundle then loses the `__name` calls that name a function what the language names it anyway
// (dropRedundantNames, deploy/local-cluster/src/bundle-names.ts: keepNames wraps every closure each time it is made),
// and is made ASCII (asciiBundle, deploy/local-cluster/src/ascii-bundle.ts): V8 holds a source with one
// character past Latin-1 at two bytes a character, and every service keeps its source while it runs.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
// Built by tsc -b before this runs, as the services' entries are.
const require = createRequire(import.meta.url);
const { asciiBundle } = require('./local-cluster/dist/ascii-bundle.js');
const { dropRedundantNames } = require('./local-cluster/dist/bundle-names.js');
const BUNDLED_SERVICES = ['policy', 'api-gateway', 'scheduler', 'crx-runtime', 'spherelet-agent', 'vm-operator', 'cluster-api'];
const OPTIONAL = [
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/websockets',
  '@nestjs/websockets/*',
  '@nestjs/platform-express',
  'class-transformer',
  'class-validator',
  'pg-native',
];

await Promise.all(
  BUNDLED_SERVICES.map(async (service) => {
    const dist = join(repoRoot, 'services', service, 'dist');
    const entry = join(dist, 'main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run tsc -b first`);
    const { metafile } = await build({
      entryPoints: [entry],
      absWorkingDir: repoRoot,
      metafile: true,
      outfile: join(dist, 'main.bundle.js'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      keepNames: true,
      sourcemap: 'linked',
      external: OPTIONAL,
      logLevel: 'warning',
    });
    const bundle = join(dist, 'main.bundle.js');
    writeFileSync(bundle, asciiBundle(dropRedundantNames(readFileSync(bundle, 'utf8')).code));
    // What it was made from, so that a bundle older than the code is refused (staleServiceBundle, contracts).
    // esbuild names them relative to absWorkingDir, the repository.
    writeFileSync(join(dist, 'main.bundle.inputs.json'), `${JSON.stringify(Object.keys(metafile.inputs))}\n`);
  }),
);
