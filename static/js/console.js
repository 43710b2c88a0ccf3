// The facilitator console: live board, controls, scoring, injects, teams and the debrief.
// Renders the server's facilitator_view ("board"); every control is a Socket.IO action.

import { Live, ServerClock, bindConnectionBadge } from "./live.js";
import { byId, fill, h, money, num, pct, setupTabs, timeOfDay, toast } from "./dom.js";
import { kpiChart, roiCompareChart } from "./charts.js";
import { errorText, serverText, t as tr } from "./i18n.js";
import { explanationText } from "./explain.js";
import {
  STANCES, TRUTH_LABELS, cellMap, indexById, levelLabel, mergeBoardPatch, methodLabel, renderSteps,
  scoreCard, startCountdown,
} from "./common.js";

const main = byId("main");
const sessionId = main.dataset.sessionId;
// The account's role in this session (docs/accounts.md). The server refuses what the role
// may not do anyway; the controls only say so up front.
const canRun = ["admin", "owner", "facilitator"].includes(main.dataset.role);
// The bounds of the facilitator's commands, from the server (practicum/engine/limits.py).
const LIMITS = JSON.parse(main.dataset.limits);
const serverClock = new ServerClock();
const live = new Live("/facilitate", { extra: { sessionId }, session: sessionId });
bindConnectionBadge(live, byId("conn"), byId("conn-banner"));

const app = { board: null, scenario: null, ix: null, selectedTeam: null, scoreTeam: null, scoreRound: null, tab: "board" };
const tabs = setupTabs(document.querySelector("main > [role=tablist]"), (tab) => {
  app.tab = tab;
  render();
});

async function act(event, data = {}, okText = null) {
  const ack = await live.act(event, data);
  if (!ack.ok) toast(errorText(ack, tr("The server refused that.")), "error");
  else if (okText) toast(okText);
  return ack;
}

/**
 * Ask before a command that changes things for people: the dialog says what happens to whom.
 * Resolve true when the facilitator confirms. body: strings and nodes (one paragraph each).
 */
