// Writes the validators of the API gateway's built-in kinds' schemas, every served version's, as ajv standalone code
// into services/api-gateway/dist/schema-validators.js (libs/kube-api/src/schema/standalone-validators.ts): the gateway
// loads them from there (usePrecompiledValidators, libs/kube-api/src/schema/validate.ts) instead of compiling them
// after every start, 3-5 s of CPU (docs/benchmarks.md, forty-eighth round). Run by `npm run build` after tsc, before
// deploy/bundle-services.mjs.
//
// A file of its own beside main.bundle.js, not in it: every start of every service would parse it otherwise. The
// launcher's stale-bundle check does not look at it: a schema changed since the file was written only misses (its
// content hash is not there) and is compiled at run time, as without the file.
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const dist = join(repoRoot, 'services', 'api-gateway', 'dist');
// Built by tsc -b before this runs: the gateway's registry (its built-in kinds, as it serves them) and the generator.
const { ResourceRegistry } = require(join(dist, 'gateway', 'registry', 'registry.js'));
const { writeStandaloneValidators } = require(join(repoRoot, 'libs', 'kube-api', 'dist', 'schema', 'standalone-validators.js'));

const schemas = new ResourceRegistry().definitions.flatMap((def) => def.versions.filter((v) => v.served).map((v) => v.schema));
const outfile = join(dist, 'schema-validators.js');
const started = Date.now();
const { count } = await writeStandaloneValidators(schemas, outfile);
console.log(`${outfile}: ${count} validators, ${(statSync(outfile).size / 1e6).toFixed(1)} MB, ${Date.now() - started} ms`);
