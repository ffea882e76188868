/** One node of V8's CPU profile (`node --cpu-prof`, the inspector's `Profiler.stop`): one call site on one call path. */
export interface CpuProfileNode {
  id: number;
  /** `lineNumber` is 0-based, −1 when V8 knows none (native code, the pseudo frames). */
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number; scriptId?: string | number };
  children?: number[];
  hitCount?: number;
}

/** A `.cpuprofile`, times in microseconds: sample i put node `samples[i]` on the CPU for `timeDeltas[i]`. */
export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Self and total time per merged frame: the tree the SVG draws. */
export interface FlameFrame {
  name: string;
  file: string;
  line: number;
  selfUs: number;
  totalUs: number;
  children: FlameFrame[];
}

/** Pixels per level of the stack; a rect takes all but one, so that levels stay apart. */
const LEVEL = 16;
/** Room left and right of the frames, and under the base. */
const PAD = 10;
/** The title's band above the deepest frame. */
const TOP = 32;
/** About the width of one character at font-size 11: enough to decide whether a label fits. */
const CHAR_PX = 7;
/** Not our code's time: grey, so that the eye goes to the warm frames. */
const GREY_FRAMES = new Set(['(garbage collector)', '(program)']);
const GREY = 'rgb(180,180,180)';

/**
 * Self time per node id. The samples' deltas when the profile keeps them (they are exact, and V8 always writes
 * them); otherwise only hit counts are left, and each hit gets an equal share of the profiled span.
 */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  const add = (id: number, us: number) => self.set(id, (self.get(id) ?? 0) + us);
  const { samples, timeDeltas } = profile;
  if (samples?.length && timeDeltas) {
    // A clock step back gives a negative delta: no time rather than time taken off another frame.
    samples.forEach((id, i) => add(id, (timeDeltas[i] ?? 0) > 0 ? timeDeltas[i] : 0));
  } else {
    const hits = profile.nodes.reduce((sum, n) => sum + Math.max(0, n.hitCount ?? 0), 0);
    const each = hits > 0 ? Math.max(0, profile.endTime - profile.startTime) / hits : 0;
    for (const n of profile.nodes) if ((n.hitCount ?? 0) > 0) add(n.id, (n.hitCount as number) * each);
  }
  return self;
}

/** The file's name only: a path differs between machines and would push the function's name out of a narrow label. */
function basename(url: string): string {
  return url.slice(Math.max(url.lastIndexOf('/'), url.lastIndexOf('\\')) + 1);
}

function frameOf(node: CpuProfileNode): FlameFrame {
  const { functionName, url, lineNumber } = node.callFrame;
  return { name: functionName || '(anonymous)', file: basename(url ?? ''), line: Math.max(0, (lineNumber ?? -1) + 1), selfUs: 0, totalUs: 0, children: [] };
}

/** What makes two frames one: merged among siblings in the tree, and over every path in `topSelf`. */
const frameKey = (f: FlameFrame) => `${f.name}\n${f.file}\n${f.line}`;

/** By name (code-unit order, not the locale's, so that every machine lays out alike), then file and line. */
function byName(a: FlameFrame, b: FlameFrame): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line;
}

/**
 * The profile as a tree of frames, siblings merged by (name, file, line): V8 keeps apart nodes that differ only in
 * column or script id (a function recompiled), which a reader counts as one. `(idle)` is not busy time: it is
 * left out and counted apart; frames without time are dropped.
 */
export function flameTree(profile: CpuProfile): { root: FlameFrame; busyUs: number; idleUs: number } {
  const self = selfTimes(profile);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const childIds = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  const kids = (n: CpuProfileNode) => (n.children ?? []).map((id) => byId.get(id)).filter((c): c is CpuProfileNode => c !== undefined);
  // A node is taken once: a malformed profile whose children loop back must not recurse forever.
  const seen = new Set<number>();
  let idleUs = 0;

  const subtreeTime = (n: CpuProfileNode): number => {
    if (seen.has(n.id)) return 0;
    seen.add(n.id);
    return (self.get(n.id) ?? 0) + kids(n).reduce((sum, c) => sum + subtreeTime(c), 0);
  };

  const grow = (frame: FlameFrame, nodes: CpuProfileNode[]) => {
    const groups = new Map<string, { frame: FlameFrame; nodes: CpuProfileNode[] }>();
    for (const n of nodes) {
      if (seen.has(n.id)) continue;
      if (n.callFrame.functionName === '(idle)') {
        idleUs += subtreeTime(n);
        continue;
      }
      seen.add(n.id);
      const f = frameOf(n);
      const key = frameKey(f);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { frame: f, nodes: [] }));
      group.frame.selfUs += self.get(n.id) ?? 0;
      group.nodes.push(n);
    }
    for (const group of groups.values()) grow(group.frame, group.nodes.flatMap(kids));
    frame.children = [...groups.values()].map((g) => g.frame).filter((f) => f.totalUs > 0).sort(byName);
    frame.totalUs = frame.children.reduce((sum, c) => sum + c.totalUs, frame.selfUs);
  };

  const root: FlameFrame = { name: 'all', file: '', line: 0, selfUs: 0, totalUs: 0, children: [] };
  // V8 writes one `(root)`; any other top node (a profile cut out of a larger one) stands on the base beside its children.
  const tops = profile.nodes.filter((n) => !childIds.has(n.id));
  const under: CpuProfileNode[] = [];
  for (const top of tops) {
    if (top.callFrame.functionName === '(root)') {
      seen.add(top.id);
      root.selfUs += self.get(top.id) ?? 0;
      under.push(...kids(top));
    } else {
      under.push(top);
    }
  }
  grow(root, under);
  return { root, busyUs: root.totalUs, idleUs };
}