function confirmAction({ title, body, confirm }) {
  const dialog = byId("confirm-dialog");
  fill(byId("confirm-h"), title);
  fill(byId("confirm-body"), body.filter(Boolean).map((part) => (typeof part === "string" ? h("p", {}, part) : part)));
  byId("confirm-yes").textContent = confirm;
  return new Promise((resolve) => {
    const done = (answer) => {
      byId("confirm-yes").onclick = null;
      byId("confirm-no").onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    byId("confirm-yes").onclick = () => done(true);
    byId("confirm-no").onclick = () => done(false);
    dialog.onclose = () => done(false); // Escape
    dialog.showModal();
    byId("confirm-no").focus();
  });
}

function names(teams) {
  return teams.map((t) => t.name).join(", ");
}

// When an automatic inject fires (the scenario's condition names, practicum/scenario/model.py).
const CONDITIONS = {
  round_started: tr("round started"),
  ran_diagnostic: tr("ran a diagnostic"),
  selected_intervention: tr("selected an intervention"),
  declared_cause: tr("declared a cause"),
  budget_spent_at_least: tr("budget spent at least"),
  submitted_round: tr("submitted a round"),
};

function conditionLabel(type) {
  return CONDITIONS[type] || String(type).replace(/_/g, " ");
}

// Counted nouns, in the page's language with its plural rules.
const COUNTED = {
  team: (n) => tr("{count} teams", { count: n }),
  learner: (n) => tr("{count} learners", { count: n }),
  member: (n) => tr("{count} members", { count: n }),
  round: (n) => tr("{count} rounds", { count: n }),
};

function plural(n, word) {
  return COUNTED[word](n);
}

/** Return the teams outside the scenario's size range, each with what is wrong. */
/** Return the team size this session wants (its settings, else the scenario's). */
function teamSize() {
  return (app.board.settings && app.board.settings.teamSize) || app.scenario.teamSize;
}

/** Return how many minutes a round runs in this session. */
function roundMinutes(round) {
  const set = app.board.settings && app.board.settings.roundMinutes;
  return set && set[round.id] ? set[round.id] : round.minutes;
}

function sizeProblems() {
  const size = teamSize();
  if (!size) return [];
  return app.board.teams.filter((t) => t.members.length < size.min || t.members.length > size.max)
    .map((t) => ({ team: t, text: t.members.length < size.min
      ? tr("{team} has {members}, below the scenario's minimum of {min}", { team: t.name, members: plural(t.members.length, "member"), min: size.min })
      : tr("{team} has {members}, above the scenario's maximum of {max}", { team: t.name, members: plural(t.members.length, "member"), max: size.max }) }));
}

/** Return the teams that have not submitted the current round themselves. */
function notSubmitted() {
  const progress = new Map(app.board.progress.map((p) => [p.team, p]));
  return app.board.teams.filter((t) => !(progress.get(t.id) || {}).submitted);
}

function teamById(id) {
  return app.board.teams.find((t) => t.id === id) || null;
}

function learnerName(id) {
  const learner = app.board.learners.find((l) => l.learnerId === id);
  return learner ? learner.name : id;
}

function currentRound() {
  const pub = app.board.public;
  return pub.round ? app.scenario.rounds[pub.round.index] : null;
}

function cellLabel(id) {
  return app.ix.cells[id] ? app.ix.cells[id].label : id;
}

// --- header and controls --------------------------------------------------------------------------

function renderHeader() {
  const pub = app.board.public;
  const round = currentRound();
  const learners = app.board.learners.length;
  const online = app.board.online.length;
  const phase = pub.phase === "lobby" ? tr("Lobby: learners are joining")
    : pub.phase === "round" ? `${tr("Round {n} of {count}: {name}", { n: pub.round.index + 1, count: pub.roundCount, name: round.name })}${pub.paused ? tr(" · paused") : ""}`
      : pub.phase === "debrief" ? tr("Debrief") : tr("Session ended");
  byId("session-phase").textContent = `${phase} · ${plural(app.board.teams.length, "team")} · ${plural(learners, "learner")} ${tr("({count} online)", { count: online })}`;
  renderSteps(byId("round-steps"), app.scenario.rounds, pub);
  const enable = {
    start_session: pub.phase === "lobby",
    pause: pub.phase === "round" && !pub.paused && Boolean(pub.deadline),
    resume: pub.phase === "round" && pub.paused,
    extend: pub.phase === "round",
    advance: pub.phase === "round",
    end_session: pub.phase !== "closed",
  };
  for (const button of byId("controls").querySelectorAll("[data-cmd]")) {
    button.disabled = !enable[button.dataset.cmd] || !canRun;
  }
  // Show only the clock control that applies now; the others stay in place but disabled.
  const show = { start_session: pub.phase === "lobby", pause: !pub.paused, resume: pub.paused };
  for (const [cmd, visible] of Object.entries(show)) {
    byId("controls").querySelector(`[data-cmd="${cmd}"]`).hidden = !visible;
  }
  const allowChanges = byId("allow-team-changes");
  // While the facilitator's own change is on its way, a board sent before it must not flip
  // the box back (it would flicker, and a second click would undo the first).
  if (!allowChanges.dataset.pending) {
    allowChanges.checked = Boolean(pub.teamChangesAllowed);
    allowChanges.disabled = pub.phase === "closed";
  }
  const advance = byId("controls").querySelector('[data-cmd="advance"]');
  advance.textContent = pub.phase === "round" && pub.round.index === pub.roundCount - 1 ? tr("Advance to debrief") : tr("Advance to next round");
  // Sizes matter while teams form and work; after the rounds they are history.
  const problems = pub.phase === "lobby" || pub.phase === "round" ? sizeProblems() : [];
  byId("size-warning").hidden = !problems.length;
  fill(byId("size-warning"), problems.length ? [h("strong", {}, tr("Team size: {min} to {max} members", { min: teamSize().min, max: teamSize().max })),
    h("ul", { class: "list small" }, problems.map((p) => h("li", { "data-size-warning": p.team.id }, p.text)))] : []);
  renderStageControls();
}

// --- the stage ------------------------------------------------------------------------------------

const STAGE_LABELS = { lobby: tr("the lobby"), round: tr("the round"), scoring: tr("scoring progress"), debrief: tr("the debrief"), leaderboard: tr("the leaderboard") };

function stageAvailable(mode) {
  const pub = app.board.public;
  if (mode === "round") return pub.phase === "round";
  if (mode === "scoring") return pub.phase !== "lobby";
  if (mode === "debrief") return pub.phase === "debrief" || pub.phase === "closed";
  if (mode === "leaderboard") return pub.publishedRounds.length > 0 && (!app.board.settings || app.board.settings.leaderboard);
  return true;
}

function renderStageControls() {
  const stage = app.board.stage || { mode: "lobby" };
  for (const button of byId("stage-controls").querySelectorAll("[data-stage-mode]")) {
    const mode = button.dataset.stageMode;
    button.disabled = !stageAvailable(mode);
    button.setAttribute("aria-pressed", String(stage.mode === mode));
  }
  byId("stage-now").textContent = `${tr("Showing {what}", { what: STAGE_LABELS[stage.mode] || stage.mode })}${stage.chosen ? "" : tr(" (follows the session)")}`;
}

byId("stage-controls").addEventListener("click", async (event) => {
  const button = event.target.closest("[data-stage-mode]");
  if (!button) return;
  const mode = button.dataset.stageMode;
  await act("stage_show", { mode }, tr("The stage shows {what}.", { what: STAGE_LABELS[mode] }));
});

byId("copy-stage-link").addEventListener("click", async () => {
  const response = await fetch(`/facilitator/sessions/${encodeURIComponent(sessionId)}/stage-link`, { credentials: "same-origin", cache: "no-store" }).catch(() => null);
  if (!response || !response.ok) return toast(tr("Could not make a stage link; try again."), "error");
  const { url, expiresIn } = await response.json();
  const field = byId("stage-link");
  field.value = url;
  field.hidden = false;
  field.select();
  const minutes = Math.round(expiresIn / 60);
  try {
    await navigator.clipboard.writeText(url);
    toast(tr("Stage link copied: open it on the projector within {minutes} minutes.", { minutes }));
  } catch {
    toast(tr("Copy the selected link: open it on the projector within {minutes} minutes.", { minutes }));
  }
  return url;
});

/** Return the confirmation for a session control, or null when it needs none. */
function confirmation(cmd) {
  const pub = app.board.public;
  const rounds = app.scenario.rounds;
  const learners = app.board.learners;
  const teamless = learners.filter((l) => !l.team);
  const sizes = sizeProblems().map((p) => p.text);
  if (cmd === "start_session") {
    const first = rounds[0];
    return {
      title: tr("Start the session?"),
      body: [
        app.board.teams.length ? tr("Round 1, “{name}”, opens for {minutes} minutes and the clock starts for {teams} ({names}).", { name: first.name, minutes: roundMinutes(first), teams: plural(app.board.teams.length, "team"), names: names(app.board.teams) })
          : tr("Round 1, “{name}”, opens for {minutes} minutes and the clock starts for {teams}.", { name: first.name, minutes: roundMinutes(first), teams: plural(0, "team") }),
        teamless.length ? tr("{learners} without a team ({names}) can still join one.", { learners: plural(teamless.length, "learner"), names: teamless.map((l) => l.name).join(", ") }) : null,
        tr("From now on teams are fixed while a round runs, unless you allow team changes."),
        sizes.length ? h("p", { class: "alert warning" }, tr("Outside the team size: {problems}.", { problems: sizes.join("; ") })) : null,
      ],
      confirm: tr("Start round 1"),
    };
  }
  if (cmd === "advance") {
    const index = pub.round.index;
    const open = notSubmitted();
    const next = rounds[index + 1];
    return {
      title: next ? tr("Close “{name}” and open round {n}?", { name: rounds[index].name, n: index + 2 }) : tr("Close “{name}” and start the debrief?", { name: rounds[index].name }),
      body: [
        open.length ? tr("{teams} have not submitted: {names}. Their drafts are submitted as they stand now.", { teams: plural(open.length, "team"), names: names(open) }) : tr("Every team has submitted."),
        next ? tr("Round {n}, “{name}”, opens for {minutes} minutes for every team.", { n: index + 2, name: next.name, minutes: roundMinutes(next) })
          : tr("The debrief starts: each team's outcome is computed and shown to it, with the real causes."),
      ],
      confirm: next ? tr("Open round {n}", { n: index + 2 }) : tr("Start the debrief"),
    };
  }
  if (cmd === "end_session") {
    return {
      title: tr("End the session for everyone?"),
      body: [
        tr("{learners} in {teams} can no longer act: no more edits, chat or submissions.", { learners: plural(learners.length, "learner"), teams: plural(app.board.teams.length, "team") }),
        pub.phase === "round" ? tr("The round in progress is not scored and no debrief is computed.") : tr("The debrief stays visible to the teams."),
        tr("This cannot be undone."),
      ],
      confirm: tr("End the session"),
    };
  }
  return null;
}

byId("controls").addEventListener("click", async (event) => {
  const button = event.target.closest("[data-cmd]");
  if (!button) return;
  const cmd = button.dataset.cmd;
  const ask = confirmation(cmd);
  if (ask && !(await confirmAction(ask))) return;
  const data = cmd === "extend" ? { minutes: Math.round(Number(byId("extend-minutes").value) || 0) } : {};
  button.disabled = true;
  await act(cmd, data);
  if (app.board) renderHeader();
});

// Learners may change team in the lobby; during rounds only while the facilitator allows it.
byId("allow-team-changes").addEventListener("change", async (event) => {
  const box = event.currentTarget;
  const wanted = box.checked;
  box.disabled = true;
  box.dataset.pending = "1";
  try {
    const ack = await act("allow_team_changes", { allowed: wanted }, wanted ? tr("Learners may change team now.") : tr("Team changes are closed during rounds."));
    if (!ack.ok) box.checked = !wanted;
  } finally {
    delete box.dataset.pending;
    box.disabled = false;
  }
});

startCountdown(() => app.board && app.board.public, serverClock, byId("countdown"), byId("countdown-value"));

// --- live board -----------------------------------------------------------------------------------

function onlineSet() {
  return new Set(app.board.online);
}

function renderBoard() {
  const online = onlineSet();
  const pub = app.board.public;
  const cur = app.scenario.economics.currency;
  const progress = new Map(app.board.progress.map((p) => [p.team, p]));
  if (!app.board.teams.length) {
    fill(byId("board"), h("p", { class: "empty card" }, tr("No teams yet. Learners create or join teams from the join page; you can also create teams in “Teams & learners”.")));
    return;
  }
  fill(byId("board"), app.board.teams.map((t) => {
    const p = progress.get(t.id) || {};
    const submitted = p.submitted;
    const status = pub.phase !== "round" ? null
      : submitted ? h("span", { class: "badge ok" }, tr("✓ Submitted"))
        : p.autoSubmitted ? h("span", { class: "badge warn" }, tr("⏱ Closed: submitted as it stood"))
        : p.frozen === "locked" ? h("span", { class: "badge bad" }, tr("Locked: time up"))
          : h("span", { class: "badge warn" }, tr("Working"));
    return h("article", { class: "card team-card", "data-team": t.id, "aria-current": app.selectedTeam === t.id ? "true" : null },
      h("div", { class: "card-header" }, h("h3", { class: "break" }, t.name), h("span", { class: "row" }, t.locked ? h("span", { class: "badge" }, tr("🔒 Locked")) : null, sizeBadge(t), status)),
      h("ul", { class: "list members" }, t.members.length ? t.members.map((m) => h("li", {},
        h("span", { class: `dot ${online.has(m.learnerId) ? "on" : ""}`, "aria-hidden": "true" }),
        h("span", { class: "break" }, m.name), h("span", { class: "muted" }, online.has(m.learnerId) ? tr("online") : tr("away"))))
        : h("li", { class: "empty" }, tr("No members"))),
      h("div", { class: "stats" },
        h("span", { class: "muted" }, tr("Draft")), h("span", { "data-stat": "completeness" }, p.completeness === null || p.completeness === undefined ? "–" : tr("{share} complete", { share: pct(p.completeness / 100) })),
        h("span", { class: "muted" }, tr("Diagnostics")), h("span", { "data-stat": "diagnostics" }, tr("{count} run", { count: p.diagnosticsRun || 0 })),
        h("span", { class: "muted" }, tr("Spent")), h("span", { "data-stat": "spent" }, p.budgetSpent ? `${money(p.budgetSpent.cash, cur)} · ${tr("{count} pt", { count: p.budgetSpent.points })} · ${tr("{count} d", { count: p.budgetSpent.days })}` : "–"),
        h("span", { class: "muted" }, tr("Submitted")), h("span", { "data-stat": "submitted" }, pub.phase === "round" ? (submitted ? tr("yes") : p.autoSubmitted ? tr("closed as it stood") : tr("not yet")) : "–"),
        Array.isArray(p.ready) && pub.phase === "round" ? [h("span", { class: "muted" }, tr("Ready")), h("span", { "data-stat": "ready" }, tr("{n} of {count}", { n: p.ready.length, count: t.members.length }))] : null),
      h("div", { class: "row" },
        h("button", { type: "button", class: "small", "aria-label": tr("Details of team {name}", { name: t.name }), onclick: () => { app.selectedTeam = t.id; render(); byId("detail-h").focus(); } }, tr("Details")),
        h("button", { type: "button", class: "small", "aria-label": tr("Score team {name}", { name: t.name }), onclick: () => { app.scoreTeam = t.id; tabs.select("scoring"); } }, tr("Score"))));
  }));
}

function sizeBadge(team) {
  const size = teamSize();
  if (!size) return null;
  const n = team.members.length;
  if (n < size.min) return h("span", { class: "badge warn", "data-size": "low" }, tr("⚠ {n} of at least {min}", { n, min: size.min }));
  if (n > size.max) return h("span", { class: "badge warn", "data-size": "high" }, tr("⚠ {n}, over {max}", { n, max: size.max }));
  return null;
}

function renderDetail() {
  const t = app.selectedTeam ? teamById(app.selectedTeam) : null;
  const box = byId("detail-body");
  byId("detail-h").tabIndex = -1;
  if (!t) {
    byId("detail-h").textContent = tr("Team detail");
    fill(box, h("p", { class: "empty" }, tr("Choose “Details” on a team to see its full state.")));
    return;
  }
  byId("detail-h").textContent = tr("Team {name}", { name: t.name });
  const cur = app.scenario.economics.currency;
  const truth = new Map(app.board.answerKey.map((c) => [c.id, c]));
  const pub = app.board.public;
  const round = currentRound();
  const reopenable = app.scenario.rounds.filter((r, i) => pub.round && i <= pub.round.index && t.submissions[r.id]);
  const lockedRound = round && pub.round && pub.round.locked;
  const parts = [
    h("div", { class: "row" },
      h("button", { type: "button", class: "small", onclick: () => act("lock_team", { team: t.id, locked: !t.locked }) }, t.locked ? tr("Unlock team") : tr("Lock team")),
      reopenControl(t, reopenable, lockedRound && !t.submissions[round.id] ? round : null)),
    h("h3", {}, tr("Budget")),
    h("p", { class: "small" }, tr("Cash left {cash} of {cashTotal} · {points} of {pointsTotal} points · {days} of {daysTotal} days", { cash: money(t.budget.left.cash, cur), cashTotal: money(t.budget.granted.cash, cur), points: num(t.budget.left.points, 0), pointsTotal: num(t.budget.granted.points, 0), days: num(t.budget.left.days, 0), daysTotal: num(t.budget.granted.days, 0) }) + (t.budget.granted.analysis ? tr(" · analysis cash {cash} of {cashTotal}", { cash: money(t.budget.left.analysis || 0, cur), cashTotal: money(t.budget.granted.analysis, cur) }) : "")),
    h("h3", {}, tr("Diagnostics ({count})", { count: t.diagnostics.length })),
    h("ul", { class: "list small" }, t.diagnostics.length ? t.diagnostics.map((d) => h("li", {}, h("strong", {}, d.name), tr(" · {method} · by {name} at {time}", { method: methodLabel(d.method), name: d.ranBy.name, time: timeOfDay(d.at) }))) : h("li", { class: "empty" }, tr("None yet"))),
    h("h3", {}, tr("Causes declared")),
    h("ul", { class: "list small" }, t.causes.length ? t.causes.map((c) => {
      const key = truth.get(c.cause);
      return h("li", {}, h("strong", {}, c.label), tr(" in {cell} · {share} sure · ", { cell: cellLabel(c.cell), share: pct(c.confidence) }),
        key ? h("span", { class: `badge ${key.truth === "false" ? "bad" : "ok"}` }, TRUTH_LABELS[key.truth]) : null,
        key && key.cell !== c.cell ? h("span", { class: "muted" }, tr(" (correct cell: {cell})", { cell: cellLabel(key.cell) })) : null);
    }) : h("li", { class: "empty" }, tr("None yet"))),
    t.ruledOut.length ? h("p", { class: "small" }, tr("Ruled out: "), t.ruledOut.map((id) => (app.ix.causes[id] || { label: id }).label).join("; ")) : null,
    h("h3", {}, tr("Interventions")),
    h("ul", { class: "list small" }, t.interventions.length ? t.interventions.map((i) => h("li", {}, h("strong", {}, i.name), tr(" from week {week} · {cost}", { week: i.startWeek, cost: money(i.cost, cur) }))) : h("li", { class: "empty" }, tr("None yet"))),
    // Format v2: pilots the team ran and what stakeholders said about its choices.
    (t.pilots || []).length ? h("h3", {}, tr("Pilots ({count})", { count: t.pilots.length })) : null,
    (t.pilots || []).length ? h("ul", { class: "list small", "data-detail": "pilots" }, t.pilots.map((p) => h("li", { class: "pre" }, p.report, h("span", { class: "muted" }, tr(" · by {name} at {time}", { name: p.ranBy.name || tr("a teammate"), time: timeOfDay(p.at) }))))) : null,
    (t.reactions || []).length ? h("h3", {}, tr("Reactions heard")) : null,
    (t.reactions || []).length ? h("ul", { class: "list small", "data-detail": "reactions" }, t.reactions.map((r) => h("li", {}, h("strong", {}, (app.ix.stakeholders[r.stakeholder] || { name: r.stakeholder }).name), tr(" on {intervention}: “{text}”", { intervention: (app.scenario.interventions.find((i) => i.id === r.intervention) || { name: r.intervention }).name, text: r.text })))) : null,
    h("h3", {}, tr("Metrics")),
    h("ul", { class: "list small" }, t.metrics.length ? t.metrics.map((m) => h("li", {}, h("strong", {}, m.name), tr(" · {level} · target {target}", { level: levelLabel((app.ix.metrics[m.metric] || {}).level), target: m.target === null ? tr("none") : num(m.target, 2) }))) : h("li", { class: "empty" }, tr("None yet"))),
    h("p", { class: "small" }, tr("Isolation method: "), t.isolation ? (app.ix.isolation[t.isolation] || { name: t.isolation }).name : tr("not chosen")),
    h("h3", {}, tr("Texts")),
    Object.keys(t.texts).length ? h("dl", { class: "stacked small" }, Object.entries(t.texts).flatMap(([k, v]) => [h("dt", {}, fieldLabel(k)), h("dd", { class: "pre break" }, v)])) : h("p", { class: "empty small" }, tr("Nothing written yet.")),
    h("h3", {}, tr("Inject responses")),
    t.injects.length ? h("ul", { class: "list small" }, t.injects.map((i) => h("li", {}, h("strong", {}, i.title), ": ", i.response ? h("span", { class: "pre" }, i.response) : h("span", { class: "muted" }, tr("no response yet"))))) : h("p", { class: "empty small" }, tr("No injects received.")),
    h("h3", {}, tr("Stakeholder stances")),
    h("ul", { class: "list small" }, t.stances.map((s) => h("li", {}, s.name, ": ", (STANCES[String(s.stance)] || STANCES["0"]).label))),
    h("h3", {}, tr("Team chat ({count})", { count: t.chatCount })),
    h("div", { class: "chat-log small" }, t.chat.length ? t.chat.slice(-30).map((m) => h("div", { class: "chat-line" }, h("span", { class: "who" }, m.name), m.text)) : h("p", { class: "empty" }, tr("No messages."))),
  ];
  fill(box, parts);
}

function reopenControl(team, submittedRounds, lockedRound) {
  const rounds = lockedRound ? [...submittedRounds, lockedRound] : submittedRounds;
  if (!rounds.length) return null;
  // The current round first in mind: it is the one a team usually asks to reopen.
  const current = currentRound();
  const preferred = rounds.find((r) => current && r.id === current.id) || rounds[rounds.length - 1];
  const select = h("select", { class: "inline", "aria-label": tr("Round to reopen for {name}", { name: team.name }) },
    rounds.map((r) => h("option", { value: r.id, selected: r.id === preferred.id }, r.name)));
  const reopen = async () => {
    const round = app.ix.rounds[select.value];
    const submission = team.submissions[round.id];
    const members = team.members.map((m) => m.name).join(", ") || tr("nobody yet");
    const ok = await confirmAction({
      title: tr("Reopen “{round}” for {team}?", { round: round.name, team: team.name }),
      body: [
        tr("{team} ({members}) can edit “{round}” again and must submit it again.", { team: team.name, members, round: round.name }),
        submission ? (submission.auto ? tr("Its submission (closed automatically) from {time} stays until then; a saved score is not changed.", { time: timeOfDay(submission.at) }) : tr("Its submission from {time} stays until then; a saved score is not changed.", { time: timeOfDay(submission.at) })) : tr("Time ran out on this round; the team gets it back."),
        tr("Other teams are not affected."),
      ],
      confirm: tr("Reopen for this team"),
    });
    if (ok) await act("reopen_round", { team: team.id, round: round.id }, tr("Reopened for the team."));
  };
  return h("span", { class: "row" }, select,
    h("button", { type: "button", class: "small", "aria-label": tr("Reopen round for {name}", { name: team.name }), onclick: reopen }, tr("Reopen round")));
}

function fieldLabel(fieldId) {
  for (const round of app.scenario.rounds) {
    const found = round.deliverable.find((f) => f.id === fieldId);
    if (found) return found.label;
  }
  return fieldId;
}

// --- teams and learners ---------------------------------------------------------------------------

const pendingMoves = new Map();

function renderRoster() {
  const teams = app.board.teams;
  const online = onlineSet();
  const options = (selected) => (selected ? [] : [h("option", { value: "", disabled: true, selected: true }, tr("Not in a team"))]).concat(
    teams.map((t) => h("option", { value: t.id, selected: t.id === selected }, t.name)));
  fill(byId("roster"),
    h("h2", {}, tr("Learners")),
    app.board.learners.length ? h("div", { class: "table-wrap" }, h("table", {},
      h("thead", {}, h("tr", {}, [tr("Name"), tr("Status"), tr("Team"), ""].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, app.board.learners.map((l) => {
        // A choice not yet sent survives the board updates that rebuild this table.
        const select = h("select", { class: "inline", "aria-label": tr("Team of {name}", { name: l.name }), "data-focus-key": `move-${l.learnerId}`,
          onchange: (e) => pendingMoves.set(l.learnerId, e.target.value) }, options(pendingMoves.get(l.learnerId) || l.team));
        return h("tr", { "data-learner": l.learnerId },
          h("td", { class: "break" }, l.name),
          h("td", {}, h("span", { class: `dot ${online.has(l.learnerId) ? "on" : ""}`, "aria-hidden": "true" }), " ", online.has(l.learnerId) ? tr("online") : tr("away")),
          h("td", {}, select),
          h("td", {}, h("button", { type: "button", class: "small", onclick: () => {
            if (!select.value) return toast(tr("Choose a team first."), "error");
            pendingMoves.delete(l.learnerId);
            return act("move_learner", { learner: l.learnerId, team: select.value }, tr("Moved {name}.", { name: l.name }));
          }, "aria-label": tr("Move {name} to the chosen team", { name: l.name }) }, tr("Move")),
          " ",
          h("a", { class: "small", href: `/facilitator/sessions/${encodeURIComponent(sessionId)}/learners/${encodeURIComponent(l.learnerId)}/data`,
            "aria-label": tr("Personal data of {name}: export or erase", { name: l.name }) }, tr("Data"))));
      })))) : h("p", { class: "empty" }, tr("Nobody has joined yet.")),
    h("h2", {}, tr("Teams")),
    h("ul", { class: "list" }, teams.length ? teams.map((t) => h("li", { class: "row spread" },
      h("span", { class: "break" }, h("strong", {}, t.name), ` · ${plural(t.members.length, "member")}`, t.locked ? tr(" · locked") : ""),
      h("button", { type: "button", class: "small", "aria-label": t.locked ? tr("Unlock team {name}", { name: t.name }) : tr("Lock team {name}", { name: t.name }), onclick: () => act("lock_team", { team: t.id, locked: !t.locked }) }, t.locked ? tr("Unlock") : tr("Lock")))) : h("li", { class: "empty" }, tr("No teams yet."))),
    teams.length ? h("div", { class: "row" },
      h("button", { type: "button", class: "small", onclick: () => Promise.all(teams.filter((t) => !t.locked).map((t) => act("lock_team", { team: t.id, locked: true }))) }, tr("Lock all teams")),
      h("button", { type: "button", class: "small", onclick: () => Promise.all(teams.filter((t) => t.locked).map((t) => act("lock_team", { team: t.id, locked: false }))) }, tr("Unlock all"))) : null);
}

byId("fac-create-team").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = byId("fac-team-name");
  const name = input.value.trim();
  if (!name) return toast(tr("Give the team a name."), "error");
  const ack = await act("create_team", { name }, tr("Team {name} created.", { name }));
  if (ack.ok) input.value = "";
  return ack;
});

