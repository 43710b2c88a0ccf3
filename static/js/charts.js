// Small inline-SVG charts drawn from server data (debrief KPIs by quarter, ROI bars). Series
// differ in dash pattern as well as colour, and every chart carries its numbers in a table.

import { h, s, num, pct } from "./dom.js";

const W = 460;
const H = 240;
const PAD = { top: 16, right: 16, bottom: 34, left: 52 };

let chartCounter = 0;

function niceRange(values) {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const span = hi - lo;
  return [lo - span * 0.08, hi + span * 0.08];
}

function ticks(lo, hi, count = 4) {
  const step = (hi - lo) / count;
  return Array.from({ length: count + 1 }, (_, i) => lo + step * i);
}

function legendSwatch(cls) {
  return s("svg", { width: 28, height: 10, "aria-hidden": "true", class: "chart" },
    s("line", { x1: 0, y1: 5, x2: 28, y2: 5, class: `series ${cls}` }));
}

function dataTable(caption, columns, rows) {
  return h("details", { class: "small" },
    h("summary", {}, "Show the numbers"),
    h("div", { class: "table-wrap" },
      h("table", {},
        h("caption", { class: "visually-hidden" }, caption),
        h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell, i) => (i === 0
          ? h("th", { scope: "row" }, cell)
          : h("td", { class: "num" }, cell)))))))));
}

/**
 * A line chart of one KPI by quarter.
 * series: [{label, cls: "team"|"nothing"|"expert"|"sponsor", values: [number]}]
 */
