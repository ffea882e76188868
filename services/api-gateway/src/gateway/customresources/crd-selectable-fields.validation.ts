import { fieldDuplicate, fieldInvalid, fieldRequired, fieldTooMany, StatusCause } from '@openpacific/kube-api';

/** kube-apiserver's MaxSelectableFields. */
const MAX_SELECTABLE_FIELDS = 8;
const SELECTABLE_TYPES = ['string', 'boolean', 'integer'];


/**
 * A version's `selectableFields`, checked as kube-apiserver does: each jsonPath a plain path (no array notation) to a
 * string, boolean or integer field the schema declares, outside metadata, no two the same, at most eight.
 */
export function validateSelectableFields(version: any, field: string): StatusCause[] {
  const selectable: unknown = version?.selectableFields;
  if (!Array.isArray(selectable) || selectable.length === 0) return [];
  const schema = version.schema?.openAPIV3Schema;
  if (typeof schema !== 'object' || schema === null) {
    return [fieldInvalid(field, '', 'selectableFields may only be set when version.schema.openAPIV3Schema is not included')];
  }
  const causes: StatusCause[] = [];
  const unique = new Set<string>();
  selectable.forEach((entry: any, i) => {
    const at = `${field}[${i}].jsonPath`;
    const jsonPath = typeof entry?.jsonPath === 'string' ? entry.jsonPath : '';
    if (jsonPath === '') {
      causes.push(fieldRequired(at));
      return;
    }
    const found = fieldAt(schema, jsonPath);
    if ('error' in found) {
      causes.push(fieldInvalid(at, jsonPath, `is an invalid path: ${found.error}`));
      return;
    }
    if (found.path[0] === 'metadata') causes.push(fieldInvalid(at, jsonPath, 'must not point to fields in metadata'));
    if (!SELECTABLE_TYPES.includes(found.schema?.type)) {
      causes.push(fieldInvalid(at, jsonPath, 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.'));
    }
    const key = found.path.join('.');
    if (unique.has(key)) causes.push(fieldDuplicate(at, jsonPath));
    unique.add(key);
  });
  if (unique.size > MAX_SELECTABLE_FIELDS) {
    causes.push(fieldTooMany(field, unique.size, MAX_SELECTABLE_FIELDS));
  }
  return causes;
}

/** The schema a `.a.b` path leads to through properties and additionalProperties, with kube-apiserver's errors. */
function fieldAt(root: any, jsonPath: string): { path: string[]; schema: any } | { error: string } {
  const tokens = jsonPath.split(/([.[\]])/).filter((t) => t !== '');
  const path: string[] = [];
  let schema = root;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok === '[') return { error: 'array notation is not allowed' };
    if (tok !== '.') return { error: `expected [ or . but got: ${tok}` };
    const name = tokens[++i];
    if (name === undefined) return { error: 'unexpected end of JSON path' };
    if (schema?.properties) {
      if (!Object.hasOwn(schema.properties, name)) return { error: 'does not refer to a valid field' };
      schema = schema.properties[name];
    } else if (schema?.additionalProperties) {
      schema = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    } else return { error: 'does not refer to a valid field' };
    path.push(name);
  }
  return { path, schema };
}
