// Inline-SVG charts drawn from server data: KPIs by quarter (every team overlaid on doing nothing,
// the expert plan and the target) and ROI, true beside reported. Sized to be read from the back
// of a room on a 1920x1080 projector: the drawing is 960 units wide with 22-unit text, and the
// stylesheet never lets a chart shrink below 720 px there, so text stays at 16 px or more.
// Series differ in line style as well as colour (Okabe-Ito palette), lines carry their names at
// their ends instead of a legend, and every chart keeps its numbers in a table.

import { h, s, num, pct } from "./dom.js";
import { t as tr } from "./i18n.js";

const W = 960;
const H = 470;
const FONT = 22; // user units; see the stylesheet's .chart text
const PAD = { top: 24, right: 250, bottom: 56, left: 96 };
const LABEL_MAX = 18; // characters of a name drawn at a line's end (the table has the full one)
export const TEAM_STYLES = 8; // .series.team-0 .. team-7 in the stylesheet

let chartCounter = 0;

/** Return a step of 1, 2, 2.5 or 5 times a power of ten close to span / count. */
function niceStep(span, count) {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Return round tick values covering [lo, hi], and the decimals they need. */
export function niceTicks(lo, hi, count = 5) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { ticks: [0, 1], digits: 0 };
  if (lo === hi) {
    const pad = Math.abs(lo) > 1 ? Math.abs(lo) * 0.05 : 1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, count);
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks = [];
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Number(v.toFixed(10)));
  let digits = 0; // as many decimals as the step has: 2.5 -> 1, 0.25 -> 2, 5 -> 0
  while (digits < 6 && Math.abs(step * 10 ** digits - Math.round(step * 10 ** digits)) > 1e-9) digits += 1;
  return { ticks, digits };
}

function short(label) {
  return label.length > LABEL_MAX ? `${label.slice(0, LABEL_MAX - 1)}…` : label;
}

/** Spread label positions so no two are closer than `gap`, staying within [top, bottom]. */
function spread(items, gap, top, bottom) {
  const sorted = [...items].sort((a, b) => a.y - b.y);
  for (let i = 1; i < sorted.length; i += 1) {
    sorted[i].y = Math.max(sorted[i].y, sorted[i - 1].y + gap);
  }
  const overflow = sorted.length ? sorted[sorted.length - 1].y - bottom : 0;
  if (overflow > 0) {
    for (const item of sorted) item.y -= overflow;
    for (let i = sorted.length - 2; i >= 0; i -= 1) sorted[i].y = Math.min(sorted[i].y, sorted[i + 1].y - gap);
  }
  for (const item of sorted) item.y = Math.max(item.y, top);
  return sorted;
}

/** Return the groups of two or more series with the very same values. */
function coinciding(lines) {
  const same = (a, b) => a.values.length === b.values.length && a.values.every((v, i) => Math.abs(v - b.values[i]) < 1e-6);
  const groups = [];
  for (const line of lines) {
    const group = groups.find((g) => same(g[0], line));
    if (group) group.push(line);
    else groups.push([line]);
  }
  return groups.filter((g) => g.length > 1);
}

/** Return "a, b and c". */
function listed(items) {
  return items.length > 1 ? tr("{items} and {last}", { items: items.slice(0, -1).join(", "), last: items[items.length - 1] }) : items.join("");
}

function dataTable(caption, columns, rows) {
  return h("details", { class: "small chart-table" },
    h("summary", {}, tr("Show the numbers")),
    h("div", { class: "table-wrap" },
      h("table", {},
        h("caption", { class: "visually-hidden" }, caption),
        h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell, i) => (i === 0
          ? h("th", { scope: "row" }, cell)
          : h("td", { class: "num" }, cell)))))))));
}

/** Return the class of a series: "team team-3" for the fourth team, else its kind. */
function seriesClass(line) {
  return line.cls === "team" && line.index !== undefined ? `team team-${line.index % TEAM_STYLES}` : line.cls;
}

/**
 * A line chart of one KPI by quarter.
 * series: [{label, cls: "team"|"nothing"|"expert"|"sponsor", index (teams: 0, 1, ...), values}]
 */
