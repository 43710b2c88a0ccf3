// The projector screen: join code and QR (server-rendered), round, countdown, leaderboard.

import { Live, ServerClock, bindConnectionBadge } from "./live.js";
import { byId, fill, h, num } from "./dom.js";
import { startCountdown } from "./common.js";

const sessionId = byId("main").dataset.sessionId;
const serverClock = new ServerClock();
const live = new Live("/facilitate", { extra: { sessionId }, session: sessionId });
bindConnectionBadge(live, byId("conn"), byId("conn-banner"));
let pub = null;
let scenario = null;

function render() {
  if (!pub) return;
  const round = pub.round && scenario ? scenario.rounds[pub.round.index] : null;
  byId("proj-round").textContent = pub.phase === "lobby" ? "Forming teams"
    : pub.phase === "round" ? `Round ${pub.round.index + 1} of ${pub.roundCount}: ${round ? round.name : pub.round.name}${pub.paused ? " (paused)" : ""}`
      : pub.phase === "debrief" ? "Debrief" : "Session ended";
  const board = pub.leaderboard || [];
  if (!board.length) {
    const names = pub.teams.map((t) => t.name).join(", ");
    fill(byId("leaderboard"), h("p", { class: "empty" },
      `Scores appear when the facilitator publishes a round. Teams so far (${pub.teams.length}): `, names || "none yet"));
    return;
  }
  const rows = board.map((row) => h("tr", { "data-team": row.team },
    h("td", {}, String(row.rank)), h("td", { class: "break" }, row.name), h("td", { class: "num" }, num(row.points))));
  fill(byId("leaderboard"), h("table", {},
    h("caption", { class: "visually-hidden" }, "Leaderboard of published scores"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Rank"), h("th", { scope: "col" }, "Team"), h("th", { scope: "col", class: "num" }, "Points"))),
    h("tbody", {}, rows)));
}

startCountdown(() => pub, serverClock, byId("countdown"), byId("countdown-value"));
// Only the public part of the board is shown, and a patch carries it whole when it changed.
live.on("board_patch", (patch) => {
  const next = patch.board ? patch.board.public : patch.set && patch.set.public;
  if (next) { pub = next; render(); }
});
live.on("public", (p) => { pub = p; render(); });
live.on("connected", async () => {
  const ack = await live.request("watch", { sessionId }).catch(() => null);
  if (ack && ack.code === "session/moved") return live.moveTo(ack); // watch again on the owner
  if (ack && ack.ok) {
    scenario = ack.scenario;
    pub = ack.board.public;
    render();
  }
});
serverClock.sync();
