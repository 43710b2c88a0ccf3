// The facilitator console: live board, controls, scoring, injects, teams and the debrief.
// Renders the server's facilitator_view ("board"); every control is a Socket.IO action.

import { Live, ServerClock, bindConnectionBadge } from "./live.js";
import { byId, fill, h, money, num, pct, setupTabs, timeOfDay, toast } from "./dom.js";
import { kpiChart, roiCompareChart } from "./charts.js";
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
  if (!ack.ok) toast(ack.message || "The server refused that.", "error");
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

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
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
      ? `${t.name} has ${plural(t.members.length, "member")}, below the scenario's minimum of ${size.min}`
      : `${t.name} has ${plural(t.members.length, "member")}, above the scenario's maximum of ${size.max}` }));
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
  const phase = pub.phase === "lobby" ? "Lobby: learners are joining"
    : pub.phase === "round" ? `Round ${pub.round.index + 1} of ${pub.roundCount}: ${round.name}${pub.paused ? " · paused" : ""}`
      : pub.phase === "debrief" ? "Debrief" : "Session ended";
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  byId("session-phase").textContent = `${phase} · ${plural(app.board.teams.length, "team")} · ${plural(learners, "learner")} (${online} online)`;
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
  allowChanges.checked = Boolean(pub.teamChangesAllowed);
  allowChanges.disabled = pub.phase === "closed";
  const advance = byId("controls").querySelector('[data-cmd="advance"]');
  advance.textContent = pub.phase === "round" && pub.round.index === pub.roundCount - 1 ? "Advance to debrief" : "Advance to next round";
  // Sizes matter while teams form and work; after the rounds they are history.
  const problems = pub.phase === "lobby" || pub.phase === "round" ? sizeProblems() : [];
  byId("size-warning").hidden = !problems.length;
  fill(byId("size-warning"), problems.length ? [h("strong", {}, `Team size: ${teamSize().min} to ${teamSize().max} members`),
    h("ul", { class: "list small" }, problems.map((p) => h("li", { "data-size-warning": p.team.id }, p.text)))] : []);
  renderStageControls();
}

// --- the stage ------------------------------------------------------------------------------------

const STAGE_LABELS = { lobby: "the lobby", round: "the round", scoring: "scoring progress", debrief: "the debrief", leaderboard: "the leaderboard" };

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
  byId("stage-now").textContent = `Showing ${STAGE_LABELS[stage.mode] || stage.mode}${stage.chosen ? "" : " (follows the session)"}`;
}

byId("stage-controls").addEventListener("click", async (event) => {
  const button = event.target.closest("[data-stage-mode]");
  if (!button) return;
  const mode = button.dataset.stageMode;
  await act("stage_show", { mode }, `The stage shows ${STAGE_LABELS[mode]}.`);
});

