import { lineChartSvg, niceStep, stackedBarChartSvg, tickLabel } from './svg-chart';

describe('lineChartSvg', () => {
  const chart = {
    title: 'pods/s <by> hosts',
    xLabel: 'pods',
    yLabel: 'pods/s',
    series: [
      { name: '10 hosts', points: [[1000, 400], [2000, 380]] as Array<[number, number]> },
      { name: '100 hosts', points: [[1000, 300], [2000, 250]] as Array<[number, number]> },
    ],
  };

  it('draws one line and one legend entry per series, with escaped text', () => {
    const svg = lineChartSvg(chart);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(4);
    expect(svg).toContain('>10 hosts<');
    expect(svg).toContain('pods/s &lt;by&gt; hosts');
  });

  it('puts the largest value inside the plot, axes from zero', () => {
    const svg = lineChartSvg({ ...chart, width: 640, height: 360 });
    // x: 0..2000 over 64..510 (640 - 130 on the right), so 1000 is at 287; y: 400 is the top tick, at the top margin (36).
    expect(svg).toContain('points="287,36 510,');
    expect(svg).toContain('>0<');
  });

  it('handles a chart without points', () => {
    expect(lineChartSvg({ ...chart, series: [] })).toContain('</svg>');
  });

  it('draws a dashed line in a given color, in the plot and in the legend, and the note under the title', () => {
    const svg = lineChartSvg({
      ...chart,
      note: 'load 3–5',
      series: [
        { name: 'a, p99', color: '#123456', points: [[1, 2]] },
        { name: 'a, p50', color: '#123456', dashed: true, points: [[1, 1]] },
      ],
    });
    expect(svg.match(/stroke="#123456"/g)).toHaveLength(4);
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(2);
    expect(svg).toContain('>load 3–5<');
    // Under a note the plot starts 14 px lower: the top tick (2) at 50, not 36.
    expect(svg).toContain('<circle cx="510" cy="50" r="3"');
  });

  it('makes room on the right for a long legend name', () => {
    const svg = lineChartSvg({ ...chart, width: 640, series: [{ name: 'x'.repeat(40), points: [[2000, 400]] }] });
    // 48 + 40 × 6.5 = 308 px of legend: the plot ends at 640 − 308 = 332.
    expect(svg).toContain('points="332,36"');
  });
});

describe('stackedBarChartSvg', () => {
  const bars = {
    title: 'stages',
    xLabel: 'cell',
    yLabel: 's',
    categories: ['1,000 pods\n10 hosts', '2,000 pods\n10 hosts'],
    stacks: [{ name: 'first', values: [1, 2] }, { name: 'second <b>', values: [1, 0] }],
    width: 640,
    height: 380,
  };

  it('stacks each category\'s parts from zero, leaving out empty ones, with a legend entry per stack', () => {
    const svg = stackedBarChartSvg(bars);
    // Three non-empty segments (the white background and the legend boxes have no title).
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(3);
    expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="12" height="12"/g)).toHaveLength(2);
    // Both bars are 2 high, the top tick: the plot runs from 36 down to 332 (380 − 48); legend 130 px wide, so 446 px for two slots.
    const tops = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="#[0-9a-f]+"><title>/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(tops).toEqual([[184, 148], [36, 148], [36, 296]]);
    expect(svg).toContain('second &lt;b&gt;');
    expect(svg).toContain('<tspan x="175.5" dy="0">1,000 pods</tspan><tspan x="175.5" dy="12">10 hosts</tspan>');
  });

  it('widens with its categories and handles none', () => {
    const many = { ...bars, width: undefined, categories: Array.from({ length: 12 }, (_, i) => `c${i}`), stacks: [{ name: 's', values: Array(12).fill(1) }] };
    expect(stackedBarChartSvg(many)).toMatch(/^<svg [^>]*width="962"/);
    expect(stackedBarChartSvg({ ...bars, categories: [], stacks: [] })).toContain('</svg>');
  });
});

describe('tickLabel', () => {
  it('groups thousands and drops float noise', () => {
    expect(tickLabel(10_000)).toBe('10,000');
    expect(tickLabel(0.1 + 0.2)).toBe('0.3');
    expect(tickLabel(0)).toBe('0');
  });
});

describe('niceStep', () => {
  it('picks 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(10_000)).toBe(2000);
    expect(niceStep(7)).toBe(2);
    expect(niceStep(0.9)).toBe(0.2);
    expect(niceStep(0)).toBe(1);
  });
});
