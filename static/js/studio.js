// The authoring workbench: a plain textarea with line numbers and marked finding lines; validate
// and lint findings refresh as the JSON changes (debounced); each finding selects its place;
// a round's learner view and a plan's outcome come from the server's engine and models.
// The file on disk is the source of truth in `practicum studio FILE` mode: Save writes it, and a
// change made by another editor reloads the page's copy (or, with unsaved edits, asks).

import { h, fill, byId, money, num, pct, setupTabs } from "./dom.js";
import { kpiChart, roiCompareChart } from "./charts.js";
import { levelLabel, methodLabel, phaseLabel } from "./common.js";
import { t } from "./i18n.js";

const CHECK_DELAY_MS = 250; // after the last keystroke; the answer comes well within a second
// Lint searches plans and may take longer than loading: if its answer is late, the loader's
// findings are shown first (a quick request without lint) and lint's replace them when ready.
const LINT_PATIENCE_MS = 500;
const POLL_MS = 1000;
const LINE_PX = 20; // must match .studio-editor line-height in studio.css

const main = byId("main");
// What a learner may do in a round (the engine's action names), as the preview lists them.
const ACTIONS = {
  chat: t("Chat with the team"),
  declare_cause: t("Declare a cause"),
  withdraw_cause: t("Withdraw a declared cause"),
  rule_out_cause: t("Rule out a cause"),
  deselect_intervention: t("Drop an intervention"),
  deselect_metric: t("Drop a metric"),
  edit_text: t("Edit the deliverable's texts together"),
  write_text: t("Write the deliverable's texts"),
  mark_evidence: t("Mark evidence for or against a cause"),
  mark_ready: t("Mark themselves ready"),
  respond_inject: t("Answer a message"),
  run_diagnostic: t("Run a diagnostic"),
  run_pilot: t("Pilot an intervention on one site"),
  select_intervention: t("Choose an intervention"),
  select_metric: t("Choose a metric"),
  set_isolation: t("Choose how to isolate the programme's effect"),
  submit_round: t("Submit the round"),
};
const SEVERITIES = { error: t("error"), warning: t("warning") };
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
  status(t("Checking…"));
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
      h("span", { class: `badge ${f.severity === "error" ? "error" : "warn"}` }, SEVERITIES[f.severity] || f.severity),
      " ", h("code", {}, f.rule), " ",
      h("span", { class: "small muted" }, `${t("line {line}", { line: f.line })}${f.path ? ` · ${f.path}` : ""}`)),
    h("p", { class: "studio-message" }, f.message))));
  const counts = t("{errors}, {warnings}", {
    errors: t("{count} errors", { count: errors }),
    warnings: t("{count} warnings", { count: warnings }),
  });
  const summary = `${loads ? t("Loads") : t("Does not load")} · ${counts}${linting ? ` · ${t("lint still running…")}` : ""}`;
  status(FILE_MODE && editor.value !== app.savedText ? `${summary} · ${t("unsaved changes")}` : summary, errors ? "error" : "");
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
  if (data.ok) setText(data.text, t("Opened {name}", { name: data.name }));
  else status(`${data.code}: ${data.message}`, "error");
});

byId("local-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (file) setText(await file.text(), t("Opened {name}", { name: file.name }));
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
  setText(data.text, note || t("Opened {name}", { name: data.name }));
}

async function save(force) {
  const data = await call("POST", "/file", { text: editor.value, base: app.diskVersion, force });
  if (data.ok) {
    app.diskVersion = data.version;
    app.savedText = editor.value;
    byId("disk-notice").hidden = true;
    status(t("Saved {name}", { name: main.dataset.file }), "success");
  } else if (data.code === "file/conflict") {
    byId("disk-notice").hidden = false;
    status(t("The file changed on disk since you opened it."), "error");
  } else {
    status(t("Save failed: {message}", { message: data.message }), "error");
  }
}

