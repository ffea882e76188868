import { CpuProfile, CpuProfileNode, flameGraphSvg, flameTree, topSelf } from './flame-graph';

/** A node of the synthetic profiles: by default in /app/src/main.js, on its first line. */
function node(id: number, functionName: string, children: number[] = [], at: { url?: string; line?: number; column?: number; hits?: number } = {}): CpuProfileNode {
  return {
    id,
    callFrame: { functionName, url: at.url ?? '/app/src/main.js', lineNumber: at.line ?? 0, columnNumber: at.column ?? 0, scriptId: '1' },
    children,
    ...(at.hits === undefined ? {} : { hitCount: at.hits }),
  };
}

/** A sampled profile: each [node id, µs] is one sample. */
function sampled(nodes: CpuProfileNode[], samples: Array<[number, number]>): CpuProfile {
  const timeDeltas = samples.map(([, us]) => us);
  return { nodes, startTime: 0, endTime: timeDeltas.reduce((a, b) => a + Math.max(0, b), 0), samples: samples.map(([id]) => id), timeDeltas };
}

interface Drawn {
  x: number;
  y: number;
  width: number;
  fill: string;
  title: string;
}

/** Every frame's rect, read back from the SVG (the background rect has no title). */
function rects(svg: string): Drawn[] {
  return [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="15" fill="([^"]+)" rx="2"><title>([^<]*)<\/title><\/rect>/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    width: Number(m[3]),
    fill: m[4],
    title: m[5],
  }));
}

/** The rects of the frames named `name` (a title starts with the name, then " (" or " —"). */
function framesNamed(svg: string, name: string): Drawn[] {
  return rects(svg).filter((r) => r.title.startsWith(`${name} (`) || r.title.startsWith(`${name} —`));
}

const labels = (svg: string) => [...svg.matchAll(/<text [^>]*pointer-events="none">([^<]*)<\/text>/g)].map((m) => m[1]);

