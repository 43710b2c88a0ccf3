// The learner's team room. Everything shown comes from the server's views (learner_view,
// team_view, public_view, scenario_public); the page never decides a rule, a score or a timer.

import { Live, ServerClock, bindConnectionBadge } from "./live.js";
import { byId, fill, h, money, num, pct, setupTabs, timeOfDay, toast } from "./dom.js";
import { errorText, locale, serverText, t as tr } from "./i18n.js";
import { forgetSeat, seatFor } from "./seat.js";
import { kpiChart, roiCompareChart } from "./charts.js";
import { ReadState, announce, beep, setSound, showCount, showTitle, soundOn } from "./alerts.js";
import {
  STANCES, TRUTH_LABELS, axisLabel, cellLabel, cellMap, indexById, levelLabel, mergeTeamPatch, methodLabel, phaseLabel,
  renderSteps, scoreCard, startCountdown, withUnit,
} from "./common.js";
import { SharedTexts } from "./sharedtext.js";

const sessionId = byId("main").dataset.sessionId;
const seat = seatFor(sessionId);
const serverClock = new ServerClock();

const app = {
  scenario: null, // scenario_public
  ix: null, // lookups by id
  pub: null, // public_view
  team: null, // team_view or null
  me: null,
  online: new Set(),
  lastFindings: 0,
};

function showFatal(text, withJoinLink = true) {
  const box = byId("room-error");
  fill(box, h("strong", {}, text), withJoinLink ? h("a", { href: "/" }, tr("Join again with the code")) : null);
  box.hidden = false;
}

if (!seat) {
  showFatal(tr("This browser has no seat in this session yet."));
  throw new Error("no seat");
}

const live = new Live("/play", { auth: () => ({ token: seat.token }), session: sessionId });
bindConnectionBadge(live, byId("conn"), byId("conn-banner"));
const tabs = setupTabs(document.querySelector("#workspace [role=tablist]"));

// --- sending actions ---------------------------------------------------------------------------

async function act(event, data, okText = null) {
  const ack = await live.act(event, data);
  if (!ack.ok) toast(errorText(ack, tr("The server refused that.")), "error");
  else {
    unsent.clear(); // what was chosen is now the server's state
    if (okText) toast(okText);
  }
  return ack;
}

// Choices made in a form but not sent yet (a cell, a start week, a target): a teammate's update
// rebuilds the section, and these values are put back so nobody loses what they were doing.
const unsent = new Map();
for (const type of ["input", "change"]) {
  document.addEventListener(type, (event) => {
    const key = event.target.dataset && event.target.dataset.focusKey;
    if (key && event.target.matches("select, input:not([type=radio]):not([type=checkbox])") && !event.target.closest("#deliverable")) {
      unsent.set(key, event.target.value);
    }
  });
}

// --- the model: current round, allowed actions --------------------------------------------------

function currentRound() {
  const index = app.pub && app.pub.round ? app.pub.round.index : -1;
  return index >= 0 && app.scenario ? app.scenario.rounds[index] : null;
}

// The view says what the team may do now (`team.allowed`, learner command names) and what each
// round it may work on allows (`team.rounds[].actions`); the room only reads them, it never
// works out a rule of the game itself.
const COMMAND_OF = { write_rationale: "write_text" };

function viewRounds() {
  return app.team && Array.isArray(app.team.rounds) ? app.team.rounds : null;
}

function currentEntry() {
  const rounds = viewRounds();
  return rounds ? rounds.find((r) => r.current) || null : null;
}

function serverAllows(command) {
  return Boolean(app.team && Array.isArray(app.team.allowed) && app.team.allowed.includes(command));
}

/** Whether a round entry of the view lets the team do `action` now. */
function roundAllows(entry, action) {
  const command = COMMAND_OF[action] || action;
  return Boolean(entry && !entry.frozen && (entry.actions || []).some((a) => a === action || a === command) && serverAllows(command));
}

function editable() {
  // A paused round freezes the work (the server refuses it with clock/paused_editing).
  return Boolean(currentEntry() && !currentEntry().frozen && !(app.pub && app.pub.paused));
}

function allowed(action) {
  // Text fields belong to a round: the current round's fields follow that round's entry.
  if (action === "write_rationale") return roundAllows(currentEntry(), action);
  return serverAllows(COMMAND_OF[action] || action);
}

function notAllowedHint(action) {
  if (!app.pub || app.pub.phase === "lobby") return tr("Opens when the session starts.");
  if (app.pub.phase !== "round") return tr("The rounds are over.");
  if (app.pub.paused) return tr("The facilitator has paused the round: editing resumes when the clock restarts.");
  if (app.team && app.team.draft && app.team.draft.frozen === "submitted") return tr("Your team has submitted this round.");
  if (app.team && app.team.draft && app.team.draft.frozen === "locked") return tr("Time is up for this round.");
  const round = currentRound();
  if (round && !round.actions.includes(action)) return tr("Not part of “{round}”.", { round: round.name });
  return tr("Not open to your team right now.");
}

/** The name of a scenario item from the (translated) scenario view; the team view's as fallback. */
function nameOf(kind, id, fallback) {
  const item = app.ix && app.ix[kind] ? app.ix[kind][id] : null;
  return item ? item.name || item.label || fallback : fallback;
}

function stakeholderName(id) {
  const person = app.ix && app.ix.stakeholders[id];
  return person ? person.name : id;
}

// --- rendering: only sections whose data changed are rebuilt --------------------------------------

const lastRendered = new Map();

function section(key, deps, render) {
  const signature = JSON.stringify(deps);
  if (lastRendered.get(key) === signature) return;
  lastRendered.set(key, signature);
  const active = document.activeElement;
  const focusKey = active && active.dataset ? active.dataset.focusKey : null;
  render();
  for (const [key, value] of unsent) {
    const node = document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (node && node.value !== value) node.value = value;
  }
  if (focusKey) {
    const again = document.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
    if (again && again !== active) again.focus();
  }
}

function renderAll() {
  if (!app.scenario || !app.pub) return;
  section("brief", [app.scenario.id], renderBrief);
  section("kpis", [app.scenario.id], renderKpis);
  const t0 = app.team;
  section("stakeholders", [t0 && t0.stances, t0 && t0.diagnostics.map((d) => d.diagnostic), t0 && t0.budget.left, t0 && t0.allowed, app.pub.phase, app.pub.round && app.pub.round.index, app.pub.paused], renderStakeholders);
  section("round", [app.pub.phase, app.pub.round, app.pub.paused, app.team && app.team.draft, app.team && app.team.submissions, app.team && app.team.rounds], renderRound);
  const hasTeam = Boolean(app.team);
  document.querySelector(".grid-room").classList.toggle("wide-center", app.pub.phase === "debrief" || app.pub.phase === "closed");
  byId("team-choice").hidden = hasTeam || app.pub.phase === "closed";
  byId("workspace").hidden = !hasTeam;
  byId("chat-form").hidden = !hasTeam;
  byId("ctx-team").textContent = hasTeam ? tr("Team {name}", { name: app.team.name }) : tr("No team yet");
  byId("me-name").textContent = app.me ? app.me.name : "";
  if (!hasTeam) {
    section("team-choice", [app.pub.teams, app.pub.phase], renderTeamChoice);
  } else {
    renderTeam();
  }
  section("members", [app.team && app.team.members, [...app.online].sort(), app.team && app.team.ready], renderMembers);
  renderAwareness();
}

function renderTeam() {
  const t = app.team;
  const gate = [app.pub.phase, app.pub.round && app.pub.round.index, t.draft ? t.draft.frozen || "open" : "none", t.allowed || null, app.pub.paused];
  section("budget", [t.budget], renderBudget);
  section("diagnostics", [gate, t.diagnostics.map((d) => d.diagnostic), t.unlocked, t.budget.left], renderDiagnostics);
  section("findings", [t.diagnostics], renderFindings);
  section("evidence", [gate, t.diagnostics.map((d) => d.diagnostic), t.evidence, t.ruledOut], renderEvidence);
  section("bem", [t.causes, t.evidence], renderBem);
  section("causes", [gate, t.causes, t.ruledOut, t.ruledOutBy || null], renderCauses);
  section("interventions", [gate, t.interventions, t.pilots || [], t.budget.left], renderInterventions);
  section("plan-total", [t.budget, t.interventions], renderPlanTotal);
  section("reactions", [t.reactions || []], renderReactions);
  section("metrics", [gate, t.metrics], renderMetrics);
  section("isolation", [gate, t.isolation], renderIsolation);
  section("deliverable", [t.id, app.pub.phase, currentRound() && currentRound().id, editable(), allowed("write_rationale")], renderDeliverable);
  updateDeliverable();
  section("injects", [t.injects, gate], renderInjects);
  section("chat", [t.chat], renderChat);
  section("scores", [t.scores], renderScores);
  section("debrief", [t.debrief], renderDebrief);
}

// --- brief, KPIs, stakeholders --------------------------------------------------------------------

function renderBrief() {
  const s = app.scenario;
  fill(byId("brief"),
    h("p", {}, h("strong", {}, s.company.name), ` · ${s.company.industry}`),
    h("p", { class: "small muted" }, s.company.description, " ", s.company.population),
    h("h3", {}, tr("Request from {name}", { name: stakeholderName(s.brief.sponsor) })),
    h("blockquote", { class: "quote pre" }, s.brief.request),
    h("details", {}, h("summary", {}, tr("Background")), h("p", { class: "pre small" }, s.brief.context)),
    h("details", {}, h("summary", {}, tr("Timeline ({count} events)", { count: s.brief.timeline.length })),
      h("ul", { class: "list small" }, s.brief.timeline.map((entry) => h("li", {}, h("strong", {}, entry.when), " — ", entry.event)))));
}

function renderKpis() {
  fill(byId("kpis"), app.scenario.kpis.map((k) => h("div", { class: "kpi" },
    h("div", {},
      h("div", { class: "name" }, k.name),
      h("div", { class: "small muted" }, k.direction === "higher" ? tr("Higher is better · was {value} before", { value: withUnit(k.baseline, k.unit) }) : tr("Lower is better · was {value} before", { value: withUnit(k.baseline, k.unit) }))),
    h("div", { class: "values" },
      h("span", { class: "nowrap" }, withUnit(k.current, k.unit)),
      h("span", { class: "muted", "aria-hidden": "true" }, " → "),
      h("span", { class: "visually-hidden" }, tr(" now, target ")),
      h("strong", { class: "nowrap" }, withUnit(k.target, k.unit))))));
}

function stanceBadge(stance) {
  const info = STANCES[String(stance)] || STANCES["0"];
  return h("span", { class: `badge ${info.cls}` }, h("span", { "aria-hidden": "true" }, info.icon), ` ${info.label}`);
}