// --- injects --------------------------------------------------------------------------------------

const injectPicks = new Map(); // unsent "send to" choices, kept across board updates

function renderInjects() {
  const pub = app.board.public;
  const teams = app.board.teams;
  const box = byId("inject-list");
  fill(box, app.board.injects.map((inj) => {
    const round = app.ix.rounds[inj.round];
    const checks = teams.map((t) => h("label", { class: "row small" },
      h("input", { type: "checkbox", value: t.id, "data-inject-team": inj.id,
        checked: injectPicks.has(`${inj.id}:${t.id}`) ? injectPicks.get(`${inj.id}:${t.id}`) : !inj.firedOn.includes(t.id),
        onchange: (e) => injectPicks.set(`${inj.id}:${t.id}`, e.target.checked) }), t.name,
      inj.firedOn.includes(t.id) ? h("span", { class: "badge ok" }, tr("✓ received")) : null));
    const responses = teams.filter((t) => inj.firedOn.includes(t.id)).map((t) => {
      const got = t.injects.find((i) => i.inject === inj.id);
      return h("li", {}, h("strong", {}, t.name), ": ", got && got.response ? h("span", { class: "pre" }, got.response) : h("span", { class: "muted" }, tr("no response yet")));
    });
    const sender = app.ix.stakeholders[inj.sender] ? app.ix.stakeholders[inj.sender].name : inj.sender;
    return h("article", { class: "card", "data-inject": inj.id },
      h("div", { class: "card-header" }, h("h3", {}, inj.title),
        h("span", { class: "row" }, h("span", { class: "badge" }, round ? round.name : inj.round), h("span", { class: "badge" }, inj.trigger === "auto" ? tr("Automatic: {when}", { when: inj.when ? conditionLabel(inj.when.type) : "" }) : tr("Manual")))),
      h("p", { class: "small muted" }, tr("From {sender} · {channel}", { sender, channel: inj.channel })),
      h("p", { class: "pre" }, inj.text),
      h("div", { class: "alert info" }, h("strong", {}, tr("Expected response (facilitator only)")), h("span", { class: "pre" }, inj.expectedResponse)),
      teams.length ? h("fieldset", {}, h("legend", {}, tr("Send to")), checks) : h("p", { class: "empty" }, tr("No teams yet.")),
      h("div", { class: "row" }, h("button", {
        type: "button", class: "primary", disabled: pub.phase !== "round" || !teams.length, "aria-label": tr("Fire inject “{title}”", { title: inj.title }),
        onclick: () => {
          const chosen = [...box.querySelectorAll(`[data-inject-team="${CSS.escape(inj.id)}"]:checked`)].map((c) => c.value);
          if (!chosen.length) return toast(tr("Choose at least one team."), "error");
          for (const t of teams) injectPicks.delete(`${inj.id}:${t.id}`);
          return act("fire_inject", { inject: inj.id, teams: chosen }, tr("Sent “{title}”.", { title: inj.title }));
        },
      }, tr("Fire inject")), pub.phase !== "round" ? h("span", { class: "small muted" }, tr("Injects can be fired while a round runs.")) : null),
      responses.length ? [h("h4", {}, tr("Responses")), h("ul", { class: "list small" }, responses)] : null);
  }));
}

