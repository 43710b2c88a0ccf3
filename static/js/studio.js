// The authoring workbench: a plain textarea with line numbers and marked finding lines; validate
// and lint findings refresh as the JSON changes (debounced); each finding selects its place;
// a round's learner view and a plan's outcome come from the server's engine and models.
// The file on disk is the source of truth in `practicum studio FILE` mode: Save writes it, and a
// change made by another editor reloads the page's copy (or, with unsaved edits, asks).

import { h, fill, byId, money, num, pct, setupTabs } from "./dom.js";
import { kpiChart, roiCompareChart } from "./charts.js";

const CHECK_DELAY_MS = 250; // after the last keystroke; the answer comes well within a second
// Lint searches plans and may take longer than loading: if its answer is late, the loader's
// findings are shown first (a quick request without lint) and lint's replace them when ready.
const LINT_PATIENCE_MS = 500;
const POLL_MS = 1000;
const LINE_PX = 20; // must match .studio-editor line-height in studio.css

const main = byId("main");
const T = JSON.parse(byId("studio-strings").textContent);
const API = main.dataset.api;
const FILE_MODE = main.dataset.mode === "file";
const editor = byId("editor");
const gutter = byId("gutter");
const marks = byId("marks");

const app = {
  findings: [],
  scenario: null, // summary of the last text that loaded
  checkSeq: 0,
  timer: null,
  diskVersion: null, // the version of the file the editor's text is based on
  savedText: null, // the text last loaded from or saved to disk
  ignoredVersion: null, // a disk version the author chose to overwrite
  current: null, // the line of the finding last clicked
};

// --- requests -----------------------------------------------------------------------------------