function renderStakeholders() {
  const moved = new Map((app.team ? app.team.stances : []).map((s) => [s.stakeholder, s.stance]));
  fill(byId("stakeholders"), app.scenario.stakeholders.map((p) => {
    const stance = moved.has(p.id) ? moved.get(p.id) : p.stance;
    return h("li", {},
      h("div", { class: "row spread" }, h("strong", {}, p.name), stanceBadge(stance)),
      h("div", { class: "small muted" }, tr("{role} · influence {dots}", { role: p.role, dots: "●".repeat(p.influence) + "○".repeat(3 - p.influence) }),
        h("span", { class: "visually-hidden" }, tr(" ({n} of 3)", { n: p.influence }))),
      p.believes && app.ix.causes[p.believes]
        ? h("div", { class: "small" }, tr("Believes the cause is: "), h("em", {}, app.ix.causes[p.believes].label)) : null,
      p.bio || p.wonOverBy ? h("details", { class: "small" }, h("summary", {}, tr("More about {name}", { name: p.name })),
        p.bio ? h("p", {}, p.bio) : null,
        p.wonOverBy ? h("p", { class: "muted" }, tr("What wins them over: "), p.wonOverBy) : null) : null,
      questionsFor(p));
  }));
}

/** Format v2: questions a team can put to this person (diagnostics that name the stakeholder). */
function questionsFor(person) {
  const questions = app.scenario.diagnostics.filter((d) => d.stakeholder === person.id);
  if (!questions.length || !app.team) return null;
  const t = app.team;
  const roundIndex = app.pub.round ? app.pub.round.index : -1;
  const ran = new Map(t.diagnostics.map((d) => [d.diagnostic, d]));
  const can = allowed("run_diagnostic");
  return h("ul", { class: "questions list small", "data-questions": person.id, "aria-label": tr("Questions for {name}", { name: person.name }) },
    questions.map((q) => {
      const opensAt = app.scenario.rounds.findIndex((r) => r.id === q.opensIn);
      const locked = q.locked && !t.unlocked.includes(q.id);
      const run = ran.get(q.id);
      const left = t.budget.left;
      const short = costShort(q.cost, left);
      let action;
      if (run) action = h("p", { class: "answer pre" }, h("strong", {}, `${person.name}: `), run.finding);
      else if (locked) action = h("span", { class: "badge" }, tr("🔒 Locked"));
      else if (opensAt > roundIndex) action = h("span", { class: "badge" }, tr("Opens in round {n}", { n: opensAt + 1 }));
      else {
        action = h("button", {
          type: "button", class: "small primary", "data-focus-key": `ask-${q.id}`,
          disabled: !can || short, "aria-label": tr("Ask {name}: '{question}' ({cost})", { name: person.name, question: q.question || q.name, cost: costText(q.cost) }),
          onclick: (e) => askStakeholder(q, e.currentTarget),
        }, tr("Ask ({cost})", { cost: costText(q.cost) }));
      }
      const why = !run && !locked && opensAt <= roundIndex && (!can ? notAllowedHint("run_diagnostic") : short ? tr("Not enough budget left.") : "");
      return h("li", { "data-question": q.id }, h("div", {}, "“", q.question || q.name, "”"), action,
        why ? h("div", { class: "muted" }, why) : null);
    }));
}

async function askStakeholder(question, button) {
  button.disabled = true;
  button.textContent = tr("Asking…");
  const ack = await act("run_diagnostic", { diagnostic: question.id });
  if (!ack.ok) {
    button.disabled = false;
    button.textContent = tr("Ask ({cost})", { cost: costText(question.cost) });
  }
}

// --- round header, countdown ----------------------------------------------------------------------

function renderRound() {
  const pub = app.pub;
  const round = currentRound();
  const title = pub.phase === "lobby" ? tr("Lobby: the session starts soon")
    : pub.phase === "debrief" ? tr("Debrief")
      : pub.phase === "closed" ? tr("The session has ended")
        : tr("Round {n} of {count}: {name}", { n: pub.round.index + 1, count: pub.roundCount, name: round.name });
  byId("round-h").textContent = title;
  const bits = [];
  if (round && pub.phase === "round") bits.push(tr("Phase: {phase}", { phase: phaseLabel(round.phase) }));
  if (pub.paused) bits.push(tr("Paused by the facilitator: your work is kept, editing resumes when the clock restarts"));
  if (app.team && app.team.draft && app.team.draft.frozen === "submitted") bits.push(tr("Your team has submitted this round"));
  if (app.team && app.team.draft && app.team.draft.frozen === "locked") bits.push(tr("Time is up: this round is locked"));
  byId("round-phase").textContent = bits.join(" · ");
  fill(byId("round-brief"), round && pub.phase === "round" ? [
    h("p", {}, round.brief),
    h("p", { class: "small" }, h("strong", {}, tr("Deliverable: ")),
      round.deliverable.map((f) => f.label + (f.required ? "" : tr(" (optional)"))).join(" · ")),
    round.presentation ? presentationNote(round.presentation) : null,
  ] : pub.phase === "lobby" ? h("p", { class: "muted" }, tr("Form your team and read the brief while you wait."))
    : pub.phase === "debrief" ? h("p", {}, tr("See what your plan would have done in the Results tab.")) : null);
  renderSteps(byId("round-steps"), app.scenario.rounds, pub, app.team);
  renderBar();
  if (pub.phase === "debrief") tabs.select("results");
}

startCountdown(() => app.pub, serverClock, byId("countdown"), byId("countdown-value"));

// --- team choice (lobby) ------------------------------------------------------------------------

/** Format v2: a pitch round says how long each team presents and takes questions. */
function presentationNote(p) {
  return h("div", { class: "alert info", "data-presentation": "" },
    h("strong", {}, tr("Pitch round: ")),
    tr("each team presents for {pitch} min, then takes {qa} min of questions the facilitator scores.", { pitch: p.pitchMinutes, qa: p.qaMinutes }),
    p.brief ? h("p", { class: "small pre" }, p.brief) : null);
}

function renderTeamChoice() {
  const teams = app.pub.teams;
  fill(byId("team-list"), teams.length ? teams.map((t) => {
    const reason = t.locked ? tr("Locked") : t.full ? tr("Full") : null;
    return h("li", {},
      h("span", {}, h("strong", {}, t.name), h("span", { class: "muted small" }, tr(" · {count} members", { count: t.members }))),
      reason ? h("span", { class: "badge warn" }, reason)
        : h("button", { type: "button", class: "small", onclick: () => joinTeam(t.id), "aria-label": tr("Join team {name}", { name: t.name }) }, tr("Join")));
  }) : h("li", { class: "empty" }, tr("No teams yet: create one, or let the server place you.")));
}

function teamChoiceError(ack) {
  const box = byId("team-choice-error");
  box.hidden = ack.ok;
  if (!ack.ok) box.textContent = errorText(ack);
}

async function joinTeam(teamId) {
  teamChoiceError(await live.act("join_team", { team: teamId }));
}

byId("create-team").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = byId("new-team-name").value.trim();
  if (!name) {
    teamChoiceError({ ok: false, message: tr("Give the new team a name.") });
    return;
  }
  const ack = await live.act("create_team", { name });
  teamChoiceError(ack);
  if (ack.ok) byId("new-team-name").value = "";
});

byId("auto-assign").addEventListener("click", async () => {
  teamChoiceError(await live.act("auto_assign", {}));
});

// --- members, presence ----------------------------------------------------------------------------

function renderMembers() {
  const list = byId("members");
  if (!app.team) {
    fill(list, h("li", { class: "empty" }, tr("Not in a team yet.")));
    byId("team-status").textContent = "";
    return;
  }
  byId("team-status").textContent = app.team.locked ? tr("Locked by the facilitator") : "";
  fill(list, app.team.members.map((m) => {
    const on = app.online.has(m.learnerId);
    return h("li", { class: "row", "data-learner": m.learnerId },
      h("span", { class: `dot ${on ? "on" : ""}`, "aria-hidden": "true" }),
      h("span", { class: "break" }, m.name), app.me && m.learnerId === app.me.learnerId ? h("span", { class: "muted small" }, tr("(you)")) : null,
      h("span", { class: "small muted" }, on ? tr("online") : tr("away")),
      isReady(m.learnerId) ? h("span", { class: "badge ok small", "data-ready": "" }, tr("✓ ready")) : null);
  }));
}

// --- budget, diagnostics, findings ----------------------------------------------------------------

function renderBudget() {
  const b = app.team.budget;
  const cur = app.scenario.economics.currency;
  const cell = (label, left, granted, fmt) => h("div", { class: "cell" },
    h("div", { class: "small muted" }, label),
    h("div", { class: "value" }, fmt(left)),
    h("div", { class: "small muted" }, tr("of {total}", { total: fmt(granted) })));
  const separate = separateBudgets();
  fill(byId("budget"),
    cell(tr("Analysis points left"), b.left.points, b.granted.points, (v) => num(v, 0)),
    separate ? cell(tr("Analysis cash left"), b.left.analysis || 0, b.granted.analysis || 0, (v) => money(v, cur)) : null,
    cell(separate ? tr("Intervention cash left") : tr("Cash left"), b.left.cash, b.granted.cash, (v) => money(v, cur)),
    cell(tr("Days left"), b.left.days, b.granted.days, (v) => num(v, 0)));
}

/** Format v2: diagnostics pay from their own analysis cash when the scenario sets one. */
function separateBudgets() {
  return app.scenario.budget.analysisCash !== undefined && app.scenario.budget.analysisCash !== null;
}

/** Whether a diagnostic's cost exceeds what is left, from the pool it draws on. */
function costShort(cost, left) {
  const cash = separateBudgets() ? left.analysis || 0 : left.cash;
  return cost.points > left.points || cost.cash > cash || cost.days > left.days;
}

function costText(cost) {
  const cur = app.scenario.economics.currency;
  const parts = [];
  if (cost.points) parts.push(tr("{count} pt", { count: cost.points }));
  if (cost.cash) parts.push(money(cost.cash, cur));
  if (cost.days) parts.push(tr("{count} days", { count: cost.days }));
  return parts.join(" · ") || tr("free");
}