export function kpiChart({ title, unit = "", series, target = null, xLabels = null, width = W, height = H }) {
  chartCounter += 1;
  // Narrower or flatter drawings (the stage's three in a row) keep the same text size.
  const W = width;
  const H = height;
  const id = `chart-${chartCounter}`;
  const usable = series.filter((x) => Array.isArray(x.values) && x.values.length);
  const n = Math.max(...usable.map((x) => x.values.length), 2);
  const labels = xLabels || Array.from({ length: n }, (_, i) => (i === 0 ? tr("Now") : tr("Q{n}", { n: i })));
  const all = usable.flatMap((x) => x.values).concat(target === null ? [] : [target]);
  const { ticks, digits } = niceTicks(Math.min(...all), Math.max(...all));
  const lo = ticks[0];
  const hi = ticks[ticks.length - 1];
  const x = (i) => PAD.left + ((W - PAD.left - PAD.right) * i) / (n - 1);
  const y = (v) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - (v - lo) / (hi - lo));

  const svg = s("svg", {
    class: "chart kpi-chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`,
  });
  svg.append(s("title", { id: `${id}-t` }, title));
  const summary = usable.map((line) => tr("{series}: {value} at {when}", { series: line.label, value: `${num(line.values[line.values.length - 1])}${unit ? " " + unit : ""}`, when: labels[labels.length - 1] })).join("; ");
  svg.append(s("desc", { id: `${id}-d` }, summary + (target === null ? "" : tr("; target {value}", { value: num(target) }))));
  for (const t of ticks) {
    svg.append(s("line", { class: "grid-line", x1: PAD.left, x2: W - PAD.right, y1: y(t), y2: y(t) }));
    svg.append(s("text", { class: "tick", x: PAD.left - 12, y: y(t) + FONT * 0.35, "text-anchor": "end" }, num(t, digits)));
  }
  labels.forEach((label, i) => {
    svg.append(s("text", { class: "tick", x: x(i), y: H - PAD.bottom + FONT + 12, "text-anchor": "middle" }, label));
  });
  svg.append(s("line", { class: "axis-line", x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: H - PAD.bottom }));
  svg.append(s("line", { class: "axis-line", x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom }));
  const ends = [];
  if (target !== null && target !== undefined) {
    svg.append(s("line", { class: "target-line", x1: PAD.left, x2: W - PAD.right, y1: y(target), y2: y(target) }));
    ends.push({ y: y(target), anchor: y(target), text: tr("Target {value}", { value: num(target) }), cls: "target-label" });
  }
  // Reference lines first, teams on top; among teams the first drawn is the widest.
  const order = { nothing: 0, sponsor: 1, expert: 2, team: 3 };
  for (const line of [...usable].sort((a, b) => (order[a.cls] ?? 9) - (order[b.cls] ?? 9))) {
    const points = line.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    svg.append(s("polyline", { class: `series ${seriesClass(line)}`, points, "data-series": line.label }));
    const last = line.values[line.values.length - 1];
    ends.push({ y: y(last), anchor: y(last), text: short(line.label), cls: `end-label ${seriesClass(line)}`, series: line.label });
  }
  // Direct labels at the right end of each line, pushed apart where lines end close together.
  for (const end of spread(ends, FONT + 4, PAD.top + FONT * 0.4, H - PAD.bottom)) {
    const x0 = W - PAD.right;
    if (Math.abs(end.y - end.anchor) > 2) {
      svg.append(s("line", { class: "leader", x1: x0 + 2, y1: end.anchor, x2: x0 + 14, y2: end.y }));
    }
    svg.append(s("text", { class: end.cls, x: x0 + 18, y: end.y + FONT * 0.35, "data-label-for": end.series || null }, end.text));
  }
  // Coinciding lines hide each other; say so in words (it is usually the lesson of the chart).
  const coincide = coinciding(usable).map((group) => tr("{series} lie on one line.", { series: listed(group.map((line) => tr("“{name}”", { name: line.label }))) }));
  const table = dataTable(title, [tr("Series"), ...labels],
    usable.map((line) => [line.label, ...line.values.map((v) => num(v))])
      .concat(target === null ? [] : [[tr("Target"), ...labels.map(() => num(target))]]));
  return h("figure", { class: "card chart-card", "data-chart": "kpi" },
    h("figcaption", {}, h("h4", {}, title, unit ? h("span", { class: "muted unit" }, ` (${unit})`) : null)),
    svg, coincide.length ? h("p", { class: "small chart-note" }, coincide.join(" ")) : null, table);
}

