// Vocabulary and small widgets shared by the learner room, the console and the projector.

import { clock, fill, h, num } from "./dom.js";
import { t as tr } from "./i18n.js";
import { explanationText } from "./explain.js";

/** Stakeholder stance -2..2: a word and an icon, never colour alone. */
export const STANCES = {
  "-2": { label: tr("Opposed"), icon: "▼▼", cls: "bad" },
  "-1": { label: tr("Sceptical"), icon: "▼", cls: "warn" },
  "0": { label: tr("Neutral"), icon: "●", cls: "" },
  "1": { label: tr("Supportive"), icon: "▲", cls: "ok" },
  "2": { label: tr("Champion"), icon: "▲▲", cls: "ok" },
};

export const TRUTH_LABELS = {
  primary: tr("Primary cause"),
  contributing: tr("Contributing cause"),
  minor: tr("Minor cause"),
  false: tr("Not a cause"),
};

const METHODS = {
  extant_data: tr("Extant data"),
  interview: tr("Interview"),
  observation: tr("Observation"),
  survey: tr("Survey"),
  focus_group: tr("Focus group"),
  knowledge_test: tr("Knowledge test"),
  system_analytics: tr("System analytics"),
  exemplar_comparison: tr("Exemplar comparison"),
};

const PHASES = {
  performance_analysis: tr("Performance analysis"),
  cause_analysis: tr("Cause analysis"),
  intervention_selection: tr("Intervention selection"),
  implementation: tr("Implementation"),
  evaluation: tr("Evaluation"),
};

const LEVELS = { 1: tr("L1 Reaction"), 2: tr("L2 Learning"), 3: tr("L3 Behaviour"), 4: tr("L4 Results"), 5: tr("L5 ROI") };

// The default cause taxonomy (Gilbert's Behavior Engineering Model, practicum/scenario/model.py)
// and its axes are the product's words, not a scenario's: they are translated here.
const CELL_LABELS = {
  "Expectations & feedback": tr("Expectations & feedback"),
  "Tools, process & time": tr("Tools, process & time"),
  "Incentives & consequences": tr("Incentives & consequences"),
  "Knowledge & skills": tr("Knowledge & skills"),
  "Capacity & fit": tr("Capacity & fit"),
  "Motives": tr("Motives"),
  "External factors": tr("External factors"),
};

const AXES = {
  environment: tr("environment"),
  individual: tr("individual"),
  external: tr("external"),
  information: tr("information"),
  instrumentation: tr("instrumentation"),
  motivation: tr("motivation"),
};

/** Return a taxonomy cell's label in the page's language (a scenario's own labels as written). */
export function cellLabel(label) {
  return CELL_LABELS[label] || label;
}

/** Return a row or column name of the cause taxonomy in the page's language. */
export function axisLabel(axis) {
  return AXES[axis] || axis;
}

/** Return a value with its unit: "66%" but "352 seconds". */
export function withUnit(value, unit) {
  if (!unit) return num(value);
  return unit === "%" ? tr("{value}%", { value: num(value) }) : `${num(value)} ${unit}`;
}

/** Return a readable name for a data-gathering method. */
export function methodLabel(method) {
  return METHODS[method] || String(method).replace(/_/g, " ");
}

/** Return a readable name for a performance-improvement phase. */
export function phaseLabel(phase) {
  return PHASES[phase] || String(phase).replace(/_/g, " ");
}

/** Return tr("L4 Results") for a Kirkpatrick (or Phillips 5) level. */
export function levelLabel(level) {
  return LEVELS[level] || tr("Level {n}", { n: level });
}

/** Return lookups by id for the parts of scenario_public. */
export function indexById(scenario) {
  const by = (items) => Object.fromEntries((items || []).map((x) => [x.id, x]));
  return {
    stakeholders: by(scenario.stakeholders),
    causes: by(scenario.causes),
    diagnostics: by(scenario.diagnostics),
    interventions: by(scenario.interventions),
    metrics: by(scenario.metrics),
    isolation: by(scenario.isolationMethods),
    kpis: by(scenario.kpis),
    rounds: by(scenario.rounds),
    rubric: by(scenario.rubric),
  };
}

