import * as acorn from 'acorn';

/**
 * A service bundle made ASCII (deploy/bundle-services.mjs runs it on each bundle). Node reads a CommonJS file into
 * one string, which V8 holds with two bytes a character as soon as one character is past Latin-1, and a service
 * keeps its source for as long as it runs (lazy compilation reads it). esbuild escapes strings, templates and names
 * (its default `charset: 'ascii'`) but keeps comments and regular expressions as written, and the arrows and
 * dashes of ours made every service hold its 7 MB bundle as 14 MB (docs/benchmarks.md, "Thirty-eighth round").
 *
 * In comments each UTF-16 unit past ASCII becomes '?', so every position the source map gives stays where it was;
 * in regular expressions and strings it becomes `\uXXXX`, which reads as the same unit there (and a pair as its
 * character). A character left anywhere else (a template literal, whose raw text a tag may read) is an error.
 */
export function asciiBundle(code: string): string {
  const edits: Array<{ start: number; end: number; comment: boolean }> = [];
  acorn.parse(code, {
    ecmaVersion: 'latest',
    sourceType: 'script',
    allowHashBang: true,
    allowReturnOutsideFunction: true,
    onComment: (_block, _text, start, end) => edits.push({ start, end, comment: true }),
    onToken: (token) => {
      if (token.type === acorn.tokTypes.regexp || token.type === acorn.tokTypes.string) edits.push({ start: token.start, end: token.end, comment: false });
    },
  });
  let out = '';
  let at = 0;
  for (const { start, end, comment } of edits.sort((a, b) => a.start - b.start)) {
    const text = code.slice(start, end);
    out += code.slice(at, start) + (comment ? text.replace(/[\u0080-\uffff]/g, '?') : escapeUnits(text));
    at = end;
  }
  out += code.slice(at);
  const left = /[\u0080-\uffff]/.exec(out);
  if (left) {
    throw new Error(`a character past ASCII outside a comment, string or regular expression at ${left.index}: ${JSON.stringify(out.slice(Math.max(0, left.index - 40), left.index + 40))}`);
  }
  return out;
}

/**
 * Each UTF-16 unit past ASCII of a string or regular expression literal as `\uXXXX`. One written escaped already
 * (`\é`, an identity escape: the character itself) loses that backslash, which would otherwise escape the new one.
 */
function escapeUnits(literal: string): string {
  return literal.replace(/(\\*)([\u0080-\uffff])/g, (_, slashes: string, unit: string) => {
    const kept = slashes.length % 2 === 1 ? slashes.slice(1) : slashes;
    return `${kept}\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
