import { Parser } from 'htmlparser2';

/**
 * The attributes that hold a URL, by tag, whose links a proxied HTML page has rewritten (the set kube-apiserver's
 * proxy rewrites).
 */
const URL_ATTRIBUTES: Record<string, string[]> = {
  a: ['href'],
  applet: ['codebase'],
  area: ['href'],
  audio: ['src'],
  base: ['href'],
  blockquote: ['cite'],
  body: ['background'],
  button: ['formaction'],
  command: ['icon'],
  del: ['cite'],
  embed: ['src'],
  form: ['action'],
  frame: ['longdesc', 'src'],
  head: ['profile'],
  html: ['manifest'],
  iframe: ['longdesc', 'src'],
  img: ['longdesc', 'src', 'usemap'],
  input: ['src', 'usemap', 'formaction'],
  ins: ['cite'],
  link: ['href'],
  object: ['classid', 'codebase', 'data', 'usemap'],
  q: ['cite'],
  script: ['src'],
  source: ['src'],
  video: ['poster', 'src'],
};

/** A value as the page wrote it (its character references left as they were), double-quoted. */
function quoted(value: string): string {
  return `"${value.replace(/"/g, '&quot;')}"`;
}

/**
 * An HTML page with its links rewritten by `rewrite` (called for each URL attribute of the tags above; it returns
 * the value to write, the same one to leave it; values come as the page wrote them, character references and all). The text is read and written as Latin-1, one character per byte,
 * so that whatever the page's encoding every byte outside a rewritten tag comes back as it was; a rewritten tag is
 * written again from its parsed name and attributes (values double-quoted).
 */
export function rewriteHtmlLinks(page: Buffer, rewrite: (url: string) => string): Buffer {
  const text = page.toString('latin1');
  const out: string[] = [];
  let copied = 0;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const urls = URL_ATTRIBUTES[name];
        if (!urls) return;
        let changed = false;
        const next: Record<string, string> = { ...attributes };
        for (const attribute of urls) {
          const value = attributes[attribute];
          if (value === undefined) continue;
          const rewritten = rewrite(value);
          if (rewritten !== value) {
            next[attribute] = rewritten;
            changed = true;
          }
        }
        if (!changed) return;
        const start = parser.startIndex;
        const end = parser.endIndex + 1;
        const closing = text.slice(start, end).endsWith('/>') ? ' />' : '>';
        const attrs = Object.entries(next).map(([k, v]) => (v === '' ? ` ${k}` : ` ${k}=${quoted(v)}`));
        out.push(text.slice(copied, start), `<${name}${attrs.join('')}${closing}`);
        copied = end;
      },
    },
    { decodeEntities: false, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(text);
  out.push(text.slice(copied));
  return Buffer.from(out.join(''), 'latin1');
}
