import type * as Cel from '@bufbuild/cel';
import { re2FindAll } from '../../re2';

/**
 * Kubernetes' regex library: `find` (the first match, or "") and `findAll` (at most `limit` matches, all when
 * negative) on strings. The pattern is compiled by CEL's own RE2 `matches` first, so that a pattern RE2 refuses
 * fails with CEL's error as in kube-apiserver; the matches are then found by RE2 too (re2.ts), in time linear in the
 * string, as Go's FindAllString finds them.
 */
export function regexLibrary(cel: typeof Cel): Cel.CelFunc[] {
  const { CelScalar, celMethod, listType } = cel;
  const { INT, STRING } = CelScalar;
  const matches = cel.plan(cel.celEnv({ variables: { text: STRING, re: STRING } }), cel.parse('text.matches(re)'));
  const anyMatch = (text: string, re: string): boolean => {
    const result = matches({ text, re });
    if (cel.isCelError(result)) throw new Error(result.message);
    return result === true;
  };
  const findAll = (text: string, re: string, limit: bigint): string[] => {
    if (limit === 0n || !anyMatch(text, re)) return [];
    return re2FindAll(re, text, limit < 0n ? -1 : Number(limit));
  };
  return [
    celMethod('find', STRING, [STRING], STRING, function (re) { return anyMatch(this, re) ? (re2FindAll(re, this, 1)[0] ?? '') : ''; }),
    celMethod('findAll', STRING, [STRING], listType(STRING), function (re) { return findAll(this, re, -1n); }),
    celMethod('findAll', STRING, [STRING, INT], listType(STRING), function (re, limit) { return findAll(this, re, limit); }),
  ];
}
