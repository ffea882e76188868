/** One line of a chart: its legend name and its points, in x order. */
export interface ChartSeries {
  name: string;
  points: Array<[number, number]>;
  /** A color of its own (two lines of one group, p50 and p99, share one); else the next of the palette. */
  color?: string;
  /** Dashed: the secondary line of a pair (p50 beside p99). */
  dashed?: boolean;
}

export interface LineChart {
  title: string;
  /** A smaller second line under the title: the run's conditions (machine, load). */
  note?: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  width?: number;
  height?: number;
}

/** Bars stacked from zero, one bar per category; each stack is one colored segment of every bar. */
export interface StackedBarChart {
  title: string;
  note?: string;
  /** A category's label; `\n` breaks it into lines under the bar. */
  categories: string[];
  stacks: Array<{ name: string; values: number[] }>;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

/** Ten colors told apart easily: a stacked bar of every process of a cluster needs more than six. */
export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const MARGIN = { left: 64, right: 130, top: 36, bottom: 48 };

/** 1, 2, 5 × 10^n: a step that gives about `count` ticks up to `max`. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) as number;
  return step;
}

function ticks(max: number): number[] {
  const step = niceStep(max);
  const top = Math.max(step, Math.ceil(max / step) * step);
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => +(i * step).toPrecision(12));
}

/** Tick labels as people read them: 10,000 and 0.25, not 10000 and 0.25000000000000001. */
export function tickLabel(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Room on the right for the legend: its longest name at about 6.5 px a character (11 px sans-serif), plus the swatch. */
function legendWidth(names: string[]): number {
  return Math.max(MARGIN.right, 48 + Math.ceil(Math.max(0, ...names.map((n) => n.length)) * 6.5));
}

interface Frame {
  top: number;
  width: number;
  height: number;
  right: number;
  plotW: number;
  plotH: number;
  /** The y ticks, from zero to the top of the axis. */
  yTicks: number[];
  y: (v: number) => number;
}

/** The plot's geometry; a chart with a note under its title starts its plot lower, so that the top tick label stays clear. */
function frame(width: number, height: number, right: number, yMax: number, note?: string): Frame {
  const top = note ? MARGIN.top + 14 : MARGIN.top;
  const plotW = width - MARGIN.left - right;
  const plotH = height - top - MARGIN.bottom;
  const yTicks = ticks(yMax);
  const y = (v: number) => +(top + plotH - (v / yTicks[yTicks.length - 1]) * plotH).toFixed(1);
  return { top, width, height, right, plotW, plotH, yTicks, y };
}

/** Background, title (and note), horizontal grid with y tick labels, both axes and their labels. */
function axes(f: Frame, chart: { title: string; note?: string; xLabel: string; yLabel: string }): string[] {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${f.width}" height="${f.height}" fill="white"/>`,
    `<text x="${f.width / 2}" y="20" text-anchor="middle" font-size="14">${escape(chart.title)}</text>`,
  ];
  if (chart.note) out.push(`<text x="${f.width / 2}" y="33" text-anchor="middle" font-size="10" fill="#555">${escape(chart.note)}</text>`);
  for (const t of f.yTicks) {
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + f.plotW}" y1="${f.y(t)}" y2="${f.y(t)}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${f.y(t) + 4}" text-anchor="end">${tickLabel(t)}</text>`);
  }
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + f.plotW}" y1="${f.y(0)}" y2="${f.y(0)}" stroke="black"/>`);
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${f.top}" y2="${f.y(0)}" stroke="black"/>`);
  out.push(`<text x="${MARGIN.left + f.plotW / 2}" y="${f.height - 10}" text-anchor="middle">${escape(chart.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${f.top + f.plotH / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`);
  return out;
}

