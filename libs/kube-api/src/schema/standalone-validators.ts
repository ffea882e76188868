import { dirname } from 'node:path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { build } from 'esbuild';
import type { JsonSchema } from '@openpacific/contracts';
import { withIntegerBounds } from './integer-bounds';
import { schemaHash, VALIDATOR_OPTIONS } from './schema-hash';

/**
 * Build-time only (deploy/precompile-validators.mjs and its spec; never imported by a service): the validators of
 * the given schemas as one CommonJS module of ajv standalone code, whose exports are the validators by schemaHash.
 * The gateway loads it (usePrecompiledValidators, validate.ts) instead of compiling the built-in kinds' validators
 * at every start. A schema given twice (two versions sharing one) is written once.
 */
export function standaloneValidatorsSource(schemas: readonly JsonSchema[]): { source: string; count: number } {
  const ajv = new Ajv({ ...VALIDATOR_OPTIONS, code: { ...VALIDATOR_OPTIONS.code, source: true } });
  const exports: Record<string, string> = {};
  for (const schema of schemas) {
    const hash = schemaHash(schema);
    if (exports[hash]) continue;
    // By its hash as key: the schemas have no $id, and the export is named after it.
    ajv.addSchema(withIntegerBounds(schema), hash);
    exports[hash] = hash;
  }
  return { source: standaloneCode(ajv, exports), count: Object.keys(exports).length };
}

/**
 * Writes standaloneValidatorsSource's module to `outfile`, bundled: the code requires ajv's runtime helpers
 * (ajv/dist/runtime/*), which are inlined from the ajv this library uses (8), whatever ajv would resolve beside
 * `outfile`. Minified: the gateway parses the file once, and keeps its source while it runs.
 */
export async function writeStandaloneValidators(schemas: readonly JsonSchema[], outfile: string): Promise<{ count: number }> {
  const { source, count } = standaloneValidatorsSource(schemas);
  await build({
    stdin: { contents: source, resolveDir: dirname(require.resolve('ajv/package.json')), loader: 'js', sourcefile: 'schema-validators.js' },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    charset: 'ascii',
    logLevel: 'warning',
  });
  return { count };
}