byId("copy-stage-link").addEventListener("click", async () => {
  const response = await fetch(`/facilitator/sessions/${encodeURIComponent(sessionId)}/stage-link`, { credentials: "same-origin", cache: "no-store" }).catch(() => null);
  if (!response || !response.ok) return toast("Could not make a stage link; try again.", "error");
  const { url, expiresIn } = await response.json();
  const field = byId("stage-link");
  field.value = url;
  field.hidden = false;
  field.select();
  const minutes = Math.round(expiresIn / 60);
  try {
    await navigator.clipboard.writeText(url);
    toast(`Stage link copied: open it on the projector within ${minutes} minutes.`);
  } catch {
    toast(`Copy the selected link: open it on the projector within ${minutes} minutes.`);
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
      title: "Start the session?",
      body: [
        `Round 1, “${first.name}”, opens for ${roundMinutes(first)} minutes and the clock starts for ${plural(app.board.teams.length, "team")}${app.board.teams.length ? ` (${names(app.board.teams)})` : ""}.`,
        teamless.length ? `${plural(teamless.length, "learner")} without a team (${teamless.map((l) => l.name).join(", ")}) can still join one.` : null,
        "From now on teams are fixed while a round runs, unless you allow team changes.",
        sizes.length ? h("p", { class: "alert warning" }, `Outside the team size: ${sizes.join("; ")}.`) : null,
      ],
      confirm: "Start round 1",
    };
  }
  if (cmd === "advance") {
    const index = pub.round.index;
    const open = notSubmitted();
    const next = rounds[index + 1];
    return {
      title: next ? `Close “${rounds[index].name}” and open round ${index + 2}?` : `Close “${rounds[index].name}” and start the debrief?`,
      body: [
        open.length ? `${plural(open.length, "team")} have not submitted: ${names(open)}. Their drafts are submitted as they stand now.` : "Every team has submitted.",
        next ? `Round ${index + 2}, “${next.name}”, opens for ${roundMinutes(next)} minutes for every team.`
          : "The debrief starts: each team's outcome is computed and shown to it, with the real causes.",
      ],
      confirm: next ? `Open round ${index + 2}` : "Start the debrief",
    };
  }
  if (cmd === "end_session") {
    return {
      title: "End the session for everyone?",
      body: [
        `${plural(learners.length, "learner")} in ${plural(app.board.teams.length, "team")} can no longer act: no more edits, chat or submissions.`,
        pub.phase === "round" ? "The round in progress is not scored and no debrief is computed." : "The debrief stays visible to the teams.",
        "This cannot be undone.",
      ],
      confirm: "End the session",
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
  const ack = await act("allow_team_changes", { allowed: wanted }, wanted ? "Learners may change team now." : "Team changes are closed during rounds.");
  box.disabled = false;
  if (!ack.ok) box.checked = !wanted;
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
    fill(byId("board"), h("p", { class: "empty card" }, "No teams yet. Learners create or join teams from the join page; you can also create teams in “Teams & learners”."));
    return;
  }
  fill(byId("board"), app.board.teams.map((t) => {
    const p = progress.get(t.id) || {};
    const submitted = p.submitted;
    const status = pub.phase !== "round" ? null
      : submitted ? h("span", { class: "badge ok" }, "✓ Submitted")
        : p.autoSubmitted ? h("span", { class: "badge warn" }, "⏱ Closed: submitted as it stood")
        : p.frozen === "locked" ? h("span", { class: "badge bad" }, "Locked: time up")
          : h("span", { class: "badge warn" }, "Working");
    return h("article", { class: "card team-card", "data-team": t.id, "aria-current": app.selectedTeam === t.id ? "true" : null },
      h("div", { class: "card-header" }, h("h3", { class: "break" }, t.name), h("span", { class: "row" }, t.locked ? h("span", { class: "badge" }, "🔒 Locked") : null, sizeBadge(t), status)),
      h("ul", { class: "list members" }, t.members.length ? t.members.map((m) => h("li", {},
        h("span", { class: `dot ${online.has(m.learnerId) ? "on" : ""}`, "aria-hidden": "true" }),
        h("span", { class: "break" }, m.name), h("span", { class: "muted" }, online.has(m.learnerId) ? "online" : "away")))
        : h("li", { class: "empty" }, "No members")),
      h("div", { class: "stats" },
        h("span", { class: "muted" }, "Draft"), h("span", { "data-stat": "completeness" }, p.completeness === null || p.completeness === undefined ? "–" : `${p.completeness}% complete`),
        h("span", { class: "muted" }, "Diagnostics"), h("span", { "data-stat": "diagnostics" }, `${p.diagnosticsRun || 0} run`),
        h("span", { class: "muted" }, "Spent"), h("span", { "data-stat": "spent" }, p.budgetSpent ? `${money(p.budgetSpent.cash, cur)} · ${num(p.budgetSpent.points, 0)} pt · ${num(p.budgetSpent.days, 0)} d` : "–"),
        h("span", { class: "muted" }, "Submitted"), h("span", { "data-stat": "submitted" }, pub.phase === "round" ? (submitted ? "yes" : p.autoSubmitted ? "closed as it stood" : "not yet") : "–"),
        Array.isArray(p.ready) && pub.phase === "round" ? [h("span", { class: "muted" }, "Ready"), h("span", { "data-stat": "ready" }, `${p.ready.length} of ${t.members.length}`)] : null),
      h("div", { class: "row" },
        h("button", { type: "button", class: "small", "aria-label": `Details of team ${t.name}`, onclick: () => { app.selectedTeam = t.id; render(); byId("detail-h").focus(); } }, "Details"),
        h("button", { type: "button", class: "small", "aria-label": `Score team ${t.name}`, onclick: () => { app.scoreTeam = t.id; tabs.select("scoring"); } }, "Score")));
  }));
}

function sizeBadge(team) {
  const size = teamSize();
  if (!size) return null;
  const n = team.members.length;
  if (n < size.min) return h("span", { class: "badge warn", "data-size": "low" }, `⚠ ${n} of at least ${size.min}`);
  if (n > size.max) return h("span", { class: "badge warn", "data-size": "high" }, `⚠ ${n}, over ${size.max}`);
  return null;
}

function renderDetail() {
  const t = app.selectedTeam ? teamById(app.selectedTeam) : null;
  const box = byId("detail-body");
  byId("detail-h").tabIndex = -1;
  if (!t) {
    byId("detail-h").textContent = "Team detail";
    fill(box, h("p", { class: "empty" }, "Choose “Details” on a team to see its full state."));
    return;
  }
  byId("detail-h").textContent = `Team ${t.name}`;
  const cur = app.scenario.economics.currency;
  const truth = new Map(app.board.answerKey.map((c) => [c.id, c]));
  const pub = app.board.public;
  const round = currentRound();
  const reopenable = app.scenario.rounds.filter((r, i) => pub.round && i <= pub.round.index && t.submissions[r.id]);
  const lockedRound = round && pub.round && pub.round.locked;
  const parts = [
    h("div", { class: "row" },
      h("button", { type: "button", class: "small", onclick: () => act("lock_team", { team: t.id, locked: !t.locked }) }, t.locked ? "Unlock team" : "Lock team"),
      reopenControl(t, reopenable, lockedRound && !t.submissions[round.id] ? round : null)),
    h("h3", {}, "Budget"),
    h("p", { class: "small" }, `Cash left ${money(t.budget.left.cash, cur)} of ${money(t.budget.granted.cash, cur)} · ${num(t.budget.left.points, 0)} of ${num(t.budget.granted.points, 0)} points · ${num(t.budget.left.days, 0)} of ${num(t.budget.granted.days, 0)} days${t.budget.granted.analysis ? ` · analysis cash ${money(t.budget.left.analysis || 0, cur)} of ${money(t.budget.granted.analysis, cur)}` : ""}`),
    h("h3", {}, `Diagnostics (${t.diagnostics.length})`),
    h("ul", { class: "list small" }, t.diagnostics.length ? t.diagnostics.map((d) => h("li", {}, h("strong", {}, d.name), ` · ${methodLabel(d.method)} · by `, d.ranBy.name, ` at ${timeOfDay(d.at)}`)) : h("li", { class: "empty" }, "None yet")),
    h("h3", {}, "Causes declared"),
    h("ul", { class: "list small" }, t.causes.length ? t.causes.map((c) => {
      const key = truth.get(c.cause);
      return h("li", {}, h("strong", {}, c.label), ` in ${cellLabel(c.cell)} · ${pct(c.confidence)} sure · `,
        key ? h("span", { class: `badge ${key.truth === "false" ? "bad" : "ok"}` }, TRUTH_LABELS[key.truth]) : null,
        key && key.cell !== c.cell ? h("span", { class: "muted" }, ` (correct cell: ${cellLabel(key.cell)})`) : null);
    }) : h("li", { class: "empty" }, "None yet")),
    t.ruledOut.length ? h("p", { class: "small" }, "Ruled out: ", t.ruledOut.map((id) => (app.ix.causes[id] || { label: id }).label).join("; ")) : null,
    h("h3", {}, "Interventions"),
    h("ul", { class: "list small" }, t.interventions.length ? t.interventions.map((i) => h("li", {}, h("strong", {}, i.name), ` from week ${i.startWeek} · ${money(i.cost, cur)}`)) : h("li", { class: "empty" }, "None yet")),
    // Format v2: pilots the team ran and what stakeholders said about its choices.
    (t.pilots || []).length ? h("h3", {}, `Pilots (${t.pilots.length})`) : null,
    (t.pilots || []).length ? h("ul", { class: "list small", "data-detail": "pilots" }, t.pilots.map((p) => h("li", { class: "pre" }, p.report, h("span", { class: "muted" }, ` · by ${p.ranBy.name || "a teammate"} at ${timeOfDay(p.at)}`)))) : null,
    (t.reactions || []).length ? h("h3", {}, "Reactions heard") : null,
    (t.reactions || []).length ? h("ul", { class: "list small", "data-detail": "reactions" }, t.reactions.map((r) => h("li", {}, h("strong", {}, (app.ix.stakeholders[r.stakeholder] || { name: r.stakeholder }).name), ` on ${(app.scenario.interventions.find((i) => i.id === r.intervention) || { name: r.intervention }).name}: “${r.text}”`))) : null,
    h("h3", {}, "Metrics"),
    h("ul", { class: "list small" }, t.metrics.length ? t.metrics.map((m) => h("li", {}, h("strong", {}, m.name), ` · ${levelLabel((app.ix.metrics[m.metric] || {}).level)} · target ${m.target === null ? "none" : num(m.target, 2)}`)) : h("li", { class: "empty" }, "None yet")),
    h("p", { class: "small" }, "Isolation method: ", t.isolation ? (app.ix.isolation[t.isolation] || { name: t.isolation }).name : "not chosen"),
    h("h3", {}, "Texts"),
    Object.keys(t.texts).length ? h("dl", { class: "stacked small" }, Object.entries(t.texts).flatMap(([k, v]) => [h("dt", {}, fieldLabel(k)), h("dd", { class: "pre break" }, v)])) : h("p", { class: "empty small" }, "Nothing written yet."),
    h("h3", {}, "Inject responses"),
    t.injects.length ? h("ul", { class: "list small" }, t.injects.map((i) => h("li", {}, h("strong", {}, i.title), ": ", i.response ? h("span", { class: "pre" }, i.response) : h("span", { class: "muted" }, "no response yet")))) : h("p", { class: "empty small" }, "No injects received."),
    h("h3", {}, "Stakeholder stances"),
    h("ul", { class: "list small" }, t.stances.map((s) => h("li", {}, s.name, ": ", (STANCES[String(s.stance)] || STANCES["0"]).label))),
    h("h3", {}, `Team chat (${t.chatCount})`),
    h("div", { class: "chat-log small" }, t.chat.length ? t.chat.slice(-30).map((m) => h("div", { class: "chat-line" }, h("span", { class: "who" }, m.name), m.text)) : h("p", { class: "empty" }, "No messages.")),
  ];
  fill(box, parts);
}

function reopenControl(team, submittedRounds, lockedRound) {
  const rounds = lockedRound ? [...submittedRounds, lockedRound] : submittedRounds;
  if (!rounds.length) return null;
  // The current round first in mind: it is the one a team usually asks to reopen.
  const current = currentRound();
  const preferred = rounds.find((r) => current && r.id === current.id) || rounds[rounds.length - 1];
  const select = h("select", { class: "inline", "aria-label": `Round to reopen for ${team.name}` },
    rounds.map((r) => h("option", { value: r.id, selected: r.id === preferred.id }, r.name)));
  const reopen = async () => {
    const round = app.ix.rounds[select.value];
    const submission = team.submissions[round.id];
    const members = team.members.map((m) => m.name).join(", ") || "nobody yet";
    const ok = await confirmAction({
      title: `Reopen “${round.name}” for ${team.name}?`,
      body: [
        `${team.name} (${members}) can edit “${round.name}” again and must submit it again.`,
        submission ? `Its submission${submission.auto ? " (closed automatically)" : ""} from ${timeOfDay(submission.at)} stays until then; a saved score is not changed.` : "Time ran out on this round; the team gets it back.",
        "Other teams are not affected.",
      ],
      confirm: "Reopen for this team",
    });
    if (ok) await act("reopen_round", { team: team.id, round: round.id }, "Reopened for the team.");
  };
  return h("span", { class: "row" }, select,
    h("button", { type: "button", class: "small", "aria-label": `Reopen round for ${team.name}`, onclick: reopen }, "Reopen round"));
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
  const options = (selected) => (selected ? [] : [h("option", { value: "", disabled: true, selected: true }, "Not in a team")]).concat(
    teams.map((t) => h("option", { value: t.id, selected: t.id === selected }, t.name)));
  fill(byId("roster"),
    h("h2", {}, "Learners"),
    app.board.learners.length ? h("div", { class: "table-wrap" }, h("table", {},
      h("thead", {}, h("tr", {}, ["Name", "Status", "Team", ""].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, app.board.learners.map((l) => {
        // A choice not yet sent survives the board updates that rebuild this table.
        const select = h("select", { class: "inline", "aria-label": `Team of ${l.name}`, "data-focus-key": `move-${l.learnerId}`,
          onchange: (e) => pendingMoves.set(l.learnerId, e.target.value) }, options(pendingMoves.get(l.learnerId) || l.team));
        return h("tr", { "data-learner": l.learnerId },
          h("td", { class: "break" }, l.name),
          h("td", {}, h("span", { class: `dot ${online.has(l.learnerId) ? "on" : ""}`, "aria-hidden": "true" }), online.has(l.learnerId) ? " online" : " away"),
          h("td", {}, select),
          h("td", {}, h("button", { type: "button", class: "small", onclick: () => {
            if (!select.value) return toast("Choose a team first.", "error");
            pendingMoves.delete(l.learnerId);
            return act("move_learner", { learner: l.learnerId, team: select.value }, `Moved ${l.name}.`);
          }, "aria-label": `Move ${l.name} to the chosen team` }, "Move"),
          " ",
          h("a", { class: "small", href: `/facilitator/sessions/${encodeURIComponent(sessionId)}/learners/${encodeURIComponent(l.learnerId)}/data`,
            "aria-label": `Personal data of ${l.name}: export or erase` }, "Data")));
      })))) : h("p", { class: "empty" }, "Nobody has joined yet."),
    h("h2", {}, "Teams"),
    h("ul", { class: "list" }, teams.length ? teams.map((t) => h("li", { class: "row spread" },
      h("span", { class: "break" }, h("strong", {}, t.name), ` · ${t.members.length} member${t.members.length === 1 ? "" : "s"}`, t.locked ? " · locked" : ""),
      h("button", { type: "button", class: "small", "aria-label": `${t.locked ? "Unlock" : "Lock"} team ${t.name}`, onclick: () => act("lock_team", { team: t.id, locked: !t.locked }) }, t.locked ? "Unlock" : "Lock"))) : h("li", { class: "empty" }, "No teams yet.")),
    teams.length ? h("div", { class: "row" },
      h("button", { type: "button", class: "small", onclick: () => Promise.all(teams.filter((t) => !t.locked).map((t) => act("lock_team", { team: t.id, locked: true }))) }, "Lock all teams"),
      h("button", { type: "button", class: "small", onclick: () => Promise.all(teams.filter((t) => t.locked).map((t) => act("lock_team", { team: t.id, locked: false }))) }, "Unlock all")) : null);
}

byId("fac-create-team").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = byId("fac-team-name");
  const name = input.value.trim();
  if (!name) return toast("Give the team a name.", "error");
  const ack = await act("create_team", { name }, `Team ${name} created.`);
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
      inj.firedOn.includes(t.id) ? h("span", { class: "badge ok" }, "✓ received") : null));
    const responses = teams.filter((t) => inj.firedOn.includes(t.id)).map((t) => {
      const got = t.injects.find((i) => i.inject === inj.id);
      return h("li", {}, h("strong", {}, t.name), ": ", got && got.response ? h("span", { class: "pre" }, got.response) : h("span", { class: "muted" }, "no response yet"));
    });
    const sender = app.ix.stakeholders[inj.sender] ? app.ix.stakeholders[inj.sender].name : inj.sender;
    return h("article", { class: "card", "data-inject": inj.id },
      h("div", { class: "card-header" }, h("h3", {}, inj.title),
        h("span", { class: "row" }, h("span", { class: "badge" }, round ? round.name : inj.round), h("span", { class: "badge" }, inj.trigger === "auto" ? `Automatic: ${inj.when ? inj.when.type.replace(/_/g, " ") : ""}` : "Manual"))),
      h("p", { class: "small muted" }, `From ${sender} · ${inj.channel}`),
      h("p", { class: "pre" }, inj.text),
      h("div", { class: "alert info" }, h("strong", {}, "Expected response (facilitator only)"), h("span", { class: "pre" }, inj.expectedResponse)),
      teams.length ? h("fieldset", {}, h("legend", {}, "Send to"), checks) : h("p", { class: "empty" }, "No teams yet."),
      h("div", { class: "row" }, h("button", {
        type: "button", class: "primary", disabled: pub.phase !== "round" || !teams.length, "aria-label": `Fire inject “${inj.title}”`,
        onclick: () => {
          const chosen = [...box.querySelectorAll(`[data-inject-team="${CSS.escape(inj.id)}"]:checked`)].map((c) => c.value);
          if (!chosen.length) return toast("Choose at least one team.", "error");
          for (const t of teams) injectPicks.delete(`${inj.id}:${t.id}`);
          return act("fire_inject", { inject: inj.id, teams: chosen }, `Sent “${inj.title}”.`);
        },
      }, "Fire inject"), pub.phase !== "round" ? h("span", { class: "small muted" }, "Injects can be fired while a round runs.") : null),
      responses.length ? [h("h4", {}, "Responses"), h("ul", { class: "list small" }, responses)] : null);
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
    fill(form, h("p", { class: "empty" }, "Scoring opens once the first round has started and teams exist."));
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
      h("legend", {}, "Level"),
      c.levels.map((lv) => h("label", {},
        h("input", { type: "radio", name: levelId, value: lv.level, checked: stored && stored.components[c.id] && stored.components[c.id].level === lv.level }),
        h("span", {}, h("strong", {}, `${lv.level} `), lv.descriptor)))) : null;
    const override = entry.override || null;
    const overrideId = `ovr-${c.id}`;
    // Format v2: a component judged on a pitch's Q&A takes the facilitator's notes.
    const storedNotes = stored && stored.components[c.id] ? stored.components[c.id].notes || "" : "";
    const qaNotes = c.qa ? h("div", { class: "field" },
      h("label", { for: `qa-${c.id}` }, "Q&A notes (questions asked, how the team answered; the team reads them)"),
      h("textarea", { id: `qa-${c.id}`, "data-qa-notes": c.id, maxlength: LIMITS.commentMax, value: storedNotes })) : null;
    return h("section", { class: "component", "data-component": c.id },
      h("div", { class: "row spread" }, h("h3", {}, c.name, " ", h("span", { class: "badge" }, c.kind === "auto" ? "Automatic" : "Facilitator")),
        h("span", { class: "num" }, c.kind === "auto" ? `${entry.points === undefined ? "–" : num(entry.points)} / ${num(c.weight)}` : `weight ${num(c.weight)}`)),
      c.description ? h("p", { class: "small muted" }, c.description) : null,
      c.kind === "auto" ? h("p", { class: "small pre" }, entry.explanation || "Computed when you save the score.") : levelInputs,
      qaNotes,
      h("details", { open: Boolean(override) },
        h("summary", { class: "small" }, "Override the points"),
        h("div", { class: "row" },
          h("label", { for: `${overrideId}-pts`, class: "small" }, "Points"),
          h("input", { type: "number", id: `${overrideId}-pts`, "data-override-points": c.id, min: 0, max: Math.min(c.weight, LIMITS.overrideMax), step: "0.5", class: "inline", value: override ? override.points : "" }),
          h("label", { for: `${overrideId}-why`, class: "small" }, "Reason"),
          h("input", { type: "text", id: `${overrideId}-why`, "data-override-reason": c.id, maxlength: LIMITS.reasonMax, value: override ? override.reason : "" }))));
  });
  const pitch = round.presentation;
  fill(form,
    h("h2", {}, `${team.name} · ${round.name}`),
    pitch ? h("p", { class: "alert info", "data-presentation": "" }, h("strong", {}, "Pitch round: "),
      `${pitch.pitchMinutes} min pitch, then ${pitch.qaMinutes} min of questions per team.`, pitch.brief ? ` ${pitch.brief}` : "") : null,
    h("p", { class: "small muted" }, submitted ? `Submitted at ${timeOfDay(submitted.at)}${submitted.auto ? " (automatically)" : ""}.` : "Not submitted: the live draft is scored.",
      stored ? ` Saved score: ${num(stored.total)} / ${num(stored.max)}.` : ""),
    fields,
    h("div", { class: "field" }, h("label", { for: "score-comment" }, "Comment to the team"),
      h("textarea", { id: "score-comment", maxlength: LIMITS.commentMax, value: stored ? stored.comment : "" })),
    h("button", { type: "button", class: "primary", id: "save-score", onclick: () => saveScore(team, round, components) }, stored ? "Save changes" : "Save score"));
  fill(byId("score-preview"), stored ? scoreCard(round, stored) : h("p", { class: "empty" }, "Save a score to preview it."));
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
    toast(`Saved: ${num(ack.total)} of ${num(ack.max)} points.`);
  }
  return ack;
}