/**
 * Horizontal bars of ROI per row, true beside reported.
 * rows: [{label, trueRoi, reportedRoi (null: the team reports none; undefined: no such bar)}]
 */
export function roiCompareChart({ title, rows }) {
  chartCounter += 1;
  const id = `chart-${chartCounter}`;
  const known = (v) => v !== null && v !== undefined && Number.isFinite(v);
  const values = rows.flatMap((r) => [r.trueRoi, r.reportedRoi]).filter(known).concat([0]);
  const { ticks } = niceTicks(Math.min(...values), Math.max(...values), 5);
  const lo = ticks[0];
  const hi = ticks[ticks.length - 1];
  const left = 300;
  const right = 120;
  const rowH = 76;
  const top = 16;
  const height = top + rows.length * rowH + 64;
  const x = (v) => left + (W - left - right) * ((v - lo) / (hi - lo));
  const svg = s("svg", { class: "chart roi-chart", viewBox: `0 0 ${W} ${height}`, role: "img", "aria-labelledby": `${id}-t ${id}-d` });
  svg.append(s("title", { id: `${id}-t` }, title));
  const words = (v) => (known(v) ? pct(v) : tr("not computable"));
  svg.append(s("desc", { id: `${id}-d` }, rows.map((r) => (r.reportedRoi === undefined ? tr("{series}: true {true}", { series: r.label, true: words(r.trueRoi) }) : tr("{series}: true {true}, reported {reported}", { series: r.label, true: words(r.trueRoi), reported: r.reportedRoi === null ? tr("none") : words(r.reportedRoi) }))).join("; ")));
  for (const t of ticks) {
    svg.append(s("line", { class: "grid-line", x1: x(t), x2: x(t), y1: top, y2: height - 52 }));
    svg.append(s("text", { class: "tick", x: x(t), y: height - 52 + FONT + 8, "text-anchor": "middle" }, pct(t)));
  }
  svg.append(s("line", { class: "axis-line zero", x1: x(0), x2: x(0), y1: top, y2: height - 52 }));
  rows.forEach((row, i) => {
    const y0 = top + i * rowH;
    svg.append(s("text", { class: "row-label", x: left - 16, y: y0 + rowH / 2 + FONT * 0.35, "text-anchor": "end", "data-row": row.label }, short(row.label)));
    [["true", row.trueRoi, 6], ["reported", row.reportedRoi, 6 + 32]].forEach(([kind, value, dy]) => {
      if (value === undefined) return;
      const yb = y0 + dy;
      if (known(value)) {
        const x1 = Math.min(x(0), x(value));
        const width = Math.max(2, Math.abs(x(value) - x(0)));
        svg.append(s("rect", { class: `bar ${kind}`, x: x1, y: yb, width, height: 28 }));
        // Right of the bar, or right of zero for a loss: the row labels own the left margin.
        const at = value >= 0 ? x1 + width + 8 : x(0) + 8;
        svg.append(s("text", { class: "value", x: at, y: yb + 21, "text-anchor": "start" }, kind === "true" ? tr("{share} true", { share: pct(value) }) : tr("{share} reported", { share: pct(value) })));
      } else {
        svg.append(s("text", { class: "value muted", x: x(0) + 8, y: yb + 21 }, kind === "reported" ? tr("nothing reported") : tr("no cost, no ROI")));
      }
    });
  });
  return h("figure", { class: "card chart-card", "data-chart": "roi" },
    h("figcaption", {}, h("h4", {}, title), h("p", { class: "chart-key" },
      h("span", { class: "key true" }, tr("Solid: true ROI")), " ", h("span", { class: "key reported" }, tr("Outlined: ROI as the team would report it")))),
    svg,
    dataTable(title, [tr("Team"), tr("True ROI"), tr("Reported ROI")], rows.map((r) => [r.label, words(r.trueRoi), r.reportedRoi === undefined ? "–" : r.reportedRoi === null ? tr("none") : words(r.reportedRoi)])));
}
