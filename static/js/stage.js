// The stage: the room's projector. It holds a signed, expiring screen link (no sign-in), hears
// only the stage view (public data) on /stage, and shows what the facilitator puts on it: the
// lobby, the round's clock and progress, scoring progress, the debrief, the leaderboard.

import { Live, ServerClock, bindConnectionBadge } from "./live.js";
import { byId, clock, fill, h, num } from "./dom.js";
import { kpiChart, roiCompareChart } from "./charts.js";
import { t as tr } from "./i18n.js";

const main = byId("main");
let token = main.dataset.token;
const renewSeconds = Number(main.dataset.renewSeconds) || 600;
const serverClock = new ServerClock();
// Routed by the session, like the room and the console: behind a proxy it reaches the owner.
const live = new Live("/stage", { auth: () => ({ token }), session: main.dataset.sessionId });
bindConnectionBadge(live, byId("conn"), byId("conn-banner"));
let view = null;
let shownMode = null;

const SECTIONS = ["lobby", "round", "scoring", "leaderboard", "debrief"];

function renderLobby() {
  const size = view.teamSize;
  fill(byId("lobby-count"), `${tr("{count} people joined", { count: view.learners })} · ${tr("{count} teams", { count: view.teams.length })}`);
  fill(byId("stage-teams"), view.teams.length ? view.teams.map((t) => {
    const low = t.members < size.min;
    const high = t.members > size.max;
    return h("li", { "data-team": t.id, "data-size": low ? "low" : high ? "high" : "ok" },
      t.name,
      h("span", { class: "members" }, tr("{count} members", { count: t.members }),
        low ? tr(" · needs {count} more", { count: size.min - t.members }) : high ? tr(" · over {max}", { max: size.max }) : ""));
  }) : h("li", { class: "empty" }, tr("No teams yet: create or join one from your device.")));
}

function renderRound() {
  const r = view.round;
  fill(byId("round-kicker"), r ? tr("Round {n} of {count}", { n: r.index + 1, count: view.roundCount }) : "");
  fill(byId("round-h"), r ? r.name : "");
  const total = view.teams.length;
  const done = view.submitted || 0;
  fill(byId("stage-submitted"), tr("{done} of {count} teams submitted", { done, count: total }));
  byId("stage-submitted-bar").style.width = total ? `${(100 * done) / total}%` : "0";
  const inject = view.inject;
  byId("stage-inject").hidden = !inject;
  if (inject) {
    fill(byId("stage-inject-title"), inject.title);
    fill(byId("stage-inject-sender"), tr("From {sender} · by {channel} · to {count} teams", { sender: inject.sender, channel: inject.channel, count: inject.teams }));
  }
}

function renderScoring() {
  fill(byId("stage-scoring-list"), (view.scoring || []).map((r, i) => h("li", { "data-round": r.round },
    `${tr("Round {n}: {name} · {scored} of {count} teams scored", { n: i + 1, name: r.name, scored: r.scored, count: r.teams })}${r.published ? tr(" · published") : ""}`,
    h("div", { class: "stage-bar", "aria-hidden": "true" }, barFill(r.teams ? r.scored / r.teams : 0)))));
}

function barFill(share) {
  const span = h("span");
  span.style.width = `${Math.round(share * 100)}%`;
  return span;
}

function renderLeaderboard() {
  const rows = (view.leaderboard || []).map((row, i) => {
    const line = h("tr", { class: "reveal", "data-team": row.team },
      h("td", { class: "rank" }, String(row.rank)), h("td", {}, row.name), h("td", { class: "points" }, num(row.points)));
    // Last place first, the winner last: the room reads the list as it builds up.
    for (const td of line.children) td.style.animationDelay = `${(view.leaderboard.length - 1 - i) * 0.5}s`;
    return line;
  });
  fill(byId("stage-board"), h("table", { class: "stage-board" },
    h("caption", { class: "visually-hidden" }, tr("Leaderboard of published scores")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, tr("Rank")), h("th", { scope: "col" }, tr("Team")), h("th", { scope: "col", class: "points" }, tr("Points")))),
    h("tbody", {}, rows)));
}

