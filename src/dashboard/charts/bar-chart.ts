// Server-rendered SVG: horizontal grouped bars, one group per category. Labels come from data (rep
// emails, mapping names), so every text node goes through html``. Each chart has a title for screen
// readers and the same numbers as a table below it.
import { html, type Html } from '../html.js';

export interface BarSeries {
  name: string;
  values: (number | null)[];
}

export interface BarChartSpec {
  id: string;
  title: string;
  categories: string[];
  series: BarSeries[];
  /** Shown after each value, e.g. "d" or "%". */
  unit: string;
  /** Fixed axis maximum (e.g. 100 for percentages); default: the largest value. */
  max?: number;
  decimals?: number;
}

const WIDTH = 720;
const LABEL_W = 200;
const VALUE_W = 70;
const BAR_H = 14;
const GAP = 10;

const fmt = (v: number, decimals: number) => v.toFixed(decimals);
const clip = (s: string, n = 30) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function barChart(spec: BarChartSpec): Html {
  const decimals = spec.decimals ?? 1;
  const all = spec.series.flatMap((s) => s.values).filter((v): v is number => v !== null);
  const max = spec.max ?? Math.max(1, ...all);
  const groupH = spec.series.length * BAR_H + GAP;
  const height = Math.max(groupH * spec.categories.length + 24, 40);
  const plotW = WIDTH - LABEL_W - VALUE_W;
  const titleId = `${spec.id}-title`;
  if (spec.categories.length === 0) return html`<figure class="chart" id="${spec.id}"><figcaption>${spec.title}</figcaption><p class="muted">No data yet.</p></figure>`;
  const groups = spec.categories.map((cat, ci) => {
    const y0 = ci * groupH + 4;
    const bars = spec.series.map((s, si) => {
      const v = s.values[ci] ?? null;
      const y = y0 + si * BAR_H;
      const w = v === null ? 0 : Math.max(1, (v / max) * plotW);
      return html`<rect class="bar s${si}" x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H - 2}"><title>${cat} — ${s.name}: ${v === null ? 'no data' : fmt(v, decimals) + spec.unit}</title></rect><text class="val" x="${(LABEL_W + w + 4).toFixed(1)}" y="${y + BAR_H - 4}">${v === null ? '–' : fmt(v, decimals) + spec.unit}</text>`;
    });
    return html`<g><text class="cat" x="${LABEL_W - 8}" y="${y0 + (spec.series.length * BAR_H) / 2 + 4}" text-anchor="end">${clip(cat)}</text>${bars}</g>`;
  });
  const legend = spec.series.map((s, si) => html`<span class="legend-item"><span class="swatch s${si}" aria-hidden="true"></span>${s.name}</span>`);
  const table = html`<details class="chart-data"><summary>Show the numbers</summary><div class="table-scroll"><table><thead><tr><th scope="col">${spec.title}</th>${spec.series.map((s) => html`<th scope="col">${s.name}</th>`)}</tr></thead><tbody>${spec.categories.map(
    (cat, ci) => html`<tr><th scope="row">${cat}</th>${spec.series.map((s) => html`<td>${s.values[ci] === null || s.values[ci] === undefined ? '–' : fmt(s.values[ci]!, decimals) + spec.unit}</td>`)}</tr>`,
  )}</tbody></table></div></details>`;
  return html`<figure class="chart" id="${spec.id}">
<figcaption id="${titleId}">${spec.title}</figcaption>
<div class="legend">${legend}</div>
<svg role="img" aria-labelledby="${titleId}" viewBox="0 0 ${WIDTH} ${height}" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">${groups}</svg>
${table}
</figure>`;
}