/** XML 1.0 allows neither C0 controls nor lone surrogates, not even as references: a computed name may hold them. */
function xmlChars(text: string): string {
  return Array.from(text, (ch) => {
    const c = ch.codePointAt(0) ?? 0;
    const bad = (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff;
    return bad ? '\uFFFD' : ch;
  }).join('');
}

function escape(text: string): string {
  return xmlChars(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const ms = (us: number) => (us / 1000).toFixed(1);
const px = (v: number) => +v.toFixed(1);

/**
 * A warm colour from the name's FNV-1a hash, so that a function keeps its colour from one graph to the next
 * (two runs compared side by side) and the output stays byte-identical.
 */
function colour(name: string): string {
  if (GREY_FRAMES.has(name)) return GREY;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h >>>= 0;
  return `rgb(${205 + ((h & 0xff) % 51)},${Math.round((((h >>> 8) & 0xff) * 230) / 255)},${Math.round((((h >>> 16) & 0xff) * 55) / 255)})`;
}

/** As much of the name as fits in `width` px (cut by code point, so no half of a surrogate pair), or none under 3 characters. */
function label(name: string, width: number): string | undefined {
  const fit = Math.floor((width - 6) / CHAR_PX);
  if (fit < 3) return undefined;
  const chars = Array.from(name);
  return chars.length <= fit ? name : chars.slice(0, fit - 1).join('') + '…';
}

/**
 * A classic flame graph as standalone SVG text: the base ("all") at the bottom, callees above their callers, each
 * frame as wide as its share of the busy time, siblings in name order. A frame under `minShare` of the width is
 * left out with all it calls: it could be neither read nor hovered, and a long profile has thousands.
 */
export function flameGraphSvg(profile: CpuProfile, opts: { title: string; width?: number; minShare?: number }): string {
  const { root, busyUs, idleUs } = flameTree(profile);
  const width = opts.width ?? 1200;
  const minShare = opts.minShare ?? 0.002;
  const plotW = width - 2 * PAD;
  const share = (us: number) => (busyUs > 0 ? us / busyUs : 0);

  const drawn: Array<{ frame: FlameFrame; depth: number; startUs: number }> = [];
  const place = (frame: FlameFrame, depth: number, startUs: number) => {
    drawn.push({ frame, depth, startUs });
    // A child left out keeps its place: the frames right of it stay where the time says.
    let at = startUs;
    for (const child of frame.children) {
      if (share(child.totalUs) >= minShare) place(child, depth + 1, at);
      at += child.totalUs;
    }
  };
  place(root, 0, 0);

  const levels = drawn.reduce((max, d) => Math.max(max, d.depth + 1), 0);
  const height = TOP + levels * LEVEL + PAD;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escape(`${opts.title} — busy ${ms(busyUs)} ms of ${ms(busyUs + idleUs)} ms sampled`)}</text>`,
  ];
  for (const { frame, depth, startUs } of drawn) {
    const x = px(PAD + share(startUs) * plotW);
    // The base spans the whole width even when nothing was busy.
    const w = px(depth === 0 ? plotW : share(frame.totalUs) * plotW);
    const y = height - PAD - (depth + 1) * LEVEL;
    const where = frame.file ? ` (${frame.file}:${frame.line})` : '';
    const tip = `${frame.name}${where} — ${ms(frame.totalUs)} ms, ${(share(frame.totalUs) * 100).toFixed(1)} % of busy; self ${ms(frame.selfUs)} ms`;
    out.push(`<rect x="${x}" y="${y}" width="${w}" height="${LEVEL - 1}" fill="${colour(frame.name)}" rx="2"><title>${escape(tip)}</title></rect>`);
    const text = label(frame.name, w);
    // The label lets the pointer through, so that hovering it still shows the rect's title.
    if (text !== undefined) out.push(`<text x="${px(x + 3)}" y="${y + 11}" pointer-events="none">${escape(text)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/**
 * The functions with the most self time, each merged over every path that reaches it (where the time goes, not
 * who called): the first place to look, and a table a benchmark report can print.
 */
export function topSelf(profile: CpuProfile, count: number): Array<{ function: string; file: string; line: number; 'self ms': number; 'self %': number }> {
  const { root, busyUs } = flameTree(profile);
  const merged = new Map<string, FlameFrame>();
  const stack = [...root.children];
  for (let f = stack.pop(); f; f = stack.pop()) {
    const key = frameKey(f);
    const row = merged.get(key);
    if (row) row.selfUs += f.selfUs;
    else merged.set(key, { ...f, children: [] });
    stack.push(...f.children);
  }
  return [...merged.values()]
    .filter((f) => f.selfUs > 0)
    .sort((a, b) => b.selfUs - a.selfUs || byName(a, b))
    .slice(0, Math.max(0, count))
    .map((f) => ({
      function: f.name,
      file: f.file,
      line: f.line,
      'self ms': +(f.selfUs / 1000).toFixed(2),
      'self %': busyUs > 0 ? +((100 * f.selfUs) / busyUs).toFixed(1) : 0,
    }));
}
