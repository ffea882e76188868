import { parse } from 'yaml';

/**
 * The one part of cloud-init's `runcmd` the sim guest carries out: the `vmware-rpctool "info-set guestinfo.<key>
 * <value>"` lines, with which a vSphere guest publishes values its VM's readiness probe (`guestInfo`) and others
 * read from the VM's configuration. Nothing else of runcmd runs, as the sim guest has no shell.
 *
 * User data counts only as `#cloud-config` (cloud-init's marker on the first line). An entry of runcmd is a string
 * (a shell line) or an argv list, as in cloud-init; a line counts only when it is that command alone: a line that
 * needs a shell (`;`, `&&`, `$(...)`, a pipe, a redirection) is not run, as its value could not be known here.
 */
export const GUESTINFO_PREFIX = 'guestinfo.';

/** The `guestinfo.*` keys the user data's runcmd sets, in order (a key set twice keeps its last value). */
export function runcmdGuestInfo(userData: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!userData || !/^#cloud-config[ \t]*\r?\n/.test(userData) || !userData.includes('vmware-rpctool')) return out;
  let doc: unknown;
  try {
    doc = parse(userData);
  } catch {
    // cloud-init runs none of a cloud-config it cannot read.
    return out;
  }
  const runcmd = (doc as { runcmd?: unknown } | null)?.runcmd;
  if (!Array.isArray(runcmd)) return out;
  for (const entry of runcmd) {
    const argv = typeof entry === 'string' ? shellWords(entry) : Array.isArray(entry) ? argvOf(entry) : undefined;
    const set = argv && rpctoolInfoSet(argv);
    if (set) out[set.key] = set.value;
  }
  return out;
}

/** An argv list as cloud-init takes it: scalars become strings; anything else is no command. */
function argvOf(list: unknown[]): string[] | undefined {
  const argv = list.map((a) => (typeof a === 'string' ? a : typeof a === 'number' || typeof a === 'boolean' ? String(a) : undefined));
  return argv.every((a): a is string => a !== undefined) ? argv : undefined;
}

/**
 * The key and value of `vmware-rpctool "info-set guestinfo.<key> <value>"`. The tool sends its one argument to the
 * VM as it is: after `info-set`, the key runs to the first space and the value is the rest of the line.
 */
export function rpctoolInfoSet(argv: string[]): { key: string; value: string } | undefined {
  if (argv.length !== 2 || argv[0].split('/').pop() !== 'vmware-rpctool') return undefined;
  const m = /^info-set[ \t]+(\S+)(?:[ \t](.*))?$/s.exec(argv[1]);
  if (!m || !m[1].startsWith(GUESTINFO_PREFIX) || m[1].length === GUESTINFO_PREFIX.length) return undefined;
  return { key: m[1], value: m[2] ?? '' };
}

/**
 * A shell line split into words as `sh` would split a simple command: whitespace between words, single quotes
 * literal, double quotes with `\"`, `\\`, `\$` and `` \` `` escapes, a backslash outside quotes escaping the next
 * character. Undefined for a line that needs more of a shell than that (an operator, an expansion, a comment).
 */
export function shellWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return undefined;
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '$' || line[i] === '`') return undefined;
        if (line[i] === '\\' && '"\\$`'.includes(line[i + 1] ?? '')) i++;
        text += line[i];
      }
      if (i >= line.length) return undefined;
      word = (word ?? '') + text;
    } else if (c === '\\') {
      if (i + 1 >= line.length) return undefined;
      word = (word ?? '') + line[++i];
    } else if (';&|<>()$`\n*?['.includes(c) || ((c === '#' || c === '~') && word === undefined)) {
      // An operator, an expansion or a glob; a comment or a home directory at a word's start.
      return undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