function renderDiagnostics() {
  const t = app.team;
  const roundIndex = app.pub.round ? app.pub.round.index : -1;
  const ran = new Map(t.diagnostics.map((d) => [d.diagnostic, d]));
  const can = allowed("run_diagnostic");
  const hint = notAllowedHint("run_diagnostic");
  // Questions to a stakeholder (format v2) are asked from the stakeholder list instead.
  const items = app.scenario.diagnostics.filter((d) => !d.stakeholder).map((d) => {
    const opensAt = app.scenario.rounds.findIndex((r) => r.id === d.opensIn);
    const open = opensAt <= roundIndex;
    const locked = d.locked && !t.unlocked.includes(d.id);
    const run = ran.get(d.id);
    const left = t.budget.left;
    const short = costShort(d.cost, left);
    let action;
    if (run) action = h("span", { class: "badge ok" }, tr("✓ Run by {name}", { name: run.ranBy.name || tr("a teammate") }));
    else if (locked) action = h("span", { class: "badge" }, tr("🔒 Locked"));
    else if (!open) action = h("span", { class: "badge" }, tr("Opens in round {n}", { n: opensAt + 1 }));
    else {
      action = h("button", {
        type: "button", class: "small primary", "data-focus-key": `run-${d.id}`,
        disabled: !can || short, "aria-label": tr("Run '{name}' ({cost})", { name: d.name, cost: costText(d.cost) }),
        onclick: (e) => runDiagnostic(d, e.currentTarget),
      }, tr("Run"));
    }
    const why = !run && !locked && open && (!can ? hint : short ? tr("Not enough budget left.") : "");
    return h("li", { "data-diagnostic": d.id },
      h("div", {},
        h("strong", {}, d.name), " ", h("span", { class: "badge" }, methodLabel(d.method)),
        h("div", { class: "small" }, d.description),
        h("div", { class: "meta" }, tr("Cost: {cost}", { cost: costText(d.cost) }), why ? ` · ${why}` : "")),
      h("div", {}, action));
  });
  fill(byId("diagnostics"), items);
}

async function runDiagnostic(diagnostic, button) {
  button.disabled = true;
  button.textContent = tr("Running…");
  const ack = await act("run_diagnostic", { diagnostic: diagnostic.id });
  if (!ack.ok) {
    button.disabled = false;
    button.textContent = tr("Run");
  }
}

function renderFindings() {
  const runs = app.team.diagnostics;
  const box = byId("findings");
  if (!runs.length) {
    fill(box, h("p", { class: "empty" }, tr("No findings yet. Run a diagnostic to gather evidence.")));
    app.lastFindings = 0;
    return;
  }
  // Append only the new ones, so the live region announces just what arrived.
  if (app.lastFindings === 0 || runs.length < app.lastFindings) fill(box);
  for (const run of runs.slice(box.querySelectorAll(".finding").length)) {
    box.prepend(h("article", { class: "finding", "data-finding": run.diagnostic },
      h("h3", {}, nameOf("diagnostics", run.diagnostic, run.name)),
      h("p", { class: "pre" }, run.finding),
      h("div", { class: "by" }, tr("{method} · run by {name} at {time}", { method: methodLabel(run.method), name: run.ranBy.name || tr("a teammate"), time: timeOfDay(run.at) }))));
  }
  app.lastFindings = runs.length;
}

// --- evidence board, causes -----------------------------------------------------------------------

function renderEvidence() {
  const t = app.team;
  const box = byId("evidence");
  if (!t.diagnostics.length) {
    fill(box, h("p", { class: "empty" }, tr("Run diagnostics first: their findings appear here to link to causes.")));
    return;
  }
  const can = allowed("mark_evidence");
  fill(box, t.diagnostics.map((run) => {
    const links = t.evidence.filter((e) => e.diagnostic === run.diagnostic && e.stance);
    const causeSelect = h("select", { class: "inline", "data-focus-key": `ev-cause-${run.diagnostic}`, "aria-label": tr("Cause for {name}", { name: nameOf("diagnostics", run.diagnostic, run.name) }) },
      app.scenario.causes.map((c) => h("option", { value: c.id }, c.label)));
    const stanceSelect = h("select", { class: "inline", "data-focus-key": `ev-stance-${run.diagnostic}`, "aria-label": tr("Does {name} support or disconfirm it?", { name: nameOf("diagnostics", run.diagnostic, run.name) }) },
      h("option", { value: "1" }, tr("supports")), h("option", { value: "-1" }, tr("disconfirms")));
    return h("div", { class: "finding", "data-evidence": run.diagnostic },
      h("h3", {}, nameOf("diagnostics", run.diagnostic, run.name)),
      h("p", { class: "small pre" }, run.finding),
      h("ul", { class: "list small" }, links.length ? links.map((link) => h("li", { class: "row spread" },
        h("span", {}, link.stance > 0 ? tr("✚ Supports: ") : tr("✖ Disconfirms: "), h("strong", {}, app.ix.causes[link.cause].label), byline(link.by)),
        can ? h("button", { type: "button", class: "small", onclick: () => act("mark_evidence", { diagnostic: run.diagnostic, cause: link.cause, stance: 0 }), "aria-label": tr("Remove the link from '{finding}' to '{cause}'", { finding: nameOf("diagnostics", run.diagnostic, run.name), cause: app.ix.causes[link.cause].label }) }, tr("Remove")) : null))
        : h("li", { class: "empty" }, tr("Not linked to any cause yet."))),
      can ? h("div", { class: "row" }, causeSelect, stanceSelect,
        h("button", { type: "button", class: "small", "data-focus-key": `ev-add-${run.diagnostic}`, "aria-label": tr("Link '{name}' to the chosen cause", { name: nameOf("diagnostics", run.diagnostic, run.name) }), onclick: () => act("mark_evidence", { diagnostic: run.diagnostic, cause: causeSelect.value, stance: Number(stanceSelect.value) }) }, tr("Link")))
        : h("p", { class: "small muted" }, notAllowedHint("mark_evidence")));
  }));
}

function evidenceCount(causeId) {
  const marks = app.team.evidence.filter((e) => e.cause === causeId);
  return { pro: marks.filter((e) => e.stance > 0).length, con: marks.filter((e) => e.stance < 0).length };
}

function renderBem() {
  const tax = app.scenario.taxonomy;
  const grid = byId("bem");
  const declared = app.team.causes;
  const chips = (cellId) => {
    const here = declared.filter((c) => c.cell === cellId);
    return here.length ? here.map((c) => {
      const count = evidenceCount(c.cause);
      return h("span", { class: "chip", "data-declared": c.cause }, nameOf("causes", c.cause, c.label),
        h("span", { class: "support" }, tr(" · {share} sure · {pro} for, {con} against", { share: pct(c.confidence), pro: count.pro, con: count.con })), byline(c.by, true));
    }) : h("span", { class: "small muted" }, "—");
  };
  const cell = (c) => h("div", { class: `cell ${c.trainable ? "trainable" : ""}`, "data-cell": c.id, "data-row": c.row },
    h("h4", { "data-row": c.row }, cellLabel(c.label)), chips(c.id));
  const rows = ["environment", "individual"];
  const columns = ["information", "instrumentation", "motivation"];
  const children = [h("span", {}), ...columns.map((col) => h("span", { class: "axis" }, axisLabel(col)))];
  for (const row of rows) {
    children.push(h("span", { class: "axis rowhead" }, axisLabel(row)));
    for (const col of columns) {
      const found = tax.find((c) => c.row === row && c.column === col);
      children.push(found ? cell(found) : h("div", {}));
    }
  }
  const others = tax.filter((c) => !rows.includes(c.row) || !columns.includes(c.column));
  for (const other of others) {
    children.push(h("span", { class: "axis rowhead" }, axisLabel(other.row)));
    const wide = cell(other);
    wide.classList.add("wide");
    children.push(wide);
  }
  fill(grid, children);
}

const CONFIDENCE = [["0.3", tr("Low confidence")], ["0.6", tr("Medium confidence")], ["0.9", tr("High confidence")]];

function renderCauses() {
  const t = app.team;
  const canDeclare = allowed("declare_cause");
  const canRule = allowed("rule_out_cause");
  const declared = new Map(t.causes.map((c) => [c.cause, c]));
  fill(byId("causes"), app.scenario.causes.map((c) => {
    const mine = declared.get(c.id);
    const ruledOut = t.ruledOut.includes(c.id);
    const status = mine ? [h("span", { class: "badge accent" }, tr("✓ Declared · {cell}", { cell: app.ix.cells[mine.cell] ? app.ix.cells[mine.cell].label : mine.cell })), byline(mine.by)]
      : ruledOut ? [h("span", { class: "badge" }, tr("✕ Ruled out")), byline((t.ruledOutBy || {})[c.id])] : h("span", { class: "badge" }, tr("Open"));
    const cellSelect = h("select", { class: "inline", "data-focus-key": `cell-${c.id}`, "aria-label": tr("Cell for {name}", { name: c.label }) },
      h("option", { value: "" }, tr("Choose a cell…")),
      app.scenario.taxonomy.map((cell) => h("option", { value: cell.id, selected: mine && mine.cell === cell.id }, cellLabel(cell.label))));
    const confSelect = h("select", { class: "inline", "data-focus-key": `conf-${c.id}`, "aria-label": tr("Confidence in {name}", { name: c.label }) },
      CONFIDENCE.map(([value, label]) => h("option", { value, selected: mine ? Math.abs(mine.confidence - Number(value)) < 0.15 : value === "0.6" }, label)));
    const controls = [];
    if (canDeclare && !ruledOut) {
      controls.push(cellSelect, confSelect, h("button", {
        type: "button", class: "small primary", "data-focus-key": `declare-${c.id}`, "aria-label": mine ? tr("Update '{name}'", { name: c.label }) : tr("Declare '{name}'", { name: c.label }),
        onclick: () => {
          if (!cellSelect.value) { toast(tr("Choose the cell of the behaviour model first."), "error"); cellSelect.focus(); return; }
          act("declare_cause", { cause: c.id, cell: cellSelect.value, confidence: Number(confSelect.value) });
        },
      }, mine ? tr("Update") : tr("Declare")));
      if (mine) controls.push(h("button", { type: "button", class: "small", "aria-label": tr("Withdraw '{name}'", { name: c.label }), onclick: () => act("withdraw_cause", { cause: c.id }) }, tr("Withdraw")));
    }
    if (canRule && !mine) {
      controls.push(h("button", { type: "button", class: "small", "data-focus-key": `rule-${c.id}`, "aria-label": ruledOut ? tr("Bring back '{name}'", { name: c.label }) : tr("Rule out '{name}'", { name: c.label }), onclick: () => act("rule_out_cause", { cause: c.id, ruledOut: !ruledOut }) },
        ruledOut ? tr("Bring back") : tr("Rule out")));
    }
    const count = evidenceCount(c.id);
    return h("div", { class: `item-form ${mine ? "selected" : ""}`, "data-cause": c.id },
      h("div", {}, h("strong", {}, c.label), " ", status,
        h("div", { class: "small" }, c.description),
        h("div", { class: "small muted" }, tr("Evidence: {pro} for, {con} against", { pro: count.pro, con: count.con }))),
      h("div", { class: "controls" }, controls.length ? controls : h("span", { class: "small muted" }, notAllowedHint("declare_cause"))));
  }));
}

// --- interventions, metrics, isolation ------------------------------------------------------------