/** Return taxonomy cells by id. */
export function cellMap(scenario) {
  return Object.fromEntries((scenario.taxonomy || []).map((c) => [c.id, { ...c, label: cellLabel(c.label) }]));
}

/**
 * Return how a team left a round, from its submissions: "submitted" (by the team), "auto"
 * (closed by time: the draft was submitted as it stood), "advanced" (the same, closed by the
 * facilitator's advance), "locked" (time ran out, nothing kept),
 * "reopened" (an earlier round the facilitator reopened for the team) or "missed" (never
 * submitted).
 */
export function roundOutcome(team, roundId) {
  const sub = team && team.submissions ? team.submissions[roundId] : null;
  const entry = team && Array.isArray(team.rounds) ? team.rounds.find((r) => r.id === roundId) : null;
  if (entry && !entry.current && entry.reopened && !sub) return "reopened";
  if (sub) return !sub.auto ? "submitted" : sub.reason === "advance" ? "advanced" : "auto";
  if (entry && entry.frozen === "locked") return "locked";
  return "missed";
}

const OUTCOME_TEXT = {
  submitted: ["submitted", tr("submitted by your team")],
  auto: ["auto", tr("closed by time: submitted as it stood")],
  advanced: ["auto", tr("closed when the facilitator moved on: submitted as it stood")],
  locked: ["auto", tr("closed by time")],
  missed: ["missed", tr("not submitted")],
  reopened: ["reopened", tr("reopened by the facilitator: edit and submit it again")],
};

/**
 * Fill an <ol class="steps"> with the rounds, marking done and current ones in text too. With
 * `team` (the learner room) a past round says how the team left it, never a tick for a round
 * the team did not submit.
 */
export function renderSteps(list, rounds, pub, team = null) {
  const current = pub.round ? pub.round.index : -1;
  const inDebrief = pub.phase === "debrief" || pub.phase === "closed";
  fill(list, rounds.map((r, i) => {
    const done = inDebrief || i < current;
    const here = !inDebrief && i === current && pub.phase === "round";
    if (team && (done || (here && roundOutcome(team, r.id) !== "missed"))) {
      const [cls, words] = OUTCOME_TEXT[roundOutcome(team, r.id)];
      return h("li", { class: cls, "data-round": r.id, "data-outcome": roundOutcome(team, r.id), "aria-current": here ? "step" : null, title: words },
        `${i + 1}. ${r.name}`, h("span", { class: "visually-hidden" }, here ? tr(" ({outcome}, current)", { outcome: words }) : ` (${words})`));
    }
    return h("li", { class: done ? "done" : "", "data-round": r.id, "aria-current": here ? "step" : null },
      `${i + 1}. ${r.name}`, done ? h("span", { class: "visually-hidden" }, tr(" (done)")) : null,
      here ? h("span", { class: "visually-hidden" }, tr(" (current)")) : null);
  }).concat([h("li", { class: pub.phase === "closed" ? "done" : "", "aria-current": pub.phase === "debrief" ? "step" : null }, tr("Debrief"))]));
}

/**
 * Keep a countdown element up to date: the server's deadline minus the server's "now"
 * (local clock + measured offset). Paused clocks show the remaining seconds the server froze.
 */
export function startCountdown(getPublic, serverClock, box, valueNode) {
  let lastText = "";
  const tick = () => {
    const pub = getPublic();
    let text = "–";
    let urgent = false;
    let label = tr("Time left");
    if (pub && pub.phase === "round") {
      if (pub.paused && pub.remaining !== null && pub.remaining !== undefined) {
        text = clock(pub.remaining);
        label = tr("Paused");
      } else if (pub.deadline) {
        const left = pub.deadline - serverClock.now();
        text = clock(left);
        urgent = left < 120;
        if (left <= 0) label = tr("Time is up");
      } else {
        label = tr("Clock stopped");
      }
    }
    box.hidden = !(pub && pub.phase === "round");
    if (text !== lastText || box.dataset.label !== label) {
      lastText = text;
      valueNode.textContent = text;
      box.dataset.urgent = String(urgent);
      box.dataset.label = label;
      box.querySelector(".label").textContent = label;
    }
  };
  tick();
  return setInterval(tick, 250);
}