// --- scoring --------------------------------------------------------------------------------------

const previews = new Map();

async function loadPreview(teamId, roundId) {
  const key = `${teamId}:${roundId}`;
  try {
    const response = await fetch(`/facilitator/sessions/${encodeURIComponent(sessionId)}/score-preview?team=${encodeURIComponent(teamId)}&round=${encodeURIComponent(roundId)}`, { credentials: "same-origin", cache: "no-store" });
    if (response.ok) previews.set(key, await response.json());
  } catch {
    // Offline: the form still works; the automatic points appear after saving.
  }
  renderScoring();
}

function scoringRounds() {
  const pub = app.board.public;
  if (!pub.round) return [];
  return app.scenario.rounds.slice(0, pub.round.index + 1);
}

// While the facilitator edits a score, board updates (learners keep working) rebuild the form;
// the edits made since the last save are captured and put back.
let scoreDirty = null;
byId("score-form").addEventListener("input", () => { scoreDirty = `${app.scoreTeam}:${app.scoreRound}`; });
byId("score-form").addEventListener("change", () => { scoreDirty = `${app.scoreTeam}:${app.scoreRound}`; });

function captureScoreForm() {
  const form = byId("score-form");
  return {
    radios: [...form.querySelectorAll("input[type=radio]:checked")].map((r) => [r.name, r.value]),
    fields: [...form.querySelectorAll("input[data-override-points], input[data-override-reason], textarea")].map((f) => [f.id, f.value]),
    open: [...form.querySelectorAll("details[open]")].map((d) => d.closest("[data-component]").dataset.component),
  };
}

