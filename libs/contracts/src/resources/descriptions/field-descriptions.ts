/**
 * What `kubectl explain` says of a kind's fields. A kind's descriptions are keyed by the field's dotted path from the
 * object's root, as `kubectl explain` names it (`spec.className`, `spec.containers.image`: an array's items are passed
 * through); the empty path describes the kind itself. The OpenAPI v3 documents carry them (libs/kube-api's
 * openapi.ts); the schemas the gateway validates with do not. Written in our own words.
 */
export type FieldDescriptions = Record<string, string>;

/** `group/Kind` ('' for the core group: `/Pod`), the key of a kind's descriptions. */
export function descriptionKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

/** `fields` under `prefix` (`spec.template.spec`): a pod template's spec is described where each kind holds one. */
export function describedUnder(prefix: string, fields: FieldDescriptions): FieldDescriptions {
  return Object.fromEntries(Object.entries(fields).map(([path, text]) => [path ? `${prefix}.${path}` : prefix, text]));
}

type Schema = Record<string, any>;

/**
 * The schema of the field at `path` (descriptions' paths) in a kind's schema, or undefined when the kind has no such
 * field: properties are followed by name, arrays' items passed through, and a property found in one branch of an
 * `allOf`/`anyOf`/`oneOf` is found.
 */
export function fieldSchemaAt(schema: unknown, path: string): Schema | undefined {
  let node = schema as Schema | undefined;
  if (!path) return node;
  for (const name of path.split('.')) {
    node = node && propertyOf(itemsOf(node), name);
    if (!node) return undefined;
  }
  return node;
}

function itemsOf(node: Schema): Schema {
  let at = node;
  while (at && typeof at.items === 'object' && at.items !== null && !Array.isArray(at.items)) at = at.items;
  return at;
}

function propertyOf(node: Schema, name: string): Schema | undefined {
  const own = node.properties?.[name];
  if (own) return own;
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    for (const branch of Array.isArray(node[key]) ? node[key] : []) {
      const found = branch && typeof branch === 'object' ? propertyOf(itemsOf(branch), name) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}