/** One legend entry, `i`-th from the top, in the margin right of the plot: a line (or a square for bars) and the name. */
function legendEntry(f: Frame, i: number, name: string, color: string, shape: 'line' | 'dashed' | 'box'): string[] {
  const ly = f.top + 14 + i * 18;
  const lx = f.width - f.right + 12;
  const swatch = shape === 'box'
    ? `<rect x="${lx + 4}" y="${ly - 10}" width="12" height="12" fill="${color}"/>`
    : `<line x1="${lx}" x2="${lx + 20}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${shape === 'dashed' ? ' stroke-dasharray="5 3"' : ''}/>`;
  return [swatch, `<text x="${lx + 26}" y="${ly}">${escape(name)}</text>`];
}

/**
 * A line chart as standalone SVG text (both axes from zero, one colored line with dots per series, a legend):
 * enough for the benchmark page to show a growth curve without a plotting dependency.
 */
export function lineChartSvg(chart: LineChart): string {
  const all = chart.series.flatMap((s) => s.points);
  const f = frame(chart.width ?? 640, chart.height ?? 360, legendWidth(chart.series.map((s) => s.name)), Math.max(0, ...all.map((p) => p[1])), chart.note);
  const xTicks = ticks(Math.max(0, ...all.map((p) => p[0])));
  const x = (v: number) => +(MARGIN.left + (v / xTicks[xTicks.length - 1]) * f.plotW).toFixed(1);
  const out = axes(f, chart);
  for (const t of xTicks) out.push(`<text x="${x(t)}" y="${f.top + f.plotH + 16}" text-anchor="middle">${tickLabel(t)}</text>`);
  chart.series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length];
    const points = s.points.map(([px, py]) => `${x(px)},${f.y(py)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${points}"/>`);
    for (const [px, py] of s.points) out.push(`<circle cx="${x(px)}" cy="${f.y(py)}" r="3" fill="${color}"><title>${escape(`${s.name}: ${tickLabel(px)} → ${tickLabel(py)}`)}</title></circle>`);
    out.push(...legendEntry(f, i, s.name, color, s.dashed ? 'dashed' : 'line'));
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/**
 * Stacked bars as standalone SVG text: where a total goes, part by part, for each category (a benchmark cell).
 * The plot widens with the categories so that every label stays readable.
 */
export function stackedBarChartSvg(chart: StackedBarChart): string {
  const n = chart.categories.length;
  const right = legendWidth(chart.stacks.map((s) => s.name));
  const totals = chart.categories.map((_, c) => chart.stacks.reduce((sum, s) => sum + (s.values[c] ?? 0), 0));
  const f = frame(chart.width ?? Math.max(640, MARGIN.left + right + 64 * n), chart.height ?? 380, right, Math.max(0, ...totals), chart.note);
  // Category labels take up to two lines (at 14 and 26 px under the axis), above the x label (at 38).
  const out = axes(f, chart);
  const slot = n ? f.plotW / n : 0;
  chart.categories.forEach((category, c) => {
    const cx = MARGIN.left + slot * (c + 0.5);
    const barW = +Math.min(40, slot * 0.6).toFixed(1);
    let base = 0;
    chart.stacks.forEach((s, i) => {
      const v = s.values[c] ?? 0;
      if (v > 0) {
        const top = f.y(base + v);
        out.push(`<rect x="${+(cx - barW / 2).toFixed(1)}" y="${top}" width="${barW}" height="${+(f.y(base) - top).toFixed(1)}" fill="${COLORS[i % COLORS.length]}"><title>${escape(`${category.replace(/\n/g, ' ')}, ${s.name}: ${tickLabel(v)}`)}</title></rect>`);
      }
      base += v;
    });
    const spans = category.split('\n').map((line, l) => `<tspan x="${+cx.toFixed(1)}" dy="${l === 0 ? 0 : 12}">${escape(line)}</tspan>`).join('');
    out.push(`<text x="${+cx.toFixed(1)}" y="${f.top + f.plotH + 14}" text-anchor="middle">${spans}</text>`);
  });
  chart.stacks.forEach((s, i) => out.push(...legendEntry(f, i, s.name, COLORS[i % COLORS.length], 'box')));
  out.push('</svg>');
  return out.join('\n') + '\n';
}