function renderInterventions() {
  const t = app.team;
  const can = allowed("select_intervention");
  const chosen = new Map(t.interventions.map((i) => [i.intervention, i]));
  const cur = app.scenario.economics.currency;
  fill(byId("interventions"), app.scenario.interventions.map((iv) => {
    const mine = chosen.get(iv.id);
    const week = h("input", { type: "number", min: 0, max: 520, value: mine ? mine.startWeek : 0, class: "inline", "data-focus-key": `week-${iv.id}`, id: `week-${iv.id}`, "aria-label": tr("Start week of '{name}'", { name: iv.name }) });
    const cells = iv.cells.map((id) => (app.ix.cells[id] ? app.ix.cells[id].label : id)).join(", ");
    const controls = can ? [
      h("label", { for: `week-${iv.id}` }, tr("Start week")), week,
      h("button", { type: "button", class: `small ${mine ? "" : "primary"}`, "data-focus-key": `add-${iv.id}`, "aria-label": mine ? tr("Update the start week of '{name}'", { name: iv.name }) : tr("Add '{name}' to the plan", { name: iv.name }), onclick: () => act("select_intervention", { intervention: iv.id, startWeek: Math.max(0, Math.round(Number(week.value) || 0)) }) }, mine ? tr("Update") : tr("Add")),
      mine ? h("button", { type: "button", class: "small", "aria-label": tr("Remove '{name}' from the plan", { name: iv.name }), onclick: () => act("deselect_intervention", { intervention: iv.id }) }, tr("Remove")) : null,
    ] : [h("span", { class: "small muted" }, notAllowedHint("select_intervention"))];
    return h("div", { class: `item-form ${mine ? "selected" : ""}`, "data-intervention": iv.id },
      h("div", {},
        h("strong", {}, iv.name), " ",
        h("span", { class: `badge ${iv.family === "training" ? "accent" : ""}` }, iv.family === "training" ? tr("Training") : tr("Non-training")),
        mine ? h("span", { class: "badge ok" }, tr("✓ In plan from week {week}", { week: mine.startWeek })) : null, mine ? byline(mine.by) : null,
        h("div", { class: "small" }, iv.description),
        h("div", { class: "small muted" },
          tr("{amount} one-off", { amount: money(iv.cost.oneOff, cur) }), iv.cost.perQuarter ? tr(" + {amount} a quarter", { amount: money(iv.cost.perQuarter, cur) }) : "",
          tr(" · effect after {lead} wk, full after {full} wk · targets: {cells}", { lead: iv.leadWeeks, full: iv.leadWeeks + iv.rampWeeks, cells })),
        iv.requires.length ? h("div", { class: "small muted" }, tr("Needs: "), iv.requires.map((r) => tr("{name} at least {stance}", { name: stakeholderName(r.stakeholder), stance: (STANCES[String(r.minStance)] || {}).label || r.minStance })).join("; ")) : null,
        pilotOf(iv)),
      h("div", { class: "controls" }, controls));
  }));
}

/** Format v2: pilot an intervention on one site (a cost) and read its measured result. */
function pilotOf(iv) {
  if (!iv.pilot) return null;
  const t = app.team;
  const run = (t.pilots || []).find((p) => p.intervention === iv.id);
  if (run) {
    return h("div", { class: "pilot-result", "data-pilot": iv.id },
      h("p", { class: "pre" }, run.report),
      h("div", { class: "by small muted" }, tr("Piloted by {name} at {time}", { name: run.ranBy.name || tr("a teammate"), time: timeOfDay(run.at) })));
  }
  const quarters = tr("{count} quarters", { count: iv.pilot.quarters });
  if (!allowed("run_pilot")) {
    return h("div", { class: "small muted", "data-pilot": iv.id }, tr("Can be piloted at {site} ({quarters}, {cost})", { site: iv.pilot.site, quarters, cost: costText(iv.pilot.cost) }), " ", notAllowedHint("run_pilot"));
  }
  const short = costShort(iv.pilot.cost, t.budget.left);
  const label = tr("Pilot at {site} ({quarters}, {cost})", { site: iv.pilot.site, quarters, cost: costText(iv.pilot.cost) });
  return h("div", { "data-pilot": iv.id },
    h("button", {
      type: "button", class: "small", "data-focus-key": `pilot-${iv.id}`, disabled: short,
      "aria-label": tr("Pilot '{name}' at {site} first ({cost})", { name: iv.name, site: iv.pilot.site, cost: costText(iv.pilot.cost) }),
      onclick: async (e) => {
        const button = e.currentTarget;
        button.disabled = true;
        button.textContent = tr("Piloting…");
        const ack = await act("run_pilot", { intervention: iv.id });
        if (!ack.ok) {
          button.disabled = false;
          button.textContent = label;
        }
      },
    }, label),
    short ? h("span", { class: "small muted" }, " ", tr("Not enough budget left.")) : null);
}

/** Format v2: what stakeholders said when the team chose an intervention, newest first. */
function renderReactions() {
  const list = app.team.reactions || [];
  const box = byId("reactions");
  box.hidden = !list.length;
  fill(box, list.length ? [h("h3", {}, tr("What people said about your choices")),
    h("ul", { class: "list" }, [...list].reverse().map((r) => {
      const person = app.ix.stakeholders[r.stakeholder];
      const iv = app.scenario.interventions.find((i) => i.id === r.intervention);
      return h("li", { "data-reaction": `${r.stakeholder}:${r.intervention}` },
        h("div", {}, h("strong", {}, person ? person.name : r.stakeholder),
          person ? h("span", { class: "small muted" }, ` · ${person.role}`) : null,
          h("span", { class: "small muted" }, tr(" on {intervention}", { intervention: iv ? iv.name : r.intervention }))),
        h("p", { class: "pre" }, "“", r.text, "”"));
    }))] : []);
}

function renderPlanTotal() {
  const b = app.team.budget;
  const cur = app.scenario.economics.currency;
  const total = Number(b.interventions || 0);
  const available = Number(b.granted.cash) - Number(b.diagnostics.cash || 0);
  const share = available > 0 ? Math.min(1, total / available) : 1;
  const over = b.left.cash < 0;
  const meter = h("div", { class: `meter ${over ? "over" : ""}`, role: "img", "aria-label": tr("{share} of the cash for interventions used", { share: pct(share) }) }, h("span", {}));
  meter.firstChild.style.width = `${(share * 100).toFixed(1)}%`;
  fill(byId("plan-total"),
    h("div", { class: "row spread" },
      h("strong", {}, tr("Interventions: {amount}", { amount: money(total, cur) })),
      h("span", { class: over ? "badge bad" : "badge ok" }, over ? tr("Over budget by {amount}", { amount: money(-b.left.cash, cur) }) : tr("{amount} cash left", { amount: money(b.left.cash, cur) }))),
    meter,
    h("div", { class: "small muted" }, tr("Fully loaded cost over the evaluation horizon, against {amount} cash after diagnostics.", { amount: money(available, cur) })));
}

function renderMetrics() {
  const t = app.team;
  const can = allowed("select_metric");
  const chosen = new Map(t.metrics.map((m) => [m.metric, m]));
  fill(byId("metrics"), app.scenario.metrics.map((m) => {
    const mine = chosen.get(m.id);
    const kpi = m.kpi ? app.ix.kpis[m.kpi] : null;
    const target = h("input", { type: "number", step: "any", value: mine && mine.target !== null ? mine.target : "", class: "inline", "data-focus-key": `target-${m.id}`, id: `target-${m.id}`, "aria-label": tr("Target for '{name}'", { name: m.name }), placeholder: kpi ? String(kpi.target) : "" });
    const controls = can ? [
      h("label", { for: `target-${m.id}` }, tr("Target")), target,
      h("button", { type: "button", class: `small ${mine ? "" : "primary"}`, "data-focus-key": `pick-${m.id}`, "aria-label": mine ? tr("Update the target of '{name}'", { name: m.name }) : tr("Add '{name}' to the evaluation plan", { name: m.name }), onclick: () => act("select_metric", { metric: m.id, target: target.value === "" ? null : Number(target.value) }) }, mine ? tr("Update") : tr("Add")),
      mine ? h("button", { type: "button", class: "small", "aria-label": tr("Remove '{name}' from the evaluation plan", { name: m.name }), onclick: () => act("deselect_metric", { metric: m.id }) }, tr("Remove")) : null,
    ] : [h("span", { class: "small muted" }, notAllowedHint("select_metric"))];
    return h("div", { class: `item-form ${mine ? "selected" : ""}`, "data-metric": m.id },
      h("div", {},
        h("strong", {}, m.name), " ", h("span", { class: "badge accent" }, levelLabel(m.level)), " ",
        h("span", { class: "badge" }, m.timing === "leading" ? tr("Leading") : tr("Lagging")),
        m.guardrail ? h("span", { class: "badge warn" }, tr("Guardrail")) : null,
        mine ? h("span", { class: "badge ok" }, mine.target === null ? tr("✓ Chosen, no target") : tr("✓ Target {value}", { value: num(mine.target, 2) })) : null, mine ? byline(mine.by) : null,
        m.description ? h("div", { class: "small" }, m.description) : null,
        h("div", { class: "small muted" }, tr("Source: {source} · data after {weeks} wk", { source: m.source, weeks: m.latencyWeeks }), kpi ? tr(" · tracks {kpi} (now {value})", { kpi: kpi.name, value: withUnit(kpi.current, kpi.unit) }) : "")),
      h("div", { class: "controls" }, controls));
  }));
}

function renderIsolation() {
  const t = app.team;
  const can = allowed("set_isolation");
  const cur = app.scenario.economics.currency;
  fill(byId("isolation"), h("fieldset", {},
    h("legend", {}, tr("Isolation method")),
    app.scenario.isolationMethods.map((m) => h("label", { class: "row", for: `iso-${m.id}` },
      h("input", { type: "radio", name: "isolation", id: `iso-${m.id}`, value: m.id, checked: t.isolation === m.id, disabled: !can, "data-focus-key": `iso-${m.id}`,
        onchange: () => act("set_isolation", { isolation: m.id }) }),
      h("span", {}, h("strong", {}, m.name), m.cost ? h("span", { class: "muted" }, ` · ${money(m.cost, cur)}`) : null,
        m.description ? h("span", { class: "small muted" }, ` — ${m.description}`) : null))),
    !can ? h("p", { class: "small muted" }, notAllowedHint("set_isolation")) : null));
}

// --- deliverable, submit --------------------------------------------------------------------------

const KIND_TAB = { causes: "causes", ruled_out: "causes", evidence: "causes", interventions: "plan", metrics: "evaluate", isolation: "evaluate" };
// Free-text fields are shared documents (sharedtext.js): teammates typing in one field at once
// all keep their words, and edits made offline merge when the connection is back.
const shared = new SharedTexts(live, {
  onRefused: (key, ack) => { if (ack.code !== "team/changed") toast(errorText(ack, tr("That edit was not saved.")), "error"); },
});

/** Return a text field bound to the team's shared document, with its status and presence lines. */
function sharedArea(key, area, fallback) {
  const status = h("span", { class: "hint", id: `status-${key.replace(":", "-")}`, "aria-live": "polite" });
  const presence = h("span", { class: "presence-line", "data-presence": key });
  const box = shared.bind(area, key, { status, presence, fallback });
  return { box, status, presence };
}