function restoreScoreForm(saved) {
  const form = byId("score-form");
  for (const [name, value] of saved.radios) {
    const radio = form.querySelector(`input[name="${CSS.escape(name)}"][value="${CSS.escape(value)}"]`);
    if (radio) radio.checked = true;
  }
  for (const [id, value] of saved.fields) {
    const field = document.getElementById(id);
    if (field) field.value = value;
  }
  for (const component of saved.open) {
    const details = form.querySelector(`[data-component="${CSS.escape(component)}"] details`);
    if (details) details.open = true;
  }
}

function renderScoring() {
  const keep = scoreDirty && scoreDirty === `${app.scoreTeam}:${app.scoreRound}` ? captureScoreForm() : null;
  const teams = app.board.teams;
  const rounds = scoringRounds();
  const teamSelect = byId("score-team");
  const roundSelect = byId("score-round");
  if (!app.scoreTeam || !teamById(app.scoreTeam)) app.scoreTeam = teams.length ? teams[0].id : null;
  if (!app.scoreRound || !rounds.find((r) => r.id === app.scoreRound)) app.scoreRound = rounds.length ? rounds[rounds.length - 1].id : null;
  fill(teamSelect, teams.map((t) => h("option", { value: t.id, selected: t.id === app.scoreTeam }, t.name)));
  fill(roundSelect, rounds.map((r) => h("option", { value: r.id, selected: r.id === app.scoreRound }, r.name)));
  const form = byId("score-form");
  if (!app.scoreTeam || !app.scoreRound) {
    fill(form, h("p", { class: "empty" }, tr("Scoring opens once the first round has started and teams exist.")));
    renderPublish(rounds);
    return;
  }
  const team = teamById(app.scoreTeam);
  const round = app.ix.rounds[app.scoreRound];
  const stored = team.scores[round.id];
  const preview = previews.get(`${team.id}:${round.id}`);
  if (!stored && !preview) loadPreview(team.id, round.id);
  const source = stored || preview || { components: {} };
  const components = app.scenario.rubric.filter((c) => c.round === round.id);
  const submitted = team.submissions[round.id];
  const fields = components.map((c) => {
    const entry = source.components[c.id] || {};
    const levelId = `lvl-${c.id}`;
    const levelInputs = c.kind === "facilitator" ? h("fieldset", { class: "level-options" },
      h("legend", {}, tr("Level")),
      c.levels.map((lv) => h("label", {},
        h("input", { type: "radio", name: levelId, value: lv.level, checked: stored && stored.components[c.id] && stored.components[c.id].level === lv.level }),
        h("span", {}, h("strong", {}, `${lv.level} `), lv.descriptor)))) : null;
    const override = entry.override || null;
    const overrideId = `ovr-${c.id}`;
    // Format v2: a component judged on a pitch's Q&A takes the facilitator's notes.
    const storedNotes = stored && stored.components[c.id] ? stored.components[c.id].notes || "" : "";
    const qaNotes = c.qa ? h("div", { class: "field" },
      h("label", { for: `qa-${c.id}` }, tr("Q&A notes (questions asked, how the team answered; the team reads them)")),
      h("textarea", { id: `qa-${c.id}`, "data-qa-notes": c.id, maxlength: LIMITS.commentMax, value: storedNotes })) : null;
    return h("section", { class: "component", "data-component": c.id },
      h("div", { class: "row spread" }, h("h3", {}, c.name, " ", h("span", { class: "badge" }, c.kind === "auto" ? tr("Automatic") : tr("Facilitator"))),
        h("span", { class: "num" }, c.kind === "auto" ? `${entry.points === undefined ? "–" : num(entry.points)} / ${num(c.weight)}` : tr("weight {weight}", { weight: num(c.weight) }))),
      c.description ? h("p", { class: "small muted" }, c.description) : null,
      c.kind === "auto" ? h("p", { class: "small pre" }, entry.explanation ? explanationText(entry.explanation) : tr("Computed when you save the score.")) : levelInputs,
      qaNotes,
      h("details", { open: Boolean(override) },
        h("summary", { class: "small" }, tr("Override the points")),
        h("div", { class: "row" },
          h("label", { for: `${overrideId}-pts`, class: "small" }, tr("Points")),
          h("input", { type: "number", id: `${overrideId}-pts`, "data-override-points": c.id, min: 0, max: Math.min(c.weight, LIMITS.overrideMax), step: "0.5", class: "inline", value: override ? override.points : "" }),
          h("label", { for: `${overrideId}-why`, class: "small" }, tr("Reason")),
          h("input", { type: "text", id: `${overrideId}-why`, "data-override-reason": c.id, maxlength: LIMITS.reasonMax, value: override ? override.reason : "" }))));
  });
  const pitch = round.presentation;
  fill(form,
    h("h2", {}, `${team.name} · ${round.name}`),
    pitch ? h("p", { class: "alert info", "data-presentation": "" }, h("strong", {}, tr("Pitch round: ")),
      tr("{pitch} min pitch, then {qa} min of questions per team.", { pitch: pitch.pitchMinutes, qa: pitch.qaMinutes }), pitch.brief ? ` ${pitch.brief}` : "") : null,
    h("p", { class: "small muted" }, submitted ? (submitted.auto ? tr("Submitted at {time} (automatically).", { time: timeOfDay(submitted.at) }) : tr("Submitted at {time}.", { time: timeOfDay(submitted.at) })) : tr("Not submitted: the live draft is scored."),
      stored ? tr(" Saved score: {total} / {max}.", { total: num(stored.total), max: num(stored.max) }) : ""),
    fields,
    h("div", { class: "field" }, h("label", { for: "score-comment" }, tr("Comment to the team")),
      h("textarea", { id: "score-comment", maxlength: LIMITS.commentMax, value: stored ? stored.comment : "" })),
    h("button", { type: "button", class: "primary", id: "save-score", onclick: () => saveScore(team, round, components) }, stored ? tr("Save changes") : tr("Save score")));
  fill(byId("score-preview"), stored ? scoreCard(round, stored) : h("p", { class: "empty" }, tr("Save a score to preview it.")));
  byId("score-comment").value = stored ? stored.comment : "";
  for (const area of form.querySelectorAll("textarea[data-qa-notes]")) {
    const entry = stored && stored.components[area.dataset.qaNotes];
    area.value = entry ? entry.notes || "" : "";
  }
  if (keep) restoreScoreForm(keep);
  renderPublish(rounds);
}