function renderPublish(rounds) {
  const published = new Set(app.board.public.publishedRounds);
  const teams = app.board.teams;
  if (!rounds.length) {
    fill(byId("publish-area"), h("p", { class: "empty" }, "No round has been played yet."));
    return;
  }
  const unscored = (r) => teams.filter((t) => !t.scores[r.id]);
  const scoredRounds = rounds.filter((r) => unscored(r).length < teams.length);
  // One publish path for one round or all: it names every team that would see no score.
  const publish = async (chosen) => {
    const missing = chosen.map((r) => [r, unscored(r)]).filter(([, left]) => left.length);
    if (missing.length) {
      const ok = await confirmAction({
        title: chosen.length > 1 ? `Publish ${plural(chosen.length, "round")} with teams unscored?` : `Publish “${chosen[0].name}” with teams unscored?`,
        body: [
          h("ul", { class: "list" }, missing.map(([r, left]) => h("li", { "data-unscored": r.id }, `${r.name}: ${names(left)} not scored yet`))),
          "The scored teams see their points; an unscored team sees nothing for that round until you score it and publish again. The leaderboard counts published points only.",
        ],
        confirm: "Publish anyway",
      });
      if (!ok) return;
    }
    for (const r of chosen) await act("publish_scores", { round: r.id }, `Published “${r.name}”.`);
  };
  fill(byId("publish-area"), h("table", {},
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Round"), h("th", { scope: "col" }, "Scored"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Action")))),
    h("tbody", {}, rounds.map((r) => {
      const scored = teams.length - unscored(r).length;
      return h("tr", { "data-publish-round": r.id },
        h("td", {}, r.name),
        h("td", { class: "nowrap" }, `${scored}/${teams.length} scored`),
        h("td", {}, published.has(r.id) ? h("span", { class: "badge ok" }, "✓ Published") : h("span", { class: "badge" }, "Not published")),
        h("td", {}, h("button", { type: "button", class: "small", "data-publish": r.id, disabled: scored === 0, title: scored === 0 ? "Score a team first" : null, "aria-label": `Publish scores of ${r.name}`, onclick: () => publish([r]) }, published.has(r.id) ? "Publish again" : "Publish")));
    }))),
  h("button", { type: "button", id: "publish-all", disabled: !scoredRounds.length, onclick: () => publish(scoredRounds) }, "Publish all scored rounds"));
}