function fieldSummary(field) {
  const t = app.team;
  switch (field.kind) {
    case "causes": return t.causes.length ? t.causes.map((c) => nameOf("causes", c.cause, c.label)).join("; ") : "";
    case "ruled_out": return t.ruledOut.map((id) => app.ix.causes[id] ? app.ix.causes[id].label : id).join("; ");
    case "evidence": return t.evidence.filter((e) => e.stance).length ? tr("{count} links between findings and causes", { count: t.evidence.filter((e) => e.stance).length }) : "";
    case "interventions": return t.interventions.map((i) => nameOf("interventions", i.intervention, i.name)).join("; ");
    case "metrics": return t.metrics.map((m) => nameOf("metrics", m.metric, m.name)).join("; ");
    case "isolation": return t.isolation && app.ix.isolation[t.isolation] ? app.ix.isolation[t.isolation].name : "";
    default: return "";
  }
}

function fieldBadge(field) {
  const missing = app.team.draft && app.team.draft.missing.includes(field.id);
  if (!field.required) return h("span", { class: "badge" }, tr("Optional"));
  return missing ? h("span", { class: "badge warn" }, tr("Required · missing")) : h("span", { class: "badge ok" }, tr("✓ Done"));
}

// The structure (text areas) is rebuilt only when the round or the right to write changes, so a
// teammate's edit never moves the caret of someone typing; badges and summaries update in place.
function renderDeliverable() {
  const round = currentRound();
  const t = app.team;
  const box = byId("deliverable");
  if (!round || app.pub.phase !== "round" || !t.draft) {
    fill(box, h("p", { class: "empty" }, app.pub.phase === "lobby" ? tr("The deliverable of each round appears here when it opens.") : tr("No round is open.")));
    return;
  }
  const canWrite = allowed("write_rationale");
  fill(box, round.deliverable.map((field) => {
    const badge = h("span", { "data-field-badge": field.id });
    if (field.kind === "text") {
      const area = h("textarea", {
        id: `text-${field.id}`, "data-text-field": field.id, "data-focus-key": `text-${field.id}`, maxlength: field.maxLength,
        disabled: !canWrite, "aria-describedby": `prompt-${field.id} status-${field.id}`,
      });
      const { box, status, presence } = sharedArea(field.id, area, t.texts[field.id] || "");
      if (!canWrite) status.textContent = notAllowedHint("write_rationale");
      return h("div", { class: "field" },
        h("div", { class: "row" }, h("label", { for: `text-${field.id}` }, field.label), badge),
        h("div", { class: "hint", id: `prompt-${field.id}` }, field.prompt),
        box,
        h("div", { class: "row small" }, status, presence));
    }
    return h("div", { class: "field" },
      h("div", { class: "row" }, h("strong", {}, field.label), badge),
      h("div", { class: "hint" }, field.prompt),
      h("p", { "data-field-summary": field.id }),
      KIND_TAB[field.kind] ? h("button", { type: "button", class: "link small", onclick: () => tabs.select(KIND_TAB[field.kind]) }, tr("Edit")) : null);
  }));
}

function updateDeliverable() {
  const round = currentRound();
  const t = app.team;
  const badge = byId("completeness");
  if (!round || app.pub.phase !== "round" || !t.draft) {
    badge.textContent = "";
    badge.className = "";
    fill(byId("submit-area"));
    return;
  }
  badge.textContent = tr("{share} complete", { share: pct(t.draft.completeness / 100) });
  badge.className = `badge ${t.draft.completeness === 100 ? "ok" : "warn"}`;
  for (const field of round.deliverable) {
    const slot = document.querySelector(`[data-field-badge="${CSS.escape(field.id)}"]`);
    if (slot) fill(slot, fieldBadge(field));
    const summary = document.querySelector(`[data-field-summary="${CSS.escape(field.id)}"]`);
    if (summary) {
      const text = fieldSummary(field);
      summary.className = text ? "break" : "empty";
      summary.textContent = text || tr("Nothing yet.");
    }
  }
  section("submit", [t.draft, t.submissions[round.id] || null, round.id], () => renderSubmit(round));
}

function renderSubmit(round) {
  const area = byId("submit-area");
  const t = app.team;
  const sub = t.submissions[round.id];
  if (t.draft.frozen === "submitted" && sub) {
    fill(area, h("div", { class: "alert success" }, h("strong", {}, tr("✓ Submitted at {time}", { time: timeOfDay(sub.at) })),
      sub.auto ? (sub.reason === "advance" ? tr("Submitted as it stood when the facilitator moved on.") : tr("Submitted automatically when time ran out.")) : tr("Wait for the facilitator to open the next round.")));
    return;
  }
  if (t.draft.frozen === "locked") {
    fill(area, h("div", { class: "alert warning" }, h("strong", {}, tr("Time is up")), tr("This round is locked for your team.")));
    return;
  }
  const confirmBox = h("div", { class: "alert warning", hidden: true },
    h("strong", {}, tr("Submit now?")), tr("Your team cannot edit this round's deliverable afterwards."),
    h("div", { class: "row" },
      h("button", { type: "button", class: "primary", id: "confirm-submit", onclick: async () => {
        confirmBox.hidden = true;
        await shared.flushAll();
        await act("submit_round", {}, tr("Submitted."));
      } }, tr("Yes, submit")),
      h("button", { type: "button", onclick: () => { confirmBox.hidden = true; } }, tr("Cancel"))));
  fill(area,
    t.draft.missing.length ? h("p", { class: "small muted" }, tr("Still missing: "), t.draft.missing.map((id) => (round.deliverable.find((f) => f.id === id) || { label: id }).label).join(", ")) : null,
    h("button", { type: "button", class: "primary", id: "submit-round", onclick: () => { confirmBox.hidden = false; byId("confirm-submit").focus(); } }, tr("Submit “{name}”", { name: round.name })),
    confirmBox);
}

// --- injects, chat --------------------------------------------------------------------------------

// Messages and chat lines are added, never rebuilt, so their live regions announce only what
// is new; an existing inject card only updates its response status.
function injectCard(inj) {
  const area = h("textarea", { "data-inject": inj.inject, "data-focus-key": `inject-${inj.inject}`, id: `inject-${inj.inject}`, maxlength: 2000,
    "aria-describedby": `status-inject-${inj.inject}` });
  const { box, status, presence } = sharedArea(`inject:${inj.inject}`, area, inj.response);
  return h("article", { class: "message inject", "data-inject-card": inj.inject },
    h("header", {}, h("span", { "aria-hidden": "true" }, "✉ "), h("strong", {}, stakeholderName(inj.sender)), ` · ${inj.channel} · ${timeOfDay(inj.at)}`),
    h("h3", {}, inj.title),
    h("p", { class: "pre" }, inj.text),
    h("label", { for: `inject-${inj.inject}`, class: "small" }, tr("Your team's response (saved as you type, shared with your team)")),
    box,
    h("div", { class: "row small" }, status, presence));
}

function renderInjects() {
  const injects = app.team.injects;
  const box = byId("injects");
  if (!injects.length) {
    fill(box, h("p", { class: "empty" }, tr("No messages yet.")));
    return;
  }
  if (box.dataset.team !== app.team.id) {
    box.replaceChildren(); // another team's cards hold another team's documents
    box.dataset.team = app.team.id;
  }
  const empty = box.querySelector(".empty");
  if (empty) empty.remove();
  for (const inj of injects) {
    let card = box.querySelector(`[data-inject-card="${CSS.escape(inj.inject)}"]`);
    if (!card) {
      card = injectCard(inj);
      box.prepend(card);
    }
    card.querySelector("textarea").disabled = app.pub.phase !== "round";
  }
}

let chatKeys = [];

function renderChat() {
  const log = byId("chat");
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  const messages = app.team.chat;
  const keys = messages.map((m) => `${m.at}|${m.learnerId}|${m.text}`);
  const line = (m) => h("div", { class: "chat-line" },
    h("span", { class: "who" }, m.name), h("span", {}, m.text), h("span", { class: "when" }, timeOfDay(m.at)));
  const last = chatKeys.length ? keys.lastIndexOf(chatKeys[chatKeys.length - 1]) : -1;
  if (!messages.length) {
    fill(log, h("p", { class: "empty" }, tr("No messages yet. Say hello to your team.")));
  } else if (chatKeys.length && last >= 0 && log.querySelector(".chat-line")) {
    for (const m of messages.slice(last + 1)) log.append(line(m));
  } else {
    fill(log, messages.map(line));
  }
  chatKeys = keys;
  if (atBottom) log.scrollTop = log.scrollHeight;
}

byId("chat-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = byId("chat-input");
  const text = input.value.trim();
  if (!text || !app.team) return;
  input.value = "";
  const ack = await act("chat", { text });
  if (!ack.ok) input.value = text;
});

// --- scores, debrief ------------------------------------------------------------------------------

function renderScores() {
  const scores = app.team.scores;
  const rounds = app.scenario.rounds.filter((r) => scores[r.id]);
  if (!rounds.length) {
    fill(byId("scores"), h("p", { class: "empty" }, tr("Scores appear here when the facilitator publishes them.")));
    return;
  }
  fill(byId("scores"), h("h2", {}, tr("Scores")), rounds.map((r) => scoreCard(r, scores[r.id])));
}

function renderDebrief() {
  const box = byId("debrief");
  const d = app.team.debrief;
  if (!d) {
    fill(box);
    return;
  }
  const o = d.outcome;
  const cur = app.scenario.economics.currency;
  const parts = [h("h2", {}, tr("Debrief: what your plan would have done"))];
  if (o) {
    parts.push(h("div", { class: "charts" }, app.scenario.kpis.map((k) => kpiChart({
      title: k.name, unit: k.unit, target: k.target,
      series: [
        { label: tr("Your plan"), cls: "team", values: o.plan.kpis[k.id] },
        { label: tr("Doing nothing"), cls: "nothing", values: o.nothing.kpis[k.id] },
        { label: tr("Expert plan"), cls: "expert", values: o.expert.kpis[k.id] },
      ],
    })).concat([roiCompareChart({
      title: tr("Return on investment: true and as you would report it"),
      rows: [
        { label: tr("Your plan"), trueRoi: o.roi, reportedRoi: o.reportedRoi },
        { label: tr("Expert plan"), trueRoi: o.expertRoi, reportedRoi: undefined },
      ],
    })])));
    parts.push(h("section", { class: "card", "data-debrief": "levels" },
      h("h3", {}, tr("Your programme, level by level")),
      h("p", { class: "small muted" }, tr("Reaction and learning can look good while the business result does not move: only the levels below 3 are about the training itself.")),
      h("dl", { class: "kv" },
        h("dt", {}, tr("L1 Reaction")), h("dd", {}, o.reaction ? tr("{score} / 5", { score: num(o.reaction) }) : tr("no training in the plan")),
        h("dt", {}, tr("L2 Learning")), h("dd", {}, o.learning ? tr("{share} knowledge gain", { share: pct(o.learning) }) : tr("no training in the plan")),
        h("dt", {}, tr("L3 Behaviour")), h("dd", {}, o.behaviour === null || o.behaviour === undefined ? "–" : tr("{share} of the job and process causes removed", { share: pct(o.behaviour) })),
        h("dt", {}, tr("L4 Results")), h("dd", {}, tr("{share} of the gap to target closed", { share: pct(o.results) })),
        h("dt", {}, tr("L5 ROI")), h("dd", {}, tr("{true} true, {reported} as you would report it", { true: o.roi === null ? tr("n/a") : pct(o.roi), reported: o.reportedRoi === null || o.reportedRoi === undefined ? tr("n/a") : pct(o.reportedRoi) })),
        h("dt", {}, tr("Cost")), h("dd", {}, tr("{cost} fully loaded; benefit {benefit} (you would report {reported})", { cost: money(o.cost, cur), benefit: money(o.benefit, cur), reported: money(o.reportedBenefit, cur) })))));
  } else {
    parts.push(h("p", { class: "empty" }, tr("The outcome is being computed.")));
  }
  parts.push(causeTable(d));
  if (d.objectives && d.objectives.length) parts.push(objectivesTable(d.objectives));
  if (d.notes) parts.push(h("h3", {}, tr("Facilitator notes")), h("p", { class: "pre" }, d.notes));
  fill(box, parts);
}