async function call(method, path, body) {
  const response = await fetch(API + path, {
    method,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": main.dataset.csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  let data;
  try {
    data = await response.json();
  } catch {
    data = { ok: false, code: "http/error", message: `HTTP ${response.status}` };
  }
  data.status = response.status;
  return data;
}

function status(text, kind = "") {
  const node = byId("status");
  node.textContent = text;
  node.className = `small studio-status ${kind}`;
}

// --- the editor: gutter, marks, selection --------------------------------------------------------

function lineCount() {
  return editor.value.split("\n").length;
}

function renderGutter() {
  const n = lineCount();
  if (Number(gutter.dataset.lines) === n) return;
  gutter.dataset.lines = String(n);
  gutter.textContent = Array.from({ length: n }, (_, i) => i + 1).join("\n");
}

function renderMarks() {
  const byLine = new Map();
  for (const f of app.findings) {
    const worst = byLine.get(f.line);
    if (!worst || (worst === "warning" && f.severity === "error")) byLine.set(f.line, f.severity);
  }
  fill(marks, [...byLine.entries()].map(([line, severity]) => h("div", {
    class: `studio-mark ${severity}${line === app.current ? " current" : ""}`,
    style: null,
    "data-line": String(line),
  })));
  // Positions are set as properties: the page's CSP allows no inline style attributes.
  for (const node of marks.children) node.style.top = `${(Number(node.dataset.line) - 1) * LINE_PX}px`;
  syncScroll();
}

function syncScroll() {
  gutter.scrollTop = editor.scrollTop;
  marks.style.transform = `translate(${-editor.scrollLeft}px, ${-editor.scrollTop}px)`;
}

function select(finding) {
  app.current = finding.line;
  editor.focus();
  editor.setSelectionRange(finding.start, Math.max(finding.end, finding.start + 1));
  // Bring the line into view: a third of the way down the editor.
  editor.scrollTop = Math.max(0, (finding.line - 1) * LINE_PX - editor.clientHeight / 3);
  renderMarks();
}

// --- findings ------------------------------------------------------------------------------------

function scheduleCheck() {
  clearTimeout(app.timer);
  app.timer = setTimeout(runCheck, CHECK_DELAY_MS);
}

async function runCheck() {
  const seq = ++app.checkSeq;
  const text = editor.value;
  status(T.checking);
  let linted = false;
  const full = call("POST", "/check", { text }).then((data) => {
    linted = true;
    showCheck(seq, data);
  });
  setTimeout(async () => {
    if (linted || seq !== app.checkSeq) return;
    const quick = await call("POST", "/check", { text, lint: false });
    if (!linted) showCheck(seq, quick);
  }, LINT_PATIENCE_MS);
  await full;
}

function showCheck(seq, data) {
  if (seq !== app.checkSeq) return; // an older answer arriving after a newer request
  if (!data.ok) {
    status(`${data.code}: ${data.message}`, "error");
    return;
  }
  app.findings = data.findings;
  app.scenario = data.scenario;
  renderFindings(data.loads, data.loads && !data.linted);
  renderMarks();
  renderRoundChoice();
  renderPicks();
}

function renderFindings(loads, linting = false) {
  const errors = app.findings.filter((f) => f.severity === "error").length;
  const warnings = app.findings.length - errors;
  byId("finding-count").textContent = String(app.findings.length);
  byId("finding-count").className = `badge${errors ? " error" : warnings ? " warn" : " ok"}`;
  byId("findings-clean").hidden = app.findings.length > 0 || linting;
  fill(byId("findings"), app.findings.map((f, i) => h("li", { class: `studio-finding ${f.severity}` },
    h("button", { type: "button", class: "studio-finding-link", "data-index": String(i), "data-line": String(f.line), "data-rule": f.rule },
      h("span", { class: `badge ${f.severity === "error" ? "error" : "warn"}` }, f.severity),
      " ", h("code", {}, f.rule), " ",
      h("span", { class: "small muted" }, `${T.line} ${f.line}${f.path ? ` · ${f.path}` : ""}`)),
    h("p", { class: "studio-message" }, f.message))));
  const summary = `${loads ? T.loads : T.doesNotLoad} · ${errors} ${T.errors}, ${warnings} ${T.warnings}${linting ? ` · ${T.linting}` : ""}`;
  status(FILE_MODE && editor.value !== app.savedText ? `${summary} · ${T.unsaved}` : summary, errors ? "error" : "");
}

byId("findings").addEventListener("click", (event) => {
  const button = event.target.closest(".studio-finding-link");
  if (button) select(app.findings[Number(button.dataset.index)]);
});

// --- opening text ----------------------------------------------------------------------------------

function setText(text, note) {
  editor.value = text;
  editor.scrollTop = 0;
  renderGutter();
  if (note) status(note);
  runCheck();
}

byId("shipped-select").addEventListener("change", async (event) => {
  const id = event.target.value;
  if (!id) return;
  const data = await call("GET", `/shipped/${encodeURIComponent(id)}`);
  if (data.ok) setText(data.text, `${T.loaded} ${data.name}`);
  else status(`${data.code}: ${data.message}`, "error");
});

byId("local-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (file) setText(await file.text(), `${T.loaded} ${file.name}`);
});

byId("download").addEventListener("click", () => {
  const blob = new Blob([editor.value], { type: "application/json" });
  const link = h("a", { href: URL.createObjectURL(blob), download: main.dataset.file || `${(app.scenario && app.scenario.id) || "scenario"}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});

editor.addEventListener("input", () => {
  renderGutter();
  scheduleCheck();
});
editor.addEventListener("scroll", syncScroll);
editor.addEventListener("keydown", (event) => {
  // Tab indents by two spaces instead of leaving the editor (Escape then Tab still leaves).
  if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
    event.preventDefault();
    editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
    editor.dispatchEvent(new Event("input"));
  }
  if ((event.ctrlKey || event.metaKey) && event.key === "s" && FILE_MODE) {
    event.preventDefault();
    save(false);
  }
});

// --- the file on disk (studio FILE mode) ------------------------------------------------------------

async function loadDisk(note) {
  const data = await call("GET", "/file");
  if (!data.ok) {
    status(`${data.code}: ${data.message}`, "error");
    return;
  }
  app.diskVersion = data.version;
  app.savedText = data.text;
  byId("disk-notice").hidden = true;
  setText(data.text, note || `${T.loaded} ${data.name}`);
}

async function save(force) {
  const data = await call("POST", "/file", { text: editor.value, base: app.diskVersion, force });
  if (data.ok) {
    app.diskVersion = data.version;
    app.savedText = editor.value;
    byId("disk-notice").hidden = true;
    status(`${T.saved} ${main.dataset.file}`, "success");
  } else if (data.code === "file/conflict") {
    byId("disk-notice").hidden = false;
    status(T.conflict, "error");
  } else {
    status(`${T.saveFailed}: ${data.message}`, "error");
  }
}

async function poll() {
  const data = await call("GET", "/file/version");
  if (data.ok && data.version !== app.diskVersion && data.version !== app.ignoredVersion) {
    if (editor.value === app.savedText) {
      await loadDisk(T.reloaded); // no edits here: the disk wins silently
    } else {
      byId("disk-notice").hidden = false; // both changed: the author decides
    }
  }
  setTimeout(poll, POLL_MS);
}

if (FILE_MODE) {
  window.addEventListener("beforeunload", (event) => {
    if (app.savedText !== null && editor.value !== app.savedText) event.preventDefault();
  });
  byId("save").addEventListener("click", () => save(false));
  byId("take-disk").addEventListener("click", () => loadDisk(T.reloaded));
  byId("keep-mine").addEventListener("click", () => {
    byId("disk-notice").hidden = true;
    save(true);
  });
  loadDisk().then(() => setTimeout(poll, POLL_MS));
} else {
  renderGutter();
}

// --- preview ---------------------------------------------------------------------------------------

function renderRoundChoice() {
  const choice = byId("preview-round");
  const rounds = app.scenario ? app.scenario.rounds : [];
  const keep = choice.value;
  fill(choice, rounds.map((r, i) => h("option", { value: String(i) }, `${i + 1}. ${r.name}`)));
  if (keep && Number(keep) < rounds.length) choice.value = keep;
}

function costText(cost, currency) {
  const parts = [];
  if (cost.points) parts.push(`${cost.points} ${T.points}`);
  if (cost.days) parts.push(`${cost.days} ${T.days}`);
  if (cost.cash) parts.push(money(cost.cash, currency));
  return parts.join(" · ") || "0";
}

function renderPreview(data) {
  const cat = data.catalogue;
  const team = data.view.team;
  const allowed = new Set(team.allowed);
  const current = team.rounds.find((r) => r.current) || team.rounds[0];
  const cur = cat.economics.currency;
  const left = team.budget.left;
  const index = data.round.index;
  const open = cat.diagnostics.filter((d) => {
    const opens = d.opensIn ? cat.rounds.findIndex((r) => r.id === d.opensIn) : 0;
    return opens <= index;
  });
  const section = (title, attr, ...children) => h("section", { class: "card stack", "data-preview": attr }, h("h3", {}, title), ...children);
  const parts = [
    h("header", { class: "stack" },
      h("h2", { "data-preview": "round-name" }, `${data.round.index + 1}. ${data.round.name}`),
      h("p", { class: "small muted" }, `${data.round.phase} · ${data.round.minutes} min`)),
    section(T.roundBrief, "brief", h("p", { class: "prewrap" }, data.round.brief)),
    section(T.allowed, "allowed", h("ul", { class: "list small" }, [...allowed].sort().map((a) => h("li", { "data-action": a }, T.actions[a] || a)))),
    section(T.budgetLeft, "budget", h("p", {}, `${num(left.points, 0)} ${T.points} · ${num(left.days, 0)} ${T.days} · ${money(left.cash, cur)}`)),
    section(T.deliverable, "deliverable", h("ul", { class: "list" }, (current ? current.deliverable : []).map((f) => h("li", {},
      h("strong", {}, f.label), " ", h("span", { class: "small muted" }, `${f.kind} · ${f.required ? T.required : T.optional}${f.maxLength ? ` · ≤ ${f.maxLength}` : ""}`))))),
  ];
  if (allowed.has("run_diagnostic")) {
    parts.push(section(T.diagnosticsOpen, "diagnostics", h("ul", { class: "list small" }, open.map((d) => h("li", {},
      h("strong", {}, d.name), ` · ${d.method} · ${costText(d.cost, cur)}${d.locked ? " · 🔒" : ""}`)))));
  }
  if (allowed.has("select_intervention")) {
    parts.push(section(T.interventions, "interventions", h("ul", { class: "list small" }, cat.interventions.map((i) => h("li", {},
      h("strong", {}, i.name), ` · ${i.category} · ${money(i.cost.oneOff, cur)} + ${money(i.cost.perQuarter, cur)}/Q · ${i.leadWeeks} ${T.lead}`)))));
  }
  if (allowed.has("select_metric")) {
    parts.push(section(T.metrics, "metrics", h("ul", { class: "list small" }, cat.metrics.map((m) => h("li", {},
      h("strong", {}, m.name), ` · L${m.level} · ${m.timing}`)))));
  }
  if (team.injects.length) {
    parts.push(section(T.injects, "injects", h("ul", { class: "list small" }, team.injects.map((i) => h("li", {},
      h("strong", {}, i.title), ` · ${i.sender}: ${i.text}`)))));
  }
  if (index === 0) {
    parts.splice(1, 0, section(T.briefing, "briefing",
      h("p", {}, h("strong", {}, cat.brief.sponsor), ": ", cat.brief.request),
      h("p", { class: "small prewrap" }, cat.brief.context)));
  }
  fill(byId("preview"), parts);
}

byId("preview-go").addEventListener("click", async () => {
  const round = Number(byId("preview-round").value || 0);
  const data = await call("POST", "/preview", { text: editor.value, round });
  if (data.ok) renderPreview(data);
  else fill(byId("preview"), h("p", { class: "alert error", role: "alert" }, data.code === "scenario/invalid" ? T.fixFirst : `${data.code}: ${data.message}`));
});

// --- play ------------------------------------------------------------------------------------------

function planKind() {
  return document.querySelector('input[name="plan-kind"]:checked').value;
}

function renderPicks() {
  const box = byId("custom-plan");
  if (!app.scenario || !app.scenario.catalogue) return;
  const expert = app.scenario.expertPlan;
  const cat = app.scenario.catalogue;
  const was = currentPicks();
  const pick = (kind, items, label, chosen) => fill(byId(`pick-${kind}`), items.map((item) => h("label", { class: "small" },
    h("input", { type: "checkbox", name: `pick-${kind}`, value: item.id, checked: (was ? was[kind] : chosen).includes(item.id) || null }),
    " ", label(item))));
  pick("diagnostics", cat.diagnostics, (d) => `${d.name} (${costText(d.cost, cat.currency)})`, expert.diagnostics);
  pick("interventions", cat.interventions, (i) => `${i.name} (${money(i.oneOff, cat.currency)} + ${money(i.perQuarter, cat.currency)}/Q)`, expert.interventions.map((i) => i.id));
  box.dataset.ready = "1";
}

function currentPicks() {
  if (!byId("custom-plan").dataset.ready) return null;
  const ticked = (kind) => [...document.querySelectorAll(`input[name="pick-${kind}"]:checked`)].map((n) => n.value);
  return { diagnostics: ticked("diagnostics"), interventions: ticked("interventions") };
}

function customPlan() {
  const expert = app.scenario.expertPlan;
  const picks = currentPicks() || { diagnostics: expert.diagnostics, interventions: expert.interventions.map((i) => i.id) };
  const weeks = new Map(expert.interventions.map((i) => [i.id, i.startWeek]));
  const ran = new Set(picks.diagnostics);
  // The expert's diagnosis, kept only where the team ran the diagnostic that shows it.
  return {
    ...expert,
    diagnostics: picks.diagnostics,
    evidence: expert.evidence.filter((e) => ran.has(e.diagnostic)),
    interventions: picks.interventions.map((id) => ({ id, startWeek: weeks.get(id) ?? 0 })),
  };
}

document.querySelectorAll('input[name="plan-kind"]').forEach((n) => n.addEventListener("change", () => {
  byId("custom-plan").hidden = planKind() !== "custom";
}));

function renderPlay(data, kind) {
  const o = data.outcome;
  const cur = data.currency;
  const label = kind === "expert" ? T.expertPlan : kind === "sponsor" ? T.sponsorPlan : T.yourPlan;
  const b = data.budget;
  const charts = data.kpis.map((k) => kpiChart({
    title: k.name, unit: k.unit, target: k.target,
    series: [
      { label, cls: "team", index: 0, values: o.plan.kpis[k.id] },
      { label: T.doingNothing, cls: "nothing", values: o.nothing.kpis[k.id] },
      kind === "expert" ? null : { label: T.expertPlan, cls: "expert", values: o.expert.kpis[k.id] },
      data.sponsor && kind !== "sponsor" ? { label: T.sponsorPlan, cls: "sponsor", values: data.sponsor.kpis[k.id] } : null,
    ].filter(Boolean),
  }));
  const roi = roiCompareChart({
    title: T.roiTitle,
    rows: [{ label, trueRoi: o.roi, reportedRoi: o.reportedRoi }]
      .concat(kind === "expert" ? [] : [{ label: T.expertPlan, trueRoi: o.expertRoi, reportedRoi: undefined }]),
  });
  const scores = h("section", { class: "card stack", "data-play": "scores" },
    h("h3", {}, T.scores),
    h("table", { class: "small" }, h("tbody", {}, data.rubric.map((c) => h("tr", {},
      h("th", { scope: "row" }, c.name),
      h("td", { class: "num nowrap" }, c.score ? `${num(c.score.points)} / ${num(c.weight)}` : `– / ${num(c.weight)}`),
      h("td", {}, c.score ? c.score.explanation : T.facilitatorScored))))),
    h("p", { "data-play": "total" }, h("strong", {}, `${T.autoTotal}: ${num(data.autoTotal)} / ${num(data.autoMax)}`)));
  const money_ = h("p", { class: "small", "data-play": "money" },
    `${T.cost} ${money(o.cost, cur)} · ${T.benefit} ${money(o.benefit, cur)} · ROI ${o.roi === null ? "–" : pct(o.roi)} · `,
    `${T.targetsMet}: ${Object.values(o.targetsMet).filter(Boolean).length} / ${Object.keys(o.targetsMet).length}`);
  const budget = h("p", { class: `small badge ${b.fits ? "ok" : "error"}`, "data-play": "budget" },
    `${b.fits ? T.withinBudget : T.overBudget}: ${b.points.spent}/${b.points.available} ${T.points} · ${b.days.spent}/${b.days.available} ${T.days} · ${money(b.cash.spent, cur)}/${money(b.cash.available, cur)}`);
  fill(byId("play"), budget, money_, scores, h("div", { class: "charts studio-charts" }, charts, roi));
}

byId("play-go").addEventListener("click", async () => {
  const kind = planKind();
  if (kind === "custom" && !app.scenario) {
    fill(byId("play"), h("p", { class: "alert error", role: "alert" }, T.fixFirst));
    return;
  }
  const plan = kind === "custom" ? customPlan() : kind;
  const data = await call("POST", "/play", { text: editor.value, plan });
  if (data.ok) renderPlay(data, kind);
  else fill(byId("play"), h("p", { class: "alert error", role: "alert" }, data.code === "scenario/invalid" ? T.fixFirst : `${data.code}: ${data.message}`));
});

setupTabs(byId("studio-tabs"));