/** Return a card showing one round's score: total, each component with its explanation. */
export function scoreCard(round, score) {
  const comps = Object.entries(score.components || {});
  return h("article", { class: "card", "data-score-round": round.id },
    h("div", { class: "card-header" },
      h("h3", {}, round.name),
      h("span", { class: "score-total" }, `${num(score.total)} `, h("span", { class: "muted small" }, tr("/ {max} points", { max: num(score.max) })))),
    comps.map(([id, c]) => h("div", { class: "component", "data-component": id },
      h("div", { class: "row spread" },
        h("strong", {}, c.name),
        h("span", { class: "num" }, `${num(c.points)} / ${num(c.max)}`,
          c.kind === "facilitator" ? h("span", { class: "badge" }, c.level ? tr("Level {n} of 4", { n: c.level }) : tr("Facilitator")) : h("span", { class: "badge" }, tr("Automatic")))),
      h("div", { class: "small pre" }, explanationText(c.explanation)),
      c.notes ? h("div", { class: "small pre", "data-qa-notes": id }, h("strong", {}, tr("Q&A notes: ")), c.notes) : null,
      c.override ? h("div", { class: "small muted" }, tr("Adjusted by the facilitator from {points}: ", { points: num(c.computed) }), c.override.reason) : null)),
    score.comment ? h("div", { class: "alert info" }, h("strong", {}, tr("Facilitator's comment")), h("span", { class: "pre" }, score.comment)) : null);
}

// --- patches (the rules of practicum/server/viewsync.py) -----------------------------------------

// Lists that travel as appended entries, each with its index `n`, and how many a view keeps:
// the chat, and the team's activity feed (kept in step with viewsync.py).
const APPENDED = { chat: 200, activity: 50 };

/** The team view after a team_patch, or null when the patch does not follow the version held. */
export function mergeTeamPatch(team, patch) {
  let merged;
  if (patch.base === null) {
    merged = { ...patch.set };
  } else {
    if (!team || team.version !== patch.base) return null;
    merged = { ...team, ...patch.set };
    // The shared texts and their stamps: only the entries that changed (viewsync.FIELD_KEYS).
    for (const [key, entries] of Object.entries(patch.fields || {})) {
      merged[key] = { ...(team[key] || {}), ...entries };
    }
  }
  for (const [key, limit] of Object.entries(APPENDED)) {
    const countKey = `${key}Count`;
    if (key !== "chat" && !(key in patch) && !(countKey in patch) && !(key in merged)) continue;
    const inSet = patch.set && key in patch.set && !(key in patch);
    let list = inSet ? patch.set[key] || [] : patch.base === null ? [] : (team[key] || []);
    const fresh = patch[key] || [];
    if (fresh.length) list = list.filter((m) => m.n < fresh[0].n).concat(fresh);
    merged[key] = list.slice(-limit);
    if (countKey in patch || key === "chat") merged[countKey] = patch[countKey];
  }
  merged.version = patch.version;
  return merged;
}

/** The board after a board_patch, or null when the patch does not follow the version held. */
export function mergeBoardPatch(board, patch) {
  if (patch.base === null) return { ...patch.board, version: patch.version };
  if (!board || board.version !== patch.base) return null;
  const merged = { ...board, ...patch.set };
  const teams = new Map(board.teams.map((t) => [t.id, t]));
  for (const [id, part] of Object.entries(patch.teams || {})) teams.set(id, { ...(teams.get(id) || {}), ...part });
  const order = patch.order || board.teams.map((t) => t.id);
  merged.teams = order.filter((id) => teams.has(id)).map((id) => teams.get(id));
  merged.version = patch.version;
  return merged;
}