/** Format v2: each learning objective with the rubric components that assess it and the points. */
function objectivesTable(objectives) {
  const scores = app.team.scores || {};
  const points = (c) => {
    const entry = scores[c.round] && scores[c.round].components && scores[c.round].components[c.id];
    return entry ? `${num(entry.points)} / ${num(c.weight)}` : `– / ${num(c.weight)}`;
  };
  return h("section", { "data-debrief": "objectives" }, h("h3", {}, tr("Learning objectives")),
    h("ul", { class: "list" }, objectives.map((o) => h("li", { "data-objective": o.id },
      h("strong", {}, o.text),
      h("div", { class: "small muted" }, o.components.length
        ? o.components.map((c) => `${c.name}: ${points(c)}`).join(" · ")
        : tr("No rubric component assesses this objective."))))));
}

function causeTable(d) {
  const mine = new Map(d.yourPlan.causes.map((c) => [c.cause, c]));
  const ruled = new Set(d.yourPlan.ruledOut);
  const expert = new Set(d.expertPlan.causes.map((c) => c.cause));
  const remaining = (d.outcome && d.outcome.remaining) || {};
  return h("section", {}, h("h3", {}, tr("Which causes were real")),
    h("div", { class: "table-wrap" }, h("table", { "data-debrief": "causes" },
      h("thead", {}, h("tr", {}, [tr("Cause"), tr("Truth"), tr("Share of gap"), tr("Your call"), tr("Verdict"), tr("Left after your plan")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, d.causes.flatMap((c) => {
        const real = c.truth !== "false";
        const declared = mine.get(c.id);
        const call = declared ? tr("Declared ({cell})", { cell: app.ix.cells[declared.cell] ? app.ix.cells[declared.cell].label : declared.cell }) : ruled.has(c.id) ? tr("Ruled out") : tr("Not addressed");
        const cellRight = declared && declared.cell === c.cell;
        const verdict = real
          ? (declared ? (cellRight ? ["ok", tr("✓ Found")] : ["warn", tr("◐ Found, wrong cell")]) : ["bad", tr("✗ Missed")])
          : (declared ? ["bad", tr("✗ Not a cause")] : ["ok", tr("✓ Not declared")]);
        return [h("tr", { "data-cause": c.id, class: "has-detail" },
          h("th", { scope: "row" }, c.label),
          h("td", {}, TRUTH_LABELS[c.truth] || c.truth, expert.has(c.id) ? h("div", { class: "small muted" }, tr("in the expert plan")) : null),
          h("td", { class: "num" }, pct(c.gapShare)),
          h("td", {}, call),
          h("td", {}, h("span", { class: `badge ${verdict[0]}` }, verdict[1]),
            declared && real && !cellRight ? h("div", { class: "small muted" }, tr("Cell: {cell}", { cell: app.ix.cells[c.cell] ? app.ix.cells[c.cell].label : c.cell })) : null),
          h("td", { class: "num" }, remaining[c.id] === undefined ? "–" : pct(remaining[c.id]))),
        h("tr", { class: "detail-row" }, h("td", { colspan: 6 }, c.debrief))];
      })))));
}

// --- who did what, activity, ready marks, reopened rounds, notices, alerts ------------------------
// Kept apart from the rest of the room so each piece reads only the view: `by` on items,
// `activity`, `ready`, `rounds`, `allowed`, `public.teamChangesAllowed`, and `notice` events.

const baseTitle = document.title;
const readState = new ReadState(sessionId);
const seenInjects = new Set(); // injects this page has already alerted about
let injectsPrimed = false;

function initials(name) {
  const words = String(name || "?").trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] || "?").slice(0, 2);
  return letters.toUpperCase();
}

/** "by Ada" with her initials, and when; null when the view does not say who. */
function byline(by, compact = false) {
  if (!by || !by.name) return null;
  const when = by.at ? timeOfDay(by.at) : "";
  const mine = app.me && by.learnerId === app.me.learnerId;
  const who = mine ? tr("you") : by.name;
  return h("span", { class: "by", "data-by": by.learnerId || "", title: when ? tr("Last changed by {who} at {time}", { who, time: when }) : tr("Last changed by {who}", { who }) },
    h("span", { class: "initials", "aria-hidden": "true" }, initials(by.name)),
    compact ? h("span", { class: "visually-hidden" }, tr(" by {who}", { who })) : when ? tr(" by {who} · {time}", { who, time: when }) : tr(" by {who}", { who }));
}

function isReady(learnerId) {
  return Boolean(app.team && Array.isArray(app.team.ready) && app.team.ready.includes(learnerId));
}

function renderAwareness() {
  const t = app.team;
  renderBar();
  renderTeamChange();
  if (!t) {
    updateUnread();
    return;
  }
  section("activity", [t.id, t.activity || null], renderActivity);
  section("ready", [t.id, t.ready || null, t.members, t.draft, t.allowed || null, app.pub.phase], renderReady);
  section("reopened", [t.id, reopenedStructure()], renderReopened);
  section("isolation-by", [t.isolation, t.isolationBy || null], renderIsolationBy);
  updateReopened();
  updateTextMeta();
  trackInjects();
  updateUnread();
}

// --- the sticky bar: round, clock, pause, unread counts --------------------------------------------

function renderBar() {
  const pub = app.pub;
  if (!pub) return;
  byId("bar-round").textContent = pub.phase === "round" && pub.round ? tr("Round {n}/{count}", { n: pub.round.index + 1, count: pub.roundCount })
    : pub.phase === "lobby" ? tr("Lobby") : pub.phase === "debrief" ? tr("Debrief") : pub.phase === "closed" ? tr("Ended") : "";
  for (const id of ["alert-messages", "alert-chat", "alert-activity"]) byId(id).hidden = !app.team;
  const paused = Boolean(pub.phase === "round" && pub.paused);
  byId("bar-paused").hidden = !paused;
  byId("roombar").dataset.paused = String(paused);
}

// Whatever the bar's height (toasts come and go, it wraps on a phone), a control scrolled to or
// focused lands below it.
if ("ResizeObserver" in window) {
  new ResizeObserver(() => {
    document.documentElement.style.scrollPaddingTop = `${byId("roombar").offsetHeight + 16}px`;
  }).observe(byId("roombar"));
}

function othersSince(list, from) {
  return (list || []).filter((m) => m.n >= from && !(app.me && m.learnerId === app.me.learnerId)).length;
}

const visible = { chat: false, activity: false };

function markSeenIfVisible() {
  if (!app.team || document.visibilityState !== "visible") return;
  if (visible.chat) readState.seen("chat", app.team.chatCount || 0);
  if (visible.activity) readState.seen("activity", activityCount());
}

function activityCount() {
  const t = app.team;
  if (!t) return 0;
  if (typeof t.activityCount === "number") return t.activityCount;
  const list = t.activity || [];
  return list.length ? list[list.length - 1].n + 1 : 0;
}

function unreadInjects() {
  return app.team ? app.team.injects.filter((inj) => !readState.isRead(inj.inject)) : [];
}

function updateUnread() {
  const t = app.team;
  if (t) {
    readState.forTeam(t.id, { chat: t.chatCount || 0, activity: activityCount() });
    markSeenIfVisible();
  }
  const messages = t ? unreadInjects().length : 0;
  const chat = t ? othersSince(t.chat, readState.data.chat) : 0;
  const activity = t ? othersSince(t.activity, readState.data.activity) : 0;
  showCount(byId("alert-messages"), byId("alert-messages-count"), messages);
  showCount(byId("alert-chat"), byId("alert-chat-count"), chat);
  showCount(byId("alert-activity"), byId("alert-activity-count"), activity);
  for (const node of document.querySelectorAll("#activity [data-activity]")) {
    node.classList.toggle("new", Number(node.dataset.activity) >= readState.data.activity && node.dataset.mine !== "true");
  }
  showTitle(baseTitle, messages, chat + activity);
}

if ("IntersectionObserver" in window) {
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) visible[entry.target.id === "chat" ? "chat" : "activity"] = entry.isIntersecting;
    updateUnread();
  }, { threshold: 0.6 });
  observer.observe(byId("chat"));
  observer.observe(byId("activity"));
}
document.addEventListener("visibilitychange", () => updateUnread());
byId("chat-input").addEventListener("focus", () => {
  if (app.team) readState.seen("chat", app.team.chatCount || 0);
  updateUnread();
});

/** Bring a card into view below the sticky bar and give it the focus (one tap on a phone). */
function reveal(node, focusTarget = node) {
  if (!node) return;
  if (!focusTarget.hasAttribute("tabindex") && !focusTarget.matches("button, input, textarea, select, a[href]")) focusTarget.tabIndex = -1;
  node.scrollIntoView({ block: "start", behavior: "auto" });
  focusTarget.focus({ preventScroll: true });
}

byId("alert-messages").addEventListener("click", () => {
  const unread = unreadInjects();
  if (unread.length) openInject(unread[0].inject);
  else reveal(byId("msg-h").closest("section"), byId("msg-h"));
});
byId("alert-chat").addEventListener("click", () => {
  reveal(byId("chat-card"), byId("chat-input"));
  if (app.team) readState.seen("chat", app.team.chatCount || 0);
  updateUnread();
});
byId("alert-activity").addEventListener("click", () => {
  reveal(byId("activity-card"), byId("activity-h"));
  if (app.team) readState.seen("activity", activityCount());
  updateUnread();
});

