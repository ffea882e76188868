import { createHash } from 'node:crypto';
import type { JsonSchema } from '@openpacific/contracts';
import { re2Engine } from './re2';

/**
 * The options of every ajv that checks objects against kinds' schemas: the gateway's (validate.ts) and the build's,
 * which writes the built-in kinds' validators out as code (standalone-validators.ts). Both must agree, or a
 * precompiled validator would not be the one the gateway would compile.
 *
 * ajv checks no format: built-in kinds' schemas name formats only as documentation, and a custom kind's strings are
 * checked against kube-apiserver's own list of formats (string-formats.ts). A `pattern` is matched as Go's regexp matches
 * it: RE2, in time linear in the string (re2.ts).
 */
export const VALIDATOR_OPTIONS = { allErrors: true, strict: false, validateFormats: false, code: { regExp: re2Engine } } as const;

/** What a schema's precompiled validator is found by: sha256 of its JSON, so that a schema changed since the build misses. */
export function schemaHash(schema: JsonSchema): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}