byId("score-team").addEventListener("change", (e) => { app.scoreTeam = e.target.value; scoreDirty = null; renderScoring(); });
byId("score-round").addEventListener("change", (e) => { app.scoreRound = e.target.value; scoreDirty = null; renderScoring(); });

// --- debrief --------------------------------------------------------------------------------------

function renderDebrief() {
  const box = byId("debrief-body");
  const pub = app.board.public;
  if (pub.phase !== "debrief" && pub.phase !== "closed") {
    fill(box, h("p", { class: "empty card" }, "The debrief opens after the last round; advance to start it."));
    return;
  }
  const teams = app.board.teams.filter((t) => t.outcome);
  const cur = app.scenario.economics.currency;
  const real = app.board.answerKey.filter((c) => c.truth !== "false");
  const expert = app.board.expertPlan;
  const expertOutcome = teams.length ? teams[0].outcome : null;
  const ivNames = (items) => items.map((i) => (app.ix.interventions[i.id || i.intervention] || { name: i.id }).name).join("; ") || "none";
  const mNames = (items) => items.map((m) => (app.ix.metrics[m.id || m.metric] || { name: m.id }).name).join("; ") || "none";
  const found = (plan) => real.filter((c) => plan.causes.some((x) => x.cause === c.id)).length;
  const falseOnes = (plan) => plan.causes.filter((x) => (app.board.answerKey.find((c) => c.id === x.cause) || {}).truth === "false").length;
  const columns = [{ name: "Expert plan", plan: expert, outcome: expertOutcome ? { cost: expertOutcome.expertCost, roi: expertOutcome.expertRoi, reportedRoi: null } : null }]
    .concat(teams.map((t) => ({ name: t.name, plan: t.plan, outcome: t.outcome })));
  const table = h("div", { class: "table-wrap" }, h("table", { "data-debrief": "compare", class: "compare-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Measure")), columns.map((c) => h("th", { scope: "col", class: "break" }, c.name)))),
    h("tbody", {},
      h("tr", {}, h("th", { scope: "row" }, `Real causes found (of ${real.length})`), columns.map((c) => h("td", {}, String(found(c.plan))))),
      h("tr", {}, h("th", { scope: "row" }, "False causes declared"), columns.map((c) => h("td", {}, String(falseOnes(c.plan))))),
      h("tr", {}, h("th", { scope: "row" }, "Interventions"), columns.map((c) => h("td", { class: "small" }, ivNames(c.plan.interventions)))),
      h("tr", {}, h("th", { scope: "row" }, "Metrics"), columns.map((c) => h("td", { class: "small" }, mNames(c.plan.metrics)))),
      h("tr", {}, h("th", { scope: "row" }, "Isolation"), columns.map((c) => h("td", { class: "small" }, c.plan.isolation ? (app.ix.isolation[c.plan.isolation] || { name: c.plan.isolation }).name : "none"))),
      h("tr", {}, h("th", { scope: "row" }, "Cost"), columns.map((c) => h("td", { class: "num" }, c.outcome ? money(c.outcome.cost, cur) : "–"))),
      h("tr", {}, h("th", { scope: "row" }, "True ROI"), columns.map((c) => h("td", { class: "num" }, c.outcome && c.outcome.roi !== null ? pct(c.outcome.roi) : "–"))),
      h("tr", {}, h("th", { scope: "row" }, "Reported ROI"), columns.map((c) => h("td", { class: "num" }, c.outcome && c.outcome.reportedRoi !== null && c.outcome.reportedRoi !== undefined ? pct(c.outcome.reportedRoi) : "–"))))));
  // One chart per KPI with every team overlaid (the stage draws the same ones), then ROI.
  const index = new Map(app.board.teams.map((t, i) => [t.id, i]));
  const charts = teams.length ? h("div", { class: "charts" }, app.scenario.kpis.map((k) => kpiChart({
    title: k.name, unit: k.unit, target: k.target,
    series: teams.map((t) => ({ label: t.name, cls: "team", index: index.get(t.id), values: t.outcome.plan.kpis[k.id] }))
      .concat([
        { label: "Doing nothing", cls: "nothing", values: expertOutcome.nothing.kpis[k.id] },
        { label: "Expert plan", cls: "expert", values: expertOutcome.expert.kpis[k.id] },
      ]),
  })).concat([roiCompareChart({
    title: "Return on investment: true and as each team would report it",
    rows: teams.map((t) => ({ label: t.name, trueRoi: t.outcome.roi, reportedRoi: t.outcome.reportedRoi }))
      .concat([{ label: "Expert plan", trueRoi: expertOutcome.expertRoi, reportedRoi: undefined }]),
  })])) : h("p", { class: "empty" }, "Outcomes are computed when the debrief opens.");
  fill(box, h("section", { class: "card stack" }, h("h2", {}, "Teams side by side against the expert path"), table,
    h("h3", {}, "The real causes"),
    h("ul", { class: "list small" }, app.board.answerKey.map((c) => h("li", {}, h("strong", {}, c.label), ` · ${TRUTH_LABELS[c.truth]} · ${cellLabel(c.cell)} · ${pct(c.gapShare)} of the gap`)))),
  h("section", { class: "card stack" }, h("h2", {}, "KPI curves by quarter, every team against doing nothing and the expert plan"), charts));
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
  const select = h("select", { class: "inline", id: `replay-team-${key}`, "aria-label": key === "a" ? "Team to replay" : "Team to compare" },
    h("option", { value: "" }, key === "a" ? "Choose a team" : "No second team"),
    teams.map((t) => h("option", { value: t.id, selected: t.id === pane.team }, t.name)));
  select.addEventListener("change", () => loadPath(key, select.value));
  const parts = [h("div", { class: "row" }, h("label", { for: `replay-team-${key}` }, "Team"), select)];
  if (pane.team && !pane.entries.length) parts.push(h("p", { class: "empty" }, "Nothing done yet."));
  if (pane.entries.length) {
    const slider = h("input", { type: "range", id: `replay-at-${key}`, min: 0, max: pane.entries.length - 1, step: 1, value: pane.at, "aria-label": "Point in the team's path" });
    slider.addEventListener("input", () => { pane.at = Number(slider.value); drawPane(key); });
    slider.addEventListener("change", () => loadPoint(key));
    const entry = pane.entries[pane.at];
    const round = app.scenario.rounds[entry.round];
    parts.push(h("div", { class: "field" }, h("label", { for: `replay-at-${key}` }, `Step ${pane.at + 1} of ${pane.entries.length}`), slider),
      h("p", { class: "replay-now", "data-replay-step": entry.index }, h("strong", {}, timeOfDay(entry.at) || "–"), " · ", round ? round.name : "lobby", " · ",
        entry.text),
      h("ol", { class: "list small replay-list", start: Math.max(1, pane.at - 5) },
        pane.entries.slice(Math.max(0, pane.at - 6), pane.at + 1).map((e) => h("li", { "aria-current": e === entry ? "step" : null },
          `${timeOfDay(e.at)} ${e.text}`))));
    const point = pane.point && pane.point.entry.index === entry.index ? pane.point : null;
    if (point) {
      const o = point.outlook;
      parts.push(h("p", { class: "small" }, `The plan at this point: ${point.entry.plan.interventions.length} interventions, ${point.entry.plan.causes.length} causes declared; cost ${money(o.cost, app.scenario.economics.currency)}, true ROI ${o.roi === null ? "n/a" : pct(o.roi)}.`),
        h("div", { class: "charts" }, app.scenario.kpis.map((k) => kpiChart({
          title: `${k.name}: the plan at step ${pane.at + 1}`, unit: k.unit, target: k.target,
          series: [
            { label: teamById(pane.team) ? teamById(pane.team).name : "Team", cls: "team", index: key === "a" ? 0 : 1, values: o.plan[k.id] },
            { label: "Doing nothing", cls: "nothing", values: o.nothing[k.id] },
            { label: "Expert plan", cls: "expert", values: o.expert[k.id] },
          ],
        }))));
    } else {
      parts.push(h("p", { class: "small muted" }, "Release the slider to see what the plan at this point would do."));
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
    box.textContent = ack.message || "Could not open this session.";
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
