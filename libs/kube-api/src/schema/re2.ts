import { RE2JS } from 're2js';

/**
 * Regular expressions written by users, read as kube-apiserver and the controllers read them: with Go's `regexp`,
 * which is RE2. That is a dialect (`(?i)` flag groups are taken, look-arounds and back-references are not) and a
 * promise: matching takes time linear in the text. JavaScript's own engine backtracks, so a pattern such as
 * `^(a+)+$` given thirty `a`s and a `!` held the gateway's only thread for 40 seconds; RE2 answers in microseconds.
 * Every pattern that comes from an object (a custom kind's schema, a ClusterClass variable's schema, a
 * VirtualMachine's readiness probe, CEL's `find`) goes through here.
 */

const cache = new Map<string, RE2JS>();
/** Patterns are few and reused (a schema's, a probe's): beyond this many the cache starts again. */
const CACHE_LIMIT = 1000;

/** The pattern compiled as RE2; throws, with Go's message (`error parsing regexp: …`), when it is none. */
export function re2(pattern: string): RE2JS {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = RE2JS.compile(pattern);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** Why Go's regexp.Compile refuses the pattern, in its words; undefined when it compiles. */
export function re2CompileError(pattern: string): string | undefined {
  try {
    re2(pattern);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Go's regexp.MatchString: whether the pattern matches anywhere in the text. Throws when the pattern does not compile. */
export function re2Test(pattern: string, text: string): boolean {
  return re2(pattern).test(text);
}

/**
 * Every non-overlapping match, leftmost first, as Go's FindAllString finds them (an empty match right after the
 * previous match is passed over); at most `limit` when limit ≥ 0.
 */
export function re2FindAll(pattern: string, text: string, limit = -1): string[] {
  const found: string[] = [];
  if (limit === 0) return found;
  const m = re2(pattern).matcher(text);
  let previousEnd = -1;
  while (m.find()) {
    const [start, end] = [m.start(), m.end()];
    if (!(start === end && start === previousEnd)) found.push(m.group() ?? '');
    previousEnd = end;
    if (found.length === limit) break;
  }
  return found;
}

/**
 * ajv's regular-expression engine (its `code.regExp` option) for schemas' `pattern`: RE2, unanchored. `code` is how
 * the validators the build writes out as code (standalone-validators.ts) reach it: esbuild bundles this module in.
 */
export const re2Engine = Object.assign((pattern: string): { test(text: string): boolean } => re2(pattern), {
  code: `require(${JSON.stringify(__filename)}).re2Engine`,
});