export function kpiChart({ title, unit = "", series, target = null, xLabels = null }) {
  chartCounter += 1;
  const id = `chart-${chartCounter}`;
  const usable = series.filter((x) => Array.isArray(x.values) && x.values.length);
  const n = Math.max(...usable.map((x) => x.values.length), 2);
  const labels = xLabels || Array.from({ length: n }, (_, i) => (i === 0 ? "Now" : `Q${i}`));
  const all = usable.flatMap((x) => x.values).concat(target === null ? [] : [target]);
  const [lo, hi] = niceRange(all);
  const x = (i) => PAD.left + ((W - PAD.left - PAD.right) * i) / (n - 1);
  const y = (v) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - (v - lo) / (hi - lo));

  const svg = s("svg", {
    class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`,
  });
  svg.append(s("title", { id: `${id}-t` }, title));
  const summary = usable.map((x) => `${x.label}: ${num(x.values[x.values.length - 1])}${unit ? " " + unit : ""} at ${labels[labels.length - 1]}`).join("; ");
  svg.append(s("desc", { id: `${id}-d` }, summary + (target === null ? "" : `; target ${num(target)}`)));
  for (const t of ticks(lo, hi)) {
    svg.append(s("line", { class: "grid-line", x1: PAD.left, x2: W - PAD.right, y1: y(t), y2: y(t) }));
    svg.append(s("text", { x: PAD.left - 6, y: y(t) + 4, "text-anchor": "end" }, num(t, 1)));
  }
  labels.forEach((label, i) => {
    svg.append(s("text", { x: x(i), y: H - PAD.bottom + 16, "text-anchor": "middle" }, label));
  });
  svg.append(s("line", { class: "axis-line", x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: H - PAD.bottom }));
  svg.append(s("line", { class: "axis-line", x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom }));
  if (target !== null && target !== undefined) {
    svg.append(s("line", { class: "target-line", x1: PAD.left, x2: W - PAD.right, y1: y(target), y2: y(target) }));
    svg.append(s("text", { x: W - PAD.right, y: y(target) - 4, "text-anchor": "end" }, `target ${num(target)}`));
  }
  // The team's line is drawn first and widest, so a dashed reference lying on it stays visible.
  const order = { team: 0, sponsor: 1, expert: 2, nothing: 3 };
  for (const line of [...usable].sort((a, b) => (order[a.cls] ?? 9) - (order[b.cls] ?? 9))) {
    const points = line.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    svg.append(s("polyline", { class: `series ${line.cls}`, points, "data-series": line.label }));
  }
  const legend = h("ul", { class: "legend" },
    usable.map((line) => h("li", {}, legendSwatch(line.cls), line.label)),
    target === null ? null : h("li", {}, s("svg", { width: 28, height: 10, "aria-hidden": "true", class: "chart" },
      s("line", { x1: 0, y1: 5, x2: 28, y2: 5, class: "target-line" })), "Target"));
  // Coinciding lines hide each other; say so in words (it is usually the lesson of the chart).
  const same = (a, b) => a.values.length === b.values.length && a.values.every((v, i) => Math.abs(v - b.values[i]) < 1e-6);
  const coincide = [];
  for (let i = 0; i < usable.length; i += 1) {
    for (let j = i + 1; j < usable.length; j += 1) {
      if (same(usable[i], usable[j])) coincide.push(`“${usable[i].label}” and “${usable[j].label}” coincide: the lines lie on each other.`);
    }
  }
  const table = dataTable(title, ["Series", ...labels],
    usable.map((line) => [line.label, ...line.values.map((v) => num(v))]));
  return h("figure", { class: "card chart-card", "data-chart": "kpi" },
    h("figcaption", {}, h("h4", {}, title, unit ? h("span", { class: "muted small" }, ` (${unit})`) : null)),
    svg, legend, coincide.length ? h("p", { class: "small chart-note" }, coincide.join(" ")) : null, table);
}

/** A bar chart of ROI values: bars: [{label, value (ratio or null), cls: "true"|"reported"}]. */
export function roiChart({ title, bars }) {
  chartCounter += 1;
  const id = `chart-${chartCounter}`;
  const known = bars.filter((b) => b.value !== null && b.value !== undefined && Number.isFinite(b.value));
  const values = known.map((b) => b.value).concat([0]);
  const [lo, hi] = niceRange(values);
  const height = 200;
  const y = (v) => PAD.top + (height - PAD.top - PAD.bottom) * (1 - (v - lo) / (hi - lo));
  const slot = (W - PAD.left - PAD.right) / Math.max(bars.length, 1);
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${W} ${height}`, role: "img", "aria-labelledby": `${id}-t ${id}-d` });
  svg.append(s("title", { id: `${id}-t` }, title));
  svg.append(s("desc", { id: `${id}-d` }, bars.map((b) => `${b.label}: ${b.value === null || b.value === undefined ? "not computable" : pct(b.value)}`).join("; ")));
  svg.append(s("line", { class: "axis-line", x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0) }));
  svg.append(s("text", { x: PAD.left - 6, y: y(0) + 4, "text-anchor": "end" }, "0%"));
  bars.forEach((bar, i) => {
    const cx = PAD.left + slot * i + slot / 2;
    const width = Math.min(80, slot * 0.6);
    const label = bar.value === null || bar.value === undefined ? "n/a" : pct(bar.value);
    if (bar.value !== null && bar.value !== undefined && Number.isFinite(bar.value)) {
      const top = Math.min(y(bar.value), y(0));
      const barHeight = Math.max(1, Math.abs(y(bar.value) - y(0)));
      svg.append(s("rect", { class: `bar ${bar.cls}`, x: cx - width / 2, y: top, width, height: barHeight }));
      const above = bar.value >= 0 ? top - 6 : top + barHeight + 14;
      svg.append(s("text", { class: "value", x: cx, y: above, "text-anchor": "middle" }, label));
    } else {
      svg.append(s("text", { class: "value", x: cx, y: y(0) - 6, "text-anchor": "middle" }, label));
    }
    svg.append(s("text", { x: cx, y: height - 10, "text-anchor": "middle" }, bar.label));
  });
  return h("figure", { class: "card chart-card", "data-chart": "roi" },
    h("figcaption", {}, h("h4", {}, title)), svg,
    dataTable(title, ["Measure", "ROI"], bars.map((b) => [b.label, b.value === null || b.value === undefined ? "n/a" : pct(b.value)])));
}