describe('flameTree and flameGraphSvg', () => {
  it('leaves (idle) out of the tree and counts it as idle time', () => {
    const profile = sampled(
      [node(1, '(root)', [2, 3]), node(2, '(idle)', [], { url: '', line: -1 }), node(3, 'main', [4]), node(4, 'work', [], { line: 4 })],
      [[2, 1000], [3, 1000], [2, 1000], [4, 2000], [2, 1000]],
    );
    const { root, busyUs, idleUs } = flameTree(profile);
    expect(idleUs).toBe(3000);
    expect(busyUs).toBe(3000);
    expect(root).toMatchObject({ name: 'all', selfUs: 0, totalUs: 3000 });
    expect(root.children.map((c) => c.name)).toEqual(['main']);
    expect(root.children[0]).toMatchObject({ file: 'main.js', line: 1, selfUs: 1000, totalUs: 3000 });
    expect(root.children[0].children[0]).toMatchObject({ name: 'work', line: 5, selfUs: 2000, totalUs: 2000 });
    const svg = flameGraphSvg(profile, { title: 'api' });
    expect(svg).not.toContain('(idle)');
    expect(svg).toContain('>api — busy 3.0 ms of 6.0 ms sampled<');
  });

  it('counts a negative time delta as zero', () => {
    const profile = sampled([node(1, '(root)', [2]), node(2, 'main')], [[2, 1000], [2, -50], [2, 500]]);
    expect(flameTree(profile).busyUs).toBe(1500);
  });

  it('merges one function reached twice on one path and keeps it apart on two paths', () => {
    // main calls work twice as V8 keeps it (two columns, and a script seen under two paths), and calls it once more
    // through a and once through b; work on line 50 is another function.
    const profile = sampled(
      [
        node(1, '(root)', [2]),
        node(2, 'main', [3, 4, 5, 6, 9]),
        node(3, 'work', [], { line: 9, column: 4 }),
        node(4, 'work', [], { line: 9, column: 20, url: '/elsewhere/main.js' }),
        node(5, 'a', [7]),
        node(6, 'b', [8]),
        node(7, 'work', [], { line: 9 }),
        node(8, 'work', [], { line: 9 }),
        node(9, 'work', [], { line: 49 }),
      ],
      [[3, 100], [4, 200], [7, 300], [8, 400], [9, 50]],
    );
    const main = flameTree(profile).root.children[0];
    expect(main.children.map((c) => `${c.name}:${c.line}`)).toEqual(['a:1', 'b:1', 'work:10', 'work:50']);
    expect(main.children[2]).toMatchObject({ selfUs: 300, totalUs: 300 });
    expect(main.children[0].children).toEqual([{ name: 'work', file: 'main.js', line: 10, selfUs: 300, totalUs: 300, children: [] }]);
    expect(main.children[1].children).toEqual([{ name: 'work', file: 'main.js', line: 10, selfUs: 400, totalUs: 400, children: [] }]);
    const svg = flameGraphSvg(profile, { title: 't' });
    expect(framesNamed(svg, 'work').map((r) => r.title)).toEqual([
      'work (main.js:10) — 0.3 ms, 28.6 % of busy; self 0.3 ms',
      'work (main.js:10) — 0.4 ms, 38.1 % of busy; self 0.4 ms',
      'work (main.js:10) — 0.3 ms, 28.6 % of busy; self 0.3 ms',
      'work (main.js:50) — 0.1 ms, 4.8 % of busy; self 0.1 ms',
    ]);
  });

  it('draws each frame as wide as its share of busy time, the base at the bottom', () => {
    const profile = sampled(
      [node(1, '(root)', [2, 3]), node(2, 'main', [4]), node(3, 'other'), node(4, 'work')],
      [[2, 500], [4, 500], [3, 1000]],
    );
    const svg = flameGraphSvg(profile, { title: 't' });
    const height = Number(/^<svg [^>]*height="(\d+)"/.exec(svg)?.[1]);
    const [all] = framesNamed(svg, 'all');
    const [main] = framesNamed(svg, 'main');
    const [other] = framesNamed(svg, 'other');
    const [work] = framesNamed(svg, 'work');
    // 1200 px wide by default, 10 px either side.
    expect(all).toMatchObject({ x: 10, width: 1180, y: height - 26 });
    expect(main.width / all.width).toBe(0.5);
    expect(work.width / all.width).toBe(0.25);
    expect(main).toMatchObject({ x: 10, y: all.y - 16 });
    expect(other).toMatchObject({ x: 600, width: 590, y: all.y - 16 });
    expect(work).toMatchObject({ x: 10, y: all.y - 32 });
    expect(all.title).toBe('all — 2.0 ms, 100.0 % of busy; self 0.0 ms');
    expect(main.title).toBe('main (main.js:1) — 1.0 ms, 50.0 % of busy; self 0.5 ms');
    expect(framesNamed(flameGraphSvg(profile, { title: 't', width: 620 }), 'main')[0].width).toBe(300);
  });

  it('leaves out frames narrower than minShare, with their subtrees', () => {
    const profile = sampled(
      [node(1, '(root)', [2, 3]), node(2, 'main', [5]), node(3, 'tiny', [4]), node(4, 'tinier'), node(5, 'leaf')],
      [[5, 9990], [3, 5], [4, 5]],
    );
    // tiny is 0.1 % of busy, under the default 0.2 %; main, without self time, is as wide as its callee.
    const cut = flameGraphSvg(profile, { title: 't' });
    expect(framesNamed(cut, 'main')).toHaveLength(1);
    expect(framesNamed(cut, 'leaf')).toHaveLength(1);
    expect(framesNamed(cut, 'tiny')).toHaveLength(0);
    expect(framesNamed(cut, 'tinier')).toHaveLength(0);
    expect(cut).not.toContain('tin');
    expect(flameTree(profile).root.children.map((c) => c.name)).toEqual(['main', 'tiny']);
    const kept = flameGraphSvg(profile, { title: 't', minShare: 0.0001 });
    expect(framesNamed(kept, 'tiny')).toHaveLength(1);
    expect(framesNamed(kept, 'tinier')).toHaveLength(1);
  });

  it('escapes names and the title, leaving no raw markup characters in text', () => {
    const profile = sampled(
      [node(1, '(root)', [2, 3]), node(2, '<&">', [], { url: '/app/a&b.js' }), node(3, 'bad\u0001name')],
      [[2, 1000], [3, 1000]],
    );
    const svg = flameGraphSvg(profile, { title: 'CPU <b>&"' });
    expect(svg).toContain('>&lt;&amp;&quot;&gt; (a&amp;b.js:1) — 1.0 ms');
    expect(svg).toContain('>&lt;&amp;&quot;&gt;</text>');
    expect(svg).toContain('>CPU &lt;b&gt;&amp;&quot; — busy');
    expect(svg).toContain('bad\uFFFDname');
    expect(svg).not.toContain('\u0001');
    // With every well-formed tag taken out, the text left holds no markup character and only known entities.
    const text = svg.replace(/<\/?[a-zA-Z]+(?:\s+[a-zA-Z:-]+="[^"<>]*")*\s*\/?>/g, '');
    expect(text).not.toMatch(/[<>"]/);
    expect(text.replace(/&(?:amp|lt|gt|quot);/g, '')).not.toContain('&');
  });

  it('labels a frame with as much of its name as fits', () => {
    const profile = sampled(
      [node(1, '(root)', [2, 3, 4, 5]), node(2, 'abcdefghijklmnopqrstuvwxyz'), node(3, 'main'), node(4, 'short'), node(5, 'tiny')],
      [[2, 100], [3, 850], [4, 30], [5, 20]],
    );
    // 1180 px of busy time: 118 px hold 16 characters, 35.4 px hold 4, 23.6 px only 2 (no label).
    expect(labels(flameGraphSvg(profile, { title: 't' }))).toEqual(['all', 'abcdefghijklmno…', 'main', 'sho…']);
  });

  it('colours (program) and (garbage collector) grey and other frames a warm hue', () => {
    const nodes = [node(1, '(root)', [2, 3, 4, 5]), node(2, '(program)', [], { url: '', line: -1 }), node(3, '(garbage collector)', [], { url: '', line: -1 }), node(4, 'main'), node(5, 'parse')];
    const svg = flameGraphSvg(sampled(nodes, [[2, 100], [3, 100], [4, 100], [5, 100]]), { title: 't' });
    const fill = (name: string) => framesNamed(svg, name)[0].fill;
    expect(fill('(program)')).toBe('rgb(180,180,180)');
    expect(fill('(garbage collector)')).toBe('rgb(180,180,180)');
    expect(framesNamed(svg, '(program)')[0].title).toBe('(program) — 0.1 ms, 25.0 % of busy; self 0.1 ms');
    for (const name of ['main', 'parse', 'all']) {
      const [r, g, b] = (/^rgb\((\d+),(\d+),(\d+)\)$/.exec(fill(name)) ?? []).slice(1).map(Number);
      expect(r).toBeGreaterThanOrEqual(205);
      expect(g).toBeLessThanOrEqual(230);
      expect(b).toBeLessThanOrEqual(55);
    }
    // The colour follows the name, whatever else the profile holds.
    const alone = flameGraphSvg(sampled([node(1, '(root)', [2]), node(2, 'main')], [[2, 7]]), { title: 'other' });
    expect(framesNamed(alone, 'main')[0].fill).toBe(fill('main'));
  });

  it('falls back to hit counts spread over the run when samples are absent', () => {
    const nodes = [
      node(1, '(root)', [2, 3], { hits: 0 }),
      node(2, '(idle)', [], { hits: 5, url: '', line: -1 }),
      node(3, 'main', [4], { hits: 3 }),
      node(4, 'work', [], { hits: 2 }),
    ];
    const profile: CpuProfile = { nodes, startTime: 1000, endTime: 11_000 };
    const { root, busyUs, idleUs } = flameTree(profile);
    expect(idleUs).toBe(5000);
    expect(busyUs).toBe(5000);
    expect(root.children[0]).toMatchObject({ name: 'main', selfUs: 3000, totalUs: 5000 });
    expect(root.children[0].children[0]).toMatchObject({ name: 'work', selfUs: 2000 });
    expect(flameGraphSvg(profile, { title: 'h' })).toContain('>h — busy 5.0 ms of 10.0 ms sampled<');
    // With samples the hit counts are not used.
    expect(flameTree({ ...profile, samples: [4], timeDeltas: [700] })).toMatchObject({ busyUs: 700, idleUs: 0 });
  });

  it('gives byte-identical output for the same input, whatever the order of nodes and children', () => {
    const build = (): CpuProfile =>
      sampled(
        [node(1, '(root)', [2, 3, 6]), node(2, 'main', [4, 5]), node(3, '(garbage collector)', [], { url: '', line: -1 }), node(4, 'zeta'), node(5, 'alpha'), node(6, 'beta')],
        [[4, 300], [5, 200], [3, 100], [6, 400], [2, 50]],
      );
    const random = jest.spyOn(Math, 'random');
    try {
      const first = flameGraphSvg(build(), { title: 'same' });
      expect(flameGraphSvg(build(), { title: 'same' })).toBe(first);
      const shuffled = build();
      shuffled.nodes.reverse();
      for (const n of shuffled.nodes) n.children?.reverse();
      expect(flameGraphSvg(shuffled, { title: 'same' })).toBe(first);
      expect(topSelf(shuffled, 10)).toEqual(topSelf(build(), 10));
      expect(random).not.toHaveBeenCalled();
    } finally {
      random.mockRestore();
    }
  });
});

describe('topSelf', () => {
  const profile = sampled(
    [
      node(1, '(root)', [2, 8, 9]),
      node(2, 'main', [3, 4]),
      node(3, 'a', [5], { line: 19 }),
      node(4, 'b', [6], { line: 29 }),
      node(5, 'work', [], { line: 9 }),
      node(6, 'work', [], { line: 9 }),
      node(8, '(program)', [], { url: '', line: -1 }),
      node(9, '(idle)', [], { url: '', line: -1 }),
    ],
    [[5, 1234], [6, 1000], [3, 700], [2, 66], [8, 100], [9, 5000]],
  );

  it('merges a function across paths, ranks by self time and gives shares of busy time', () => {
    // Busy: 3,100 µs; idle is no one's self time.
    expect(topSelf(profile, 10)).toEqual([
      { function: 'work', file: 'main.js', line: 10, 'self ms': 2.23, 'self %': 72.1 },
      { function: 'a', file: 'main.js', line: 20, 'self ms': 0.7, 'self %': 22.6 },
      { function: '(program)', file: '', line: 0, 'self ms': 0.1, 'self %': 3.2 },
      { function: 'main', file: 'main.js', line: 1, 'self ms': 0.07, 'self %': 2.1 },
    ]);
  });

  it('returns at most `count` rows', () => {
    expect(topSelf(profile, 2).map((r) => r.function)).toEqual(['work', 'a']);
    expect(topSelf(profile, 0)).toEqual([]);
  });
});
