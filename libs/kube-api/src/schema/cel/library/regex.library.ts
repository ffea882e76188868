import type * as Cel from '@bufbuild/cel';

/** RE2's leading flag group (`(?i)abc`), which JavaScript writes as flags. */
function jsRegExp(re: string, global: boolean): RegExp {
  const flags = /^\(\?([ims]+)\)/.exec(re);
  return new RegExp(flags ? re.slice(flags[0].length) : re, `${global ? 'g' : ''}u${flags?.[1] ?? ''}`);
}

/**
 * Kubernetes' regex library: `find` (the first match, or "") and `findAll` (at most `limit` matches, all when
 * negative) on strings. The pattern is compiled by CEL's own RE2 `matches` first, so that a pattern RE2 refuses
 * fails as in kube-apiserver and a string without a match never reaches JavaScript's engine.
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
    const all = [...text.matchAll(jsRegExp(re, true))].map((m) => m[0]);
    return limit < 0n ? all : all.slice(0, Number(limit));
  };
  return [
    celMethod('find', STRING, [STRING], STRING, function (re) { return anyMatch(this, re) ? (jsRegExp(re, false).exec(this)?.[0] ?? '') : ''; }),
    celMethod('findAll', STRING, [STRING], listType(STRING), function (re) { return findAll(this, re, -1n); }),
    celMethod('findAll', STRING, [STRING, INT], listType(STRING), function (re, limit) { return findAll(this, re, limit); }),
  ];
}
