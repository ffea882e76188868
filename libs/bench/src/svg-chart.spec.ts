import { lineChartSvg, niceStep } from './svg-chart';

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
});

describe('niceStep', () => {
  it('picks 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(10_000)).toBe(2000);
    expect(niceStep(7)).toBe(2);
    expect(niceStep(0.9)).toBe(0.2);
    expect(niceStep(0)).toBe(1);
  });
});