async function poll() {
  const data = await call("GET", "/file/version");
  if (data.ok && data.version !== app.diskVersion && data.version !== app.ignoredVersion) {
    if (editor.value === app.savedText) {
      await loadDisk(t("The file changed on disk; reloaded.")); // no edits here: the disk wins silently
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
  byId("take-disk").addEventListener("click", () => loadDisk(t("The file changed on disk; reloaded.")));
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

function perQuarter(oneOff, quarterly, currency) {
  return t("{oneOff} + {quarterly} per quarter", { oneOff: money(oneOff, currency), quarterly: money(quarterly, currency) });
}

function costText(cost, currency) {
  const parts = [];
  if (cost.points) parts.push(t("{count} points", { count: cost.points }));
  if (cost.days) parts.push(t("{count} days", { count: cost.days }));
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
      h("p", { class: "small muted" }, `${phaseLabel(data.round.phase)} · ${t("{minutes} min", { minutes: data.round.minutes })}`)),
    section(t("This round's brief"), "brief", h("p", { class: "prewrap" }, data.round.brief)),
    section(t("What the team can do"), "allowed", h("ul", { class: "list small" }, [...allowed].sort().map((a) => h("li", { "data-action": a }, ACTIONS[a] || a)))),
    section(t("Budget left"), "budget", h("p", {}, [
      t("{count} points", { count: Math.round(left.points) }),
      t("{count} days", { count: Math.round(left.days) }),
      money(left.cash, cur),
    ].join(" · "))),
    // The field's kind is the scenario's own JSON value, shown as the author writes it.
    section(t("Deliverable"), "deliverable", h("ul", { class: "list" }, (current ? current.deliverable : []).map((f) => h("li", {},
      h("strong", {}, f.label), " ", h("span", { class: "small muted" }, h("code", {}, f.kind), ` · ${f.required ? t("required") : t("optional")}${f.maxLength ? ` · ≤ ${num(f.maxLength, 0)}` : ""}`))))),
  ];
  if (allowed.has("run_diagnostic")) {
    parts.push(section(t("Diagnostics open in this round"), "diagnostics", h("ul", { class: "list small" }, open.map((d) => h("li", {},
      h("strong", {}, d.name), ` · ${methodLabel(d.method)} · ${costText(d.cost, cur)}${d.locked ? " · 🔒" : ""}`)))));
  }
  if (allowed.has("select_intervention")) {
    parts.push(section(t("Interventions on offer"), "interventions", h("ul", { class: "list small" }, cat.interventions.map((i) => h("li", {},
      h("strong", {}, i.name), " · ", h("code", {}, i.category),
      ` · ${perQuarter(i.cost.oneOff, i.cost.perQuarter, cur)} · ${t("{count} weeks lead", { count: i.leadWeeks })}`)))));
  }
  if (allowed.has("select_metric")) {
    parts.push(section(t("Metrics on offer"), "metrics", h("ul", { class: "list small" }, cat.metrics.map((m) => h("li", {},
      h("strong", {}, m.name), ` · ${levelLabel(m.level)} · ${m.timing === "leading" ? t("Leading") : t("Lagging")}`)))));
  }
  if (team.injects.length) {
    parts.push(section(t("Messages the team has received"), "injects", h("ul", { class: "list small" }, team.injects.map((i) => h("li", {},
      h("strong", {}, i.title), ` · ${i.sender}: ${i.text}`)))));
  }
  if (index === 0) {
    parts.splice(1, 0, section(t("Briefing"), "briefing",
      h("p", {}, h("strong", {}, cat.brief.sponsor), ": ", cat.brief.request),
      h("p", { class: "small prewrap" }, cat.brief.context)));
  }
  fill(byId("preview"), parts);
}

byId("preview-go").addEventListener("click", async () => {
  const round = Number(byId("preview-round").value || 0);
  const data = await call("POST", "/preview", { text: editor.value, round });
  if (data.ok) renderPreview(data);
  else fill(byId("preview"), h("p", { class: "alert error", role: "alert" }, data.code === "scenario/invalid" ? t("Fix the errors first: the scenario must load to preview or play it.") : `${data.code}: ${data.message}`));
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
  pick("interventions", cat.interventions, (i) => `${i.name} (${perQuarter(i.oneOff, i.perQuarter, cat.currency)})`, expert.interventions.map((i) => i.id));
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
  const label = kind === "expert" ? t("Expert plan") : kind === "sponsor" ? t("Sponsor plan") : t("This plan");
  const b = data.budget;
  const charts = data.kpis.map((k) => kpiChart({
    title: k.name, unit: k.unit, target: k.target,
    series: [
      { label, cls: "team", index: 0, values: o.plan.kpis[k.id] },
      { label: t("Doing nothing"), cls: "nothing", values: o.nothing.kpis[k.id] },
      kind === "expert" ? null : { label: t("Expert plan"), cls: "expert", values: o.expert.kpis[k.id] },
      data.sponsor && kind !== "sponsor" ? { label: t("Sponsor plan"), cls: "sponsor", values: data.sponsor.kpis[k.id] } : null,
    ].filter(Boolean),
  }));
  const roi = roiCompareChart({
    title: t("Return on investment: true and as the plan would report it"),
    rows: [{ label, trueRoi: o.roi, reportedRoi: o.reportedRoi }]
      .concat(kind === "expert" ? [] : [{ label: t("Expert plan"), trueRoi: o.expertRoi, reportedRoi: undefined }]),
  });
  const scores = h("section", { class: "card stack", "data-play": "scores" },
    h("h3", {}, t("Automatic scores")),
    h("table", { class: "small" }, h("tbody", {}, data.rubric.map((c) => h("tr", {},
      h("th", { scope: "row" }, c.name),
      h("td", { class: "num nowrap" }, c.score ? `${num(c.score.points)} / ${num(c.weight)}` : `– / ${num(c.weight)}`),
      h("td", {}, c.score ? c.score.explanation : t("scored by the facilitator")))))),
    h("p", { "data-play": "total" }, h("strong", {}, t("Automatic total: {total} / {max}", { total: num(data.autoTotal), max: num(data.autoMax) }))));
  const money_ = h("p", { class: "small", "data-play": "money" },
    t("Cost {cost} · benefit {benefit} · ROI {roi}", { cost: money(o.cost, cur), benefit: money(o.benefit, cur), roi: o.roi === null ? "–" : pct(o.roi) }),
    " · ",
    t("Targets met: {met} / {all}", { met: Object.values(o.targetsMet).filter(Boolean).length, all: Object.keys(o.targetsMet).length }));
  const budget = h("p", { class: `small badge ${b.fits ? "ok" : "error"}`, "data-play": "budget" },
    `${b.fits ? t("Within budget") : t("Over budget")}: `,
    t("{spent}/{available} points", { spent: num(b.points.spent, 0), available: num(b.points.available, 0) }), " · ",
    t("{spent}/{available} days", { spent: num(b.days.spent, 0), available: num(b.days.available, 0) }), " · ",
    `${money(b.cash.spent, cur)}/${money(b.cash.available, cur)}`);
  fill(byId("play"), budget, money_, scores, h("div", { class: "charts studio-charts" }, charts, roi));
}

byId("play-go").addEventListener("click", async () => {
  const kind = planKind();
  if (kind === "custom" && !app.scenario) {
    fill(byId("play"), h("p", { class: "alert error", role: "alert" }, t("Fix the errors first: the scenario must load to preview or play it.")));
    return;
  }
  const plan = kind === "custom" ? customPlan() : kind;
  const data = await call("POST", "/play", { text: editor.value, plan });
  if (data.ok) renderPlay(data, kind);
  else fill(byId("play"), h("p", { class: "alert error", role: "alert" }, data.code === "scenario/invalid" ? t("Fix the errors first: the scenario must load to preview or play it.") : `${data.code}: ${data.message}`));
});

setupTabs(byId("studio-tabs"));