async function saveScore(team, round, components) {
  const levels = {};
  const overrides = {};
  for (const c of components) {
    if (c.kind === "facilitator") {
      const picked = document.querySelector(`input[name="lvl-${CSS.escape(c.id)}"]:checked`);
      if (picked) levels[c.id] = Number(picked.value);
    }
    const pts = document.querySelector(`[data-override-points="${CSS.escape(c.id)}"]`).value;
    const why = document.querySelector(`[data-override-reason="${CSS.escape(c.id)}"]`).value.trim();
    if (pts !== "") overrides[c.id] = { points: Number(pts), reason: why };
  }
  const comment = byId("score-comment").value;
  const notes = {};
  for (const area of document.querySelectorAll("#score-form textarea[data-qa-notes]")) {
    if (area.value.trim()) notes[area.dataset.qaNotes] = area.value;
  }
  const ack = await act("score_round", { team: team.id, round: round.id, levels, comment, overrides, notes });
  if (ack.ok) {
    scoreDirty = null;
    toast(tr("Saved: {total} of {max} points.", { total: num(ack.total), max: num(ack.max) }));
  }
  return ack;
}

function renderPublish(rounds) {
  const published = new Set(app.board.public.publishedRounds);
  const teams = app.board.teams;
  if (!rounds.length) {
    fill(byId("publish-area"), h("p", { class: "empty" }, tr("No round has been played yet.")));
    return;
  }
  const unscored = (r) => teams.filter((t) => !t.scores[r.id]);
  const scoredRounds = rounds.filter((r) => unscored(r).length < teams.length);
  // One publish path for one round or all: it names every team that would see no score.
  const publish = async (chosen) => {
    const missing = chosen.map((r) => [r, unscored(r)]).filter(([, left]) => left.length);
    if (missing.length) {
      const ok = await confirmAction({
        title: chosen.length > 1 ? tr("Publish {rounds} with teams unscored?", { rounds: plural(chosen.length, "round") }) : tr("Publish “{name}” with teams unscored?", { name: chosen[0].name }),
        body: [
          h("ul", { class: "list" }, missing.map(([r, left]) => h("li", { "data-unscored": r.id }, tr("{round}: {teams} not scored yet", { round: r.name, teams: names(left) })))),
          tr("The scored teams see their points; an unscored team sees nothing for that round until you score it and publish again. The leaderboard counts published points only."),
        ],
        confirm: tr("Publish anyway"),
      });
      if (!ok) return;
    }
    for (const r of chosen) await act("publish_scores", { round: r.id }, tr("Published “{name}”.", { name: r.name }));
  };
  fill(byId("publish-area"), h("table", {},
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, tr("Round")), h("th", { scope: "col" }, tr("Scored")), h("th", { scope: "col" }, tr("Status")), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, tr("Action"))))),
    h("tbody", {}, rounds.map((r) => {
      const scored = teams.length - unscored(r).length;
      return h("tr", { "data-publish-round": r.id },
        h("td", {}, r.name),
        h("td", { class: "nowrap" }, tr("{scored}/{count} scored", { scored, count: teams.length })),
        h("td", {}, published.has(r.id) ? h("span", { class: "badge ok" }, tr("✓ Published")) : h("span", { class: "badge" }, tr("Not published"))),
        h("td", {}, h("button", { type: "button", class: "small", "data-publish": r.id, disabled: scored === 0, title: scored === 0 ? tr("Score a team first") : null, "aria-label": tr("Publish scores of {name}", { name: r.name }), onclick: () => publish([r]) }, published.has(r.id) ? tr("Publish again") : tr("Publish"))));
    }))),
  h("button", { type: "button", id: "publish-all", disabled: !scoredRounds.length, onclick: () => publish(scoredRounds) }, tr("Publish all scored rounds")));
}