function renderDebrief() {
  const d = view.debrief;
  if (!d) return;
  const teamIndex = new Map(view.teams.map((t, i) => [t.id, i]));
  const charts = d.kpis.map((k) => kpiChart({
    title: k.name, unit: k.unit, target: k.target, width: 720, height: 400,
    series: k.teams.map((t) => ({ label: t.name, cls: "team", index: teamIndex.get(t.team) ?? 0, values: t.values }))
      .concat([{ label: tr("Doing nothing"), cls: "nothing", values: k.nothing }, { label: tr("Expert plan"), cls: "expert", values: k.expert }]),
  }));
  const roi = roiCompareChart({
    title: tr("Return on investment: true and as each team would report it"),
    rows: d.roi.map((r) => ({ label: r.name, trueRoi: r.trueRoi, reportedRoi: r.reportedRoi }))
      .concat([{ label: tr("Expert plan"), trueRoi: d.expertRoi, reportedRoi: undefined }]),
  });
  const causes = h("section", { class: "card stage-section", "data-stage": "causes" },
    h("h2", {}, tr("The real causes, and who found them")),
    h("ul", { class: "stage-causes" }, d.causes.map((c) => h("li", { "data-cause": c.id },
      h("strong", {}, c.label),
      h("span", { class: "found" }, c.foundBy.length ? tr("Found by {teams}", { teams: c.foundBy.map((t) => t.name).join(", ") }) : tr("Found by no team"))))));
  fill(byId("stage-debrief-body"),
    d.kpis.length && d.kpis[0].teams.length ? h("div", { class: "charts" }, charts) : h("p", { class: "empty" }, tr("No team has an outcome.")),
    h("div", { class: "stage-section charts" }, roi, causes));
}

function render() {
  if (!view) return;
  const mode = view.mode;
  for (const name of SECTIONS) byId(`stage-${name}`).hidden = name !== mode;
  main.dataset.mode = mode;
  if (mode === "lobby") renderLobby();
  if (mode === "round") renderRound();
  if (mode === "scoring") renderScoring();
  // The reveal plays once, when the leaderboard comes on; later views only update it.
  if (mode === "leaderboard" && shownMode !== "leaderboard") renderLeaderboard();
  if (mode === "debrief") renderDebrief();
  shownMode = mode;
}

function tickClock() {
  if (!view || view.mode !== "round") return;
  const c = view.clock;
  let text = "–";
  let label = tr("Time left");
  let urgent = false;
  if (c.paused && c.remaining !== null) {
    text = clock(c.remaining);
    label = tr("Paused");
  } else if (c.deadline) {
    const left = c.deadline - serverClock.now();
    text = clock(left);
    urgent = left < 120;
    if (left <= 0) label = tr("Time is up");
  } else {
    label = tr("Clock stopped");
  }
  const node = byId("stage-clock");
  if (node.textContent !== text) node.textContent = text;
  node.dataset.urgent = String(urgent);
  const labelNode = byId("stage-clock-label");
  if (labelNode.textContent !== label) labelNode.textContent = label;
}

live.on("stage", (next) => {
  view = next;
  render();
  tickClock();
});
live.on("connect_error", (err) => {
  // An expired or forged link is refused for good: say so instead of retrying forever.
  if (err && err.message === "auth/bad_stage_link") {
    byId("stage-expired").hidden = false;
    live.socket.disconnect();
  }
});

// Renew the link well before it expires, so a reconnect after a drop (or a reload) still works.
async function renew() {
  const ack = await live.request("stage_renew", {}).catch(() => null);
  if (ack && ack.ok) {
    token = ack.token;
    window.history.replaceState(null, "", `/stage/${encodeURIComponent(token)}`);
  }
}
setInterval(renew, renewSeconds * 1000);
setInterval(tickClock, 250);
serverClock.sync();