const soundBox = byId("sound-toggle");
soundBox.checked = soundOn();
soundBox.addEventListener("change", () => setSound(soundBox.checked));

// --- persistent notices (stay until dismissed or read) ---------------------------------------------

function showNotice(key, kind, text, actions = []) {
  const box = byId("room-notices");
  const old = box.querySelector(`[data-notice="${CSS.escape(key)}"]`);
  const node = h("div", { class: `alert notice-${kind}`, "data-notice": key, "data-kind": kind },
    h("span", { class: "notice-text" }, h("strong", {}, text)),
    actions,
    h("button", { type: "button", class: "small", "aria-label": tr("Dismiss: {text}", { text }), "data-dismiss": "", onclick: () => node.remove() }, tr("Dismiss")));
  if (old) old.replaceWith(node);
  else box.prepend(node);
  return node;
}

function dropNotice(key) {
  const node = byId("room-notices").querySelector(`[data-notice="${CSS.escape(key)}"]`);
  if (node) node.remove();
}

// --- injects: alert until read ---------------------------------------------------------------------

function injectTitle(inj) {
  return tr("New message from {sender}: {title}", { sender: stakeholderName(inj.sender), title: inj.title });
}

function openInject(injectId) {
  const card = document.querySelector(`#injects [data-inject-card="${CSS.escape(injectId)}"]`);
  markInjectRead(injectId);
  reveal(card);
}

function markInjectRead(injectId) {
  readState.markRead(injectId);
  dropNotice(`inject:${injectId}`);
  const card = document.querySelector(`#injects [data-inject-card="${CSS.escape(injectId)}"]`);
  if (card) card.classList.remove("unread");
  updateUnread();
}

function trackInjects() {
  const fresh = [];
  for (const inj of app.team.injects) {
    const card = document.querySelector(`#injects [data-inject-card="${CSS.escape(inj.inject)}"]`);
    const read = readState.isRead(inj.inject);
    if (card) {
      card.classList.toggle("unread", !read);
      if (!card.dataset.readWired) {
        card.dataset.readWired = "true";
        card.setAttribute("aria-label", tr("Message: {title}", { title: inj.title }));
        card.addEventListener("focusin", () => markInjectRead(inj.inject));
      }
    }
    if (!read && !byId("room-notices").querySelector(`[data-notice="inject:${CSS.escape(inj.inject)}"]`)) {
      const node = showNotice(`inject:${inj.inject}`, "inject", injectTitle(inj), [
        h("button", { type: "button", class: "small primary", "aria-label": tr("Open message: “{title}”", { title: inj.title }), onclick: () => openInject(inj.inject) }, tr("Open message")),
        h("button", { type: "button", class: "small", "aria-label": tr("Mark as read: “{title}”", { title: inj.title }), onclick: () => markInjectRead(inj.inject) }, tr("Mark as read")),
      ]);
      node.classList.add("inject-alert");
      node.querySelector("[data-dismiss]").remove(); // it stays until read
    }
    if (!seenInjects.has(inj.inject)) {
      seenInjects.add(inj.inject);
      if (injectsPrimed && !read) fresh.push(inj);
    }
  }
  injectsPrimed = true;
  if (fresh.length) {
    announce(byId("alert-live"), tr("{messages}. Use the Messages button to open it.", { messages: fresh.map(injectTitle).join(". ") }));
    beep();
  }
}

// --- activity feed ---------------------------------------------------------------------------------

function renderActivity() {
  const list = app.team.activity;
  const box = byId("activity");
  if (!list || !list.length) {
    fill(box, h("li", { class: "empty" }, tr("Nothing yet: what teammates do appears here.")));
    return;
  }
  fill(box, [...list].reverse().map((entry) => {
    const mine = app.me && entry.learnerId === app.me.learnerId;
    const text = serverText(String(entry.text || ""));
    const name = entry.name || "";
    const named = Boolean(name) && text.startsWith(name);
    return h("li", { "data-activity": entry.n, "data-kind": entry.kind || "", "data-mine": String(Boolean(mine)) },
      named ? h("strong", {}, mine ? tr("{name} (you)", { name }) : name) : null, named ? text.slice(name.length) : text,
      h("span", { class: "when" }, timeOfDay(entry.at)));
  }));
}

function renderIsolationBy() {
  const t = app.team;
  fill(byId("isolation-by"), t.isolation && t.isolationBy ? h("p", { class: "small muted" }, tr("Chosen"), byline(t.isolationBy)) : null);
}

// --- ready marks -----------------------------------------------------------------------------------

function renderReady() {
  const t = app.team;
  const box = byId("ready-area");
  const open = app.pub.phase === "round" && t.draft && !t.draft.frozen;
  if (!open || !(Array.isArray(t.ready) || serverAllows("mark_ready"))) {
    fill(box);
    return;
  }
  const me = app.me ? app.me.learnerId : null;
  const readyCount = t.members.filter((m) => isReady(m.learnerId)).length;
  const mine = isReady(me);
  fill(box,
    h("h3", { id: "ready-h" }, tr("Ready to submit? {ready} of {count} ready", { ready: readyCount, count: t.members.length })),
    h("ul", { class: "ready-list", "aria-labelledby": "ready-h" }, t.members.map((m) => h("li", { "data-ready-member": m.learnerId },
      isReady(m.learnerId) ? h("span", { class: "badge ok" }, tr("✓ {name} is ready", { name: m.learnerId === me ? tr("{name} (you)", { name: m.name }) : m.name }))
        : h("span", { class: "badge" }, tr("{name}: not yet", { name: m.learnerId === me ? tr("{name} (you)", { name: m.name }) : m.name }))))),
    h("button", { type: "button", id: "ready-toggle", class: "small", "aria-pressed": String(mine), disabled: !serverAllows("mark_ready"),
      onclick: () => act("mark_ready", { ready: !mine }) }, mine ? tr("✓ I'm ready") : tr("I'm ready")));
}

// --- reopened earlier rounds: their own section, editable and submittable --------------------------

function reopenedEntries() {
  const rounds = viewRounds();
  return rounds ? rounds.filter((r) => !r.current) : [];
}

function reopenedStructure() {
  return reopenedEntries().map((r) => [r.id, r.frozen, r.submission, (r.deliverable || []).map((f) => f.id), roundAllows(r, "write_rationale"), serverAllows("submit_round")]);
}

function fieldPrompt(roundId, fieldId) {
  const round = app.ix.rounds[roundId];
  const field = round ? round.deliverable.find((f) => f.id === fieldId) : null;
  return field ? field.prompt : "";
}

// A text field of a reopened round is saved like the current round's (write_text); its markup
// follows renderDeliverable's, so syncTexts keeps it in step with teammates.
function reopenedTextField(field, canWrite) {
  const area = h("textarea", {
    id: `text-${field.id}`, "data-text-field": field.id, "data-focus-key": `text-${field.id}`, maxlength: field.maxLength || 4000,
    disabled: !canWrite, "aria-describedby": `prompt-${field.id} status-${field.id}`,
  });
  const text = app.team.texts[field.id] || "";
  let box = area;
  let status = h("div", { class: "hint", id: `status-${field.id}`, "aria-live": "polite" });
  let presence = null;
  // Bound like the current round's fields: a shared document when sharedtext.js is in the room
  // (`sharedArea`), else write_text through the room's queue.
  if (typeof sharedArea === "function") ({ box, status, presence } = sharedArea(field.id, area, text)); // eslint-disable-line no-undef
  else {
    area.value = text;
    area.addEventListener("input", () => queueText(field.id, area.value));
    area.addEventListener("blur", () => flushText(field.id));
  }
  if (!canWrite) status.textContent = tr("This round is closed.");
  return h("div", { class: "field" },
    h("div", { class: "row" }, h("label", { for: `text-${field.id}` }, field.label), h("span", { "data-field-badge": field.id })),
    h("div", { class: "hint", id: `prompt-${field.id}` }, fieldPrompt(field.roundId, field.id)),
    box,
    presence ? h("div", { class: "row small" }, status, presence) : status);
}

/** Send every text still being typed before a submission (shared documents or the queue). */
function flushTexts() {
  if (typeof shared !== "undefined") return shared.flushAll(); // eslint-disable-line no-undef
  return flushAllTexts();
}

function renderReopened() {
  const box = byId("reopened-rounds");
  const entries = reopenedEntries();
  for (const key of [...byId("room-notices").querySelectorAll("[data-notice^='reopened:']")].map((n) => n.dataset.notice)) {
    if (!entries.some((r) => `reopened:${r.id}` === key && !r.frozen)) dropNotice(key);
  }
  if (!entries.length) {
    fill(box);
    return;
  }
  fill(box, entries.map((r) => {
    const canWrite = roundAllows(r, "write_rationale");
    const title = tr("Round {n}: {name}", { n: r.index + 1, name: r.name });
    const fields = (r.deliverable || []).map((field) => {
      if (field.kind === "text") return reopenedTextField({ ...field, roundId: r.id }, canWrite);
      const kinded = { ...field };
      return h("div", { class: "field" },
        h("div", { class: "row" }, h("strong", {}, field.label), h("span", { "data-round-field-badge": `${r.id}:${field.id}` })),
        h("p", { "data-round-field-summary": `${r.id}:${field.id}`, class: "break" }, fieldSummary(kinded) || tr("Nothing yet.")),
        KIND_TAB[field.kind] ? h("button", { type: "button", class: "link small", "aria-label": tr("Edit {name}", { name: field.label }), onclick: () => tabs.select(KIND_TAB[field.kind]) }, tr("Edit")) : null);
    });
    let footer;
    if (r.frozen === "submitted") {
      footer = h("div", { class: "alert success" }, h("strong", {}, r.submission && r.submission.at ? tr("✓ Submitted again at {time}", { time: timeOfDay(r.submission.at) }) : tr("✓ Submitted again")),
        r.submission && r.submission.by && r.submission.by.name ? tr("by {name}.", { name: r.submission.by.name }) : "");
    } else if (r.frozen === "locked") {
      footer = h("div", { class: "alert warning" }, h("strong", {}, tr("Time is up")), tr("This reopened round is locked."));
    } else {
      const confirmBox = h("div", { class: "alert warning", hidden: true },
        h("strong", {}, tr("Submit “{name}” again?", { name: r.name })), tr("Your team cannot edit it afterwards."),
        h("div", { class: "row" },
          h("button", { type: "button", class: "primary", "data-confirm-round": r.id, onclick: async () => {
            confirmBox.hidden = true;
            await flushTexts();
            await act("submit_round", { round: r.id }, tr("Submitted “{name}”.", { name: r.name }));
          } }, tr("Yes, submit")),
          h("button", { type: "button", onclick: () => { confirmBox.hidden = true; } }, tr("Cancel"))));
      footer = h("div", {},
        h("p", { class: "small muted", "data-round-missing": r.id }),
        h("button", { type: "button", class: "primary", "data-submit-round": r.id, disabled: !serverAllows("submit_round"),
          onclick: () => { confirmBox.hidden = false; confirmBox.querySelector("[data-confirm-round]").focus(); } }, tr("Submit “{name}” again", { name: r.name })),
        confirmBox);
    }
    if (!r.frozen) {
      showNotice(`reopened:${r.id}`, "reopened", tr("The facilitator reopened {round} for your team.", { round: title }), [
        h("button", { type: "button", class: "small primary", onclick: () => {
          tabs.select("deliverable");
          reveal(document.querySelector(`[data-round-section="${CSS.escape(r.id)}"]`), document.getElementById(`reopened-h-${r.id}`));
        } }, tr("Open it")),
      ]);
    }
    return h("section", { class: "reopened-round", "data-round-section": r.id, "aria-labelledby": `reopened-h-${r.id}` },
      h("div", { class: "card-header" },
        h("h3", { id: `reopened-h-${r.id}` }, tr("Reopened: {round}", { round: title })),
        h("span", { class: "badge", "data-round-completeness": r.id })),
      h("p", { class: "small muted" }, tr("The facilitator reopened this earlier round for your team: edit it and submit it again. The current round carries on below.")),
      fields, footer);
  }), h("h3", { class: "current-round-h" }, tr("Current round: {name}", { name: currentRound() ? currentRound().name : "" })));
}