byId("score-team").addEventListener("change", (e) => { app.scoreTeam = e.target.value; scoreDirty = null; renderScoring(); });
byId("score-round").addEventListener("change", (e) => { app.scoreRound = e.target.value; scoreDirty = null; renderScoring(); });

// --- debrief --------------------------------------------------------------------------------------

function renderDebrief() {
  const box = byId("debrief-body");
  const pub = app.board.public;
  if (pub.phase !== "debrief" && pub.phase !== "closed") {
    fill(box, h("p", { class: "empty card" }, tr("The debrief opens after the last round; advance to start it.")));
    return;
  }
  const teams = app.board.teams.filter((t) => t.outcome);
  const cur = app.scenario.economics.currency;
  const real = app.board.answerKey.filter((c) => c.truth !== "false");
  const expert = app.board.expertPlan;
  const expertOutcome = teams.length ? teams[0].outcome : null;
  const ivNames = (items) => items.map((i) => (app.ix.interventions[i.id || i.intervention] || { name: i.id }).name).join("; ") || tr("none");
  const mNames = (items) => items.map((m) => (app.ix.metrics[m.id || m.metric] || { name: m.id }).name).join("; ") || tr("none");
  const found = (plan) => real.filter((c) => plan.causes.some((x) => x.cause === c.id)).length;
  const falseOnes = (plan) => plan.causes.filter((x) => (app.board.answerKey.find((c) => c.id === x.cause) || {}).truth === "false").length;
  const columns = [{ name: tr("Expert plan"), plan: expert, outcome: expertOutcome ? { cost: expertOutcome.expertCost, roi: expertOutcome.expertRoi, reportedRoi: null } : null }]
    .concat(teams.map((t) => ({ name: t.name, plan: t.plan, outcome: t.outcome })));
  const table = h("div", { class: "table-wrap" }, h("table", { "data-debrief": "compare", class: "compare-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, tr("Measure"))), columns.map((c) => h("th", { scope: "col", class: "break" }, c.name)))),
    h("tbody", {},
      h("tr", {}, h("th", { scope: "row" }, tr("Real causes found (of {count})", { count: real.length })), columns.map((c) => h("td", {}, String(found(c.plan))))),
      h("tr", {}, h("th", { scope: "row" }, tr("False causes declared")), columns.map((c) => h("td", {}, String(falseOnes(c.plan))))),
      h("tr", {}, h("th", { scope: "row" }, tr("Interventions")), columns.map((c) => h("td", { class: "small" }, ivNames(c.plan.interventions)))),
      h("tr", {}, h("th", { scope: "row" }, tr("Metrics")), columns.map((c) => h("td", { class: "small" }, mNames(c.plan.metrics)))),
      h("tr", {}, h("th", { scope: "row" }, tr("Isolation")), columns.map((c) => h("td", { class: "small" }, c.plan.isolation ? (app.ix.isolation[c.plan.isolation] || { name: c.plan.isolation }).name : tr("none")))),
      h("tr", {}, h("th", { scope: "row" }, tr("Cost")), columns.map((c) => h("td", { class: "num" }, c.outcome ? money(c.outcome.cost, cur) : "–"))),
      h("tr", {}, h("th", { scope: "row" }, tr("True ROI")), columns.map((c) => h("td", { class: "num" }, c.outcome && c.outcome.roi !== null ? pct(c.outcome.roi) : "–"))),
      h("tr", {}, h("th", { scope: "row" }, tr("Reported ROI")), columns.map((c) => h("td", { class: "num" }, c.outcome && c.outcome.reportedRoi !== null && c.outcome.reportedRoi !== undefined ? pct(c.outcome.reportedRoi) : "–"))))));
  // One chart per KPI with every team overlaid (the stage draws the same ones), then ROI.
  const index = new Map(app.board.teams.map((t, i) => [t.id, i]));
  const charts = teams.length ? h("div", { class: "charts" }, app.scenario.kpis.map((k) => kpiChart({
    title: k.name, unit: k.unit, target: k.target,
    series: teams.map((t) => ({ label: t.name, cls: "team", index: index.get(t.id), values: t.outcome.plan.kpis[k.id] }))
      .concat([
        { label: tr("Doing nothing"), cls: "nothing", values: expertOutcome.nothing.kpis[k.id] },
        { label: tr("Expert plan"), cls: "expert", values: expertOutcome.expert.kpis[k.id] },
      ]),
  })).concat([roiCompareChart({
    title: tr("Return on investment: true and as each team would report it"),
    rows: teams.map((t) => ({ label: t.name, trueRoi: t.outcome.roi, reportedRoi: t.outcome.reportedRoi }))
      .concat([{ label: tr("Expert plan"), trueRoi: expertOutcome.expertRoi, reportedRoi: undefined }]),
  })])) : h("p", { class: "empty" }, tr("Outcomes are computed when the debrief opens."));
  fill(box, h("section", { class: "card stack" }, h("h2", {}, tr("Teams side by side against the expert path")), table,
    h("h3", {}, tr("The real causes")),
    h("ul", { class: "list small" }, app.board.answerKey.map((c) => h("li", {}, h("strong", {}, c.label), tr(" · {truth} · {cell} · {share} of the gap", { truth: TRUTH_LABELS[c.truth], cell: cellLabel(c.cell), share: pct(c.gapShare) }))))),
  h("section", { class: "card stack" }, h("h2", {}, tr("KPI curves by quarter, every team against doing nothing and the expert plan")), charts));
}

// --- wiring -------------------------------------------------------------------------------------

function render() {
  if (!app.board || !app.scenario) return;
  renderHeader();
  if (app.tab === "board") { renderBoard(); renderDetail(); }
  if (app.tab === "teams") renderRoster();
  if (app.tab === "injects") renderInjects();
  if (app.tab === "scoring") renderScoring();
  if (app.tab === "debrief") renderDebrief();
  if (app.tab === "replay") renderReplay();
}

// --- replay: a team's path from the event log ------------------------------------------------------

const replay = { a: { team: null, entries: [], at: null, point: null }, b: { team: null, entries: [], at: null, point: null } };

async function getJson(path) {
  const response = await fetch(`/facilitator/sessions/${encodeURIComponent(sessionId)}${path}`, { credentials: "same-origin", cache: "no-store" }).catch(() => null);
  return response && response.ok ? response.json() : null;
}

async function loadPath(key, teamId) {
  const pane = replay[key];
  pane.team = teamId || null;
  pane.entries = [];
  pane.point = null;
  if (teamId) {
    const body = await getJson(`/teams/${encodeURIComponent(teamId)}/timeline`);
    pane.entries = body ? body.entries : [];
    pane.at = pane.entries.length ? pane.entries.length - 1 : null;
    if (pane.at !== null) await loadPoint(key);
  }
  drawPane(key);
}

async function loadPoint(key) {
  const pane = replay[key];
  const entry = pane.entries[pane.at];
  if (!entry) return;
  pane.point = await getJson(`/teams/${encodeURIComponent(pane.team)}/timeline/${entry.index}`);
  drawPane(key);
}

function drawPane(key) {
  const pane = replay[key];
  const box = byId(`replay-${key}`);
  const teams = app.board.teams;
  const select = h("select", { class: "inline", id: `replay-team-${key}`, "aria-label": key === "a" ? tr("Team to replay") : tr("Team to compare") },
    h("option", { value: "" }, key === "a" ? tr("Choose a team") : tr("No second team")),
    teams.map((t) => h("option", { value: t.id, selected: t.id === pane.team }, t.name)));
  select.addEventListener("change", () => loadPath(key, select.value));
  const parts = [h("div", { class: "row" }, h("label", { for: `replay-team-${key}` }, tr("Team")), select)];
  if (pane.team && !pane.entries.length) parts.push(h("p", { class: "empty" }, tr("Nothing done yet.")));
  if (pane.entries.length) {
    const slider = h("input", { type: "range", id: `replay-at-${key}`, min: 0, max: pane.entries.length - 1, step: 1, value: pane.at, "aria-label": tr("Point in the team's path") });
    slider.addEventListener("input", () => { pane.at = Number(slider.value); drawPane(key); });
    slider.addEventListener("change", () => loadPoint(key));
    const entry = pane.entries[pane.at];
    const round = app.scenario.rounds[entry.round];
    parts.push(h("div", { class: "field" }, h("label", { for: `replay-at-${key}` }, tr("Step {n} of {count}", { n: pane.at + 1, count: pane.entries.length })), slider),
      h("p", { class: "replay-now", "data-replay-step": entry.index }, h("strong", {}, timeOfDay(entry.at) || "–"), " · ", round ? round.name : tr("lobby"), " · ",
        serverText(entry.text)),
      h("ol", { class: "list small replay-list", start: Math.max(1, pane.at - 5) },
        pane.entries.slice(Math.max(0, pane.at - 6), pane.at + 1).map((e) => h("li", { "aria-current": e === entry ? "step" : null },
          `${timeOfDay(e.at)} ${serverText(e.text)}`))));
    const point = pane.point && pane.point.entry.index === entry.index ? pane.point : null;
    if (point) {
      const o = point.outlook;
      parts.push(h("p", { class: "small" }, tr("The plan at this point: {interventions} interventions, {causes} causes declared; cost {cost}, true ROI {roi}.", { interventions: point.entry.plan.interventions.length, causes: point.entry.plan.causes.length, cost: money(o.cost, app.scenario.economics.currency), roi: o.roi === null ? tr("n/a") : pct(o.roi) })),
        h("div", { class: "charts" }, app.scenario.kpis.map((k) => kpiChart({
          title: tr("{kpi}: the plan at step {n}", { kpi: k.name, n: pane.at + 1 }), unit: k.unit, target: k.target,
          series: [
            { label: teamById(pane.team) ? teamById(pane.team).name : tr("Team"), cls: "team", index: key === "a" ? 0 : 1, values: o.plan[k.id] },
            { label: tr("Doing nothing"), cls: "nothing", values: o.nothing[k.id] },
            { label: tr("Expert plan"), cls: "expert", values: o.expert[k.id] },
          ],
        }))));
    } else {
      parts.push(h("p", { class: "small muted" }, tr("Release the slider to see what the plan at this point would do.")));
    }
  }
  fill(box, parts);
}

function renderReplay() {
  // Built once per tab visit; the panes then follow only the facilitator's choices.
  if (!byId("replay-a").childElementCount) drawPane("a");
  if (!byId("replay-b").childElementCount) drawPane("b");
}

function focusSafe(fn) {
  // Do not rebuild a form the facilitator is typing in; the next board update catches up.
  const active = document.activeElement;
  const busy = active && (active.tagName === "TEXTAREA" || (active.tagName === "INPUT" && active.type !== "checkbox" && active.type !== "radio")) && active.closest("#score-form, #fac-create-team");
  if (busy && app.tab === "scoring") { renderHeader(); return; }
  fn();
}

// Boards arrive as what changed since the version held; one that does not follow it means an
// update was missed, and watching again brings the whole board back.
live.on("board_patch", (patch) => {
  if (!patch || watchInFlight) return;
  const merged = mergeBoardPatch(app.board, patch);
  if (!merged) {
    watch();
    return;
  }
  app.board = merged;
  for (const key of [...previews.keys()]) previews.delete(key); // drafts changed: recompute
  focusSafe(render);
});
live.on("public", (pub) => {
  if (app.board) {
    app.board.public = pub;
    renderHeader();
  }
});
live.on("presence", () => {});

// While a watch is on its way, board patches are ignored: the board it answers holds them.
let watchInFlight = false;

async function watch() {
  if (watchInFlight) return;
  watchInFlight = true;
  const ack = await live.request("watch", { sessionId }).catch(() => null).finally(() => { watchInFlight = false; });
  if (!ack) {
    if (live.state === "online") setTimeout(watch, 1000); // unanswered on a socket still up
    return;
  }
  if (ack.code === "session/moved") return live.moveTo(ack); // watch again on the owner
  if (!ack.ok) {
    const box = byId("console-error");
    box.textContent = errorText(ack, tr("Could not open this session."));
    box.hidden = false;
    return;
  }
  byId("console-error").hidden = true;
  app.scenario = ack.scenario;
  app.ix = indexById(ack.scenario);
  app.ix.cells = cellMap(ack.scenario);
  app.board = ack.board;
  render();
}

live.on("connected", watch);
// The server closes a console whose sign-in was revoked (sign-out elsewhere, password change,
// account removed): the sign-in page says so better than an endless "offline".
live.on("status", (state) => {
  if (state === "offline") {
    window.location.assign(`/facilitator?next=${encodeURIComponent(window.location.pathname)}`);
  }
});
live.on("connect_error", (err) => {
  if (String(err && err.message).includes("auth")) {
    window.location.assign(`/facilitator?next=${encodeURIComponent(window.location.pathname)}`);
  }
});

serverClock.sync();
setInterval(() => serverClock.sync(1), 60_000);
