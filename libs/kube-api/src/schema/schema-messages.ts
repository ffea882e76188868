import type { ErrorObject } from 'ajv';

/**
 * How kube-apiserver words a value out of a schema's bounds (kube-openapi's messages: "should be at most 3 chars
 * long"), after `<field> in body`; undefined for the keywords it words otherwise.
 */
export function boundsMessage(e: ErrorObject): string | undefined {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'minimum': return `should be greater than or equal to ${p.limit}`;
    case 'exclusiveMinimum': return `should be greater than ${p.limit}`;
    case 'maximum': return `should be less than or equal to ${p.limit}`;
    case 'exclusiveMaximum': return `should be less than ${p.limit}`;
    case 'minLength': return `should be at least ${p.limit} chars long`;
    case 'maxLength': return `should be at most ${p.limit} chars long`;
    case 'pattern': return `should match '${p.pattern}'`;
    case 'minItems': return `should have at least ${p.limit} items`;
    case 'maxItems': return `should have at most ${p.limit} items`;
    case 'minProperties': return `should have at least ${p.limit} properties`;
    case 'maxProperties': return `should have at most ${p.limit} properties`;
    case 'multipleOf': return `should be a multiple of ${p.multipleOf}`;
    case 'uniqueItems': return `shouldn't contain duplicates`;
    default: return undefined;
  }
}