function updateReopened() {
  for (const r of reopenedEntries()) {
    const badge = document.querySelector(`[data-round-completeness="${CSS.escape(r.id)}"]`);
    if (badge && typeof r.completeness === "number") {
      badge.textContent = tr("{share} complete", { share: pct(r.completeness / 100) });
      badge.className = `badge ${r.completeness === 100 ? "ok" : "warn"}`;
    }
    const missing = r.missing || [];
    for (const field of r.deliverable || []) {
      const slot = document.querySelector(`[data-round-field-badge="${CSS.escape(`${r.id}:${field.id}`)}"]`)
        || document.querySelector(`#reopened-rounds [data-field-badge="${CSS.escape(field.id)}"]`);
      if (slot) fill(slot, !field.required ? h("span", { class: "badge" }, tr("Optional"))
        : missing.includes(field.id) ? h("span", { class: "badge warn" }, tr("Required · missing")) : h("span", { class: "badge ok" }, tr("✓ Done")));
      const summary = document.querySelector(`[data-round-field-summary="${CSS.escape(`${r.id}:${field.id}`)}"]`);
      if (summary) summary.textContent = fieldSummary(field) || tr("Nothing yet.");
    }
    const line = document.querySelector(`[data-round-missing="${CSS.escape(r.id)}"]`);
    if (line) line.textContent = missing.length ? tr("Still missing: {fields}", { fields: missing.map((id) => ((r.deliverable || []).find((f) => f.id === id) || { label: id }).label).join(", ") }) : "";
  }
}

// The deliverable's tr("Edit") links name their field for screen readers.
function nameDeliverableEdits() {
  for (const button of document.querySelectorAll("#deliverable .field > button.link:not([aria-label])")) {
    const label = button.parentElement.querySelector("strong");
    if (label) button.setAttribute("aria-label", tr("Edit {name}", { name: label.textContent }));
  }
}

// Who last wrote each text field (`textMeta`), beside its label; the fields themselves are not
// touched here.
function updateTextMeta() {
  nameDeliverableEdits();
  const meta = app.team.textMeta || {};
  for (const area of document.querySelectorAll("[data-text-field]")) {
    const id = area.dataset.textField;
    const row = area.closest(".field") && area.closest(".field").querySelector(".row");
    if (!row) continue;
    let slot = row.querySelector("[data-text-meta]");
    if (!slot) {
      slot = h("span", { "data-text-meta": id });
      row.append(slot);
    }
    const by = meta[id];
    const key = by ? `${by.learnerId}|${by.at}` : "";
    if (slot.dataset.key !== key) {
      slot.dataset.key = key;
      fill(slot, byline(by));
    }
  }
}

// --- time: a timeout is told, and stays until dismissed ---------------------------------------------

function showTimeout(text) {
  const words = text || tr("Time is up: your draft was submitted as it stood.");
  showNotice("timeout", "timeout", words);
  announce(byId("alert-live"), words);
}

// --- team changes: only in the lobby or when the facilitator allows them ----------------------------

let changingTeam = false;

function teamChangeOpen() {
  const pub = app.pub;
  return Boolean(pub && app.team && (pub.phase === "lobby" || (pub.phase === "round" && pub.teamChangesAllowed)));
}

function renderTeamChange() {
  byId("leave-team").hidden = !teamChangeOpen();
  if (!app.team) byId("team-change-error").hidden = true;
}

const LOCKED_IN_ROUND = tr("You can't change team while a round is running: your work stays with your team. Ask the facilitator if you need to move.");

byId("leave-team").addEventListener("click", async () => {
  changingTeam = true;
  const ack = await live.act("leave_team", {});
  changingTeam = false;
  const box = byId("team-change-error");
  box.hidden = ack.ok;
  if (!ack.ok) box.textContent = ack.code === "team/locked_in_round" ? LOCKED_IN_ROUND : errorText(ack, tr("The server refused that."));
});

// A move by the facilitator: the room follows the new team and says so until dismissed.
let lastTeamId;

function watchMove() {
  const teamId = app.me ? app.me.team : null;
  if (lastTeamId !== undefined && teamId !== lastTeamId) byId("team-change-error").hidden = true;
  if (lastTeamId && teamId && teamId !== lastTeamId && !changingTeam && app.team) {
    window.scrollTo(0, 0); // a new room: start at its top, where the notice is
    showMoved(tr("The facilitator moved you to {team}.", { team: app.team.name }));
  }
  lastTeamId = teamId;
  teamChoiceShown();
}

// A new team (a move, or a change in the lobby): nothing of the old team's room may stay on the
// page or be sent on. Drafts not yet sent are dropped (they were the old team's), every section
// is rebuilt from the new view, and the append-only lists (findings, messages, chat) start over.
function leaveOldTeam(before, after) {
  if (before === undefined || before === after) return;
  if (typeof pendingTexts !== "undefined") { // the write_text queue (sharedtext.js follows the team itself)
    for (const pending of pendingTexts.values()) clearTimeout(pending.timer);
    pendingTexts.clear();
  }
  unsent.clear();
  if (document.activeElement && document.activeElement.matches("textarea, input")) document.activeElement.blur();
  lastRendered.clear();
  app.lastFindings = 0;
  fill(byId("findings"));
  fill(byId("injects"));
  chatKeys = [];
  for (const node of byId("room-notices").querySelectorAll("[data-kind=inject], [data-kind=reopened]")) node.remove();
  seenInjects.clear();
  injectsPrimed = false;
}

function showMoved(text) {
  showNotice("moved", "moved", text);
  announce(byId("alert-live"), text);
}

function teamChoiceShown() {
  if (!app.team) byId("team-change-error").hidden = true;
}

function onNotice(notice) {
  if (!notice || !notice.kind) return false;
  if (notice.kind === "moved") {
    window.scrollTo(0, 0);
    showMoved(serverText(notice.text) || tr("The facilitator moved you to another team."));
    return true;
  }
  if (notice.kind === "timeout") {
    showTimeout(serverText(notice.text));
    return true;
  }
  return false;
}

// --- wiring -------------------------------------------------------------------------------------

function applyView(view) {
  leaveOldTeam(app.me ? app.me.team : undefined, view.me ? view.me.team : null);
  app.pub = view.public;
  app.team = view.team;
  app.me = view.me;
  shared.setTeam(view.team ? view.team.id : null);
  renderAll();
  watchMembership();
  watchMove();
}

// The server announces presence when a socket connects or drops, not when a teammate joins the
// team later; saying hello again makes it send the team's presence (and a fresh view).
let memberKey = null;
let resyncTimer = null;
function watchMembership() {
  const key = app.team ? `${app.team.id}:${app.team.members.map((m) => m.learnerId).join(",")}` : "";
  if (memberKey !== null && key !== memberKey) {
    clearTimeout(resyncTimer);
    resyncTimer = setTimeout(hello, 200);
  }
  memberKey = key;
}

live.on("view", applyView);
// The server sends what changed in the team view since the version we hold; a patch that does
// not follow it means one was missed, and a hello brings the whole view back.
live.on("team_patch", (patch) => {
  if (!app.me || !patch || patch.teamId !== app.me.team) return;
  // Text edits merge whatever the version held (order-free), even while a hello is out.
  if (patch.textUpdates) shared.receivedAll(patch.teamId, patch.textUpdates);
  if (helloInFlight) return;
  const merged = mergeTeamPatch(app.team, patch);
  if (!merged) {
    hello();
    return;
  }
  app.team = merged;
  shared.setTeam(merged ? merged.id : null);
  renderAll();
  watchMembership();
});
live.on("public", (pub) => {
  app.pub = pub;
  renderAll();
});
live.on("presence", (msg) => {
  app.online = new Set(msg.online || []);
  if (app.me && live.state === "online") app.online.add(app.me.learnerId);
  shared.setOnline(app.online);
  renderAll();
});
live.on("notice", (notice) => {
  if (onNotice(notice)) return;
  // Findings and injects already land in their own live regions; other notices get a toast.
  if (notice && notice.text && !["finding", "inject", "diagnostic_run", "inject_fired", "chat"].includes(notice.kind)) toast(serverText(notice.text));
});

// While a hello is on its way, patches are ignored: the view it answers already holds them.
let helloInFlight = false;

async function hello() {
  if (helloInFlight) return;
  helloInFlight = true;
  const ack = await live.request("hello", { token: seat.token, lang: locale }).catch(() => null).finally(() => { helloInFlight = false; });
  if (!ack) {
    // No answer in time: a reconnect says hello again, but a socket that stayed up (a server
    // busy taking a session over, an answer lost) would otherwise never be attached.
    if (live.state === "online") setTimeout(hello, 1000);
    return;
  }
  if (!ack.ok) {
    if (ack.code === "session/moved") return live.moveTo(ack); // hello again on the owner
    if (ack.code === "auth/bad_token" || ack.code === "auth/unknown_learner") forgetSeat(sessionId);
    showFatal(errorText(ack, tr("Could not resume your seat.")));
    return;
  }
  byId("room-error").hidden = true;
  if (!app.scenario) {
    app.scenario = ack.scenario;
    app.ix = indexById(ack.scenario);
    app.ix.cells = cellMap(ack.scenario);
  }
  if (typeof ack.serverTime === "number" && serverClock.offsetMs === 0) serverClock.offsetMs = ack.serverTime * 1000 - Date.now();
  if (app.me) app.online.add(app.me.learnerId);
  applyView(ack.view);
  shared.sync(); // what teammates typed while we were away, and what we typed offline
}

live.on("connected", hello);

serverClock.sync();
setInterval(() => serverClock.sync(1), 60_000);
