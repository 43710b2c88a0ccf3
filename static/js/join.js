// The join page: send the code and name, keep the token the server answers, open the room.

import { Live } from "./live.js";
import { byId } from "./dom.js";
import { rememberSeat, lastSeat } from "./seat.js";

const MESSAGES = {
  "join/bad_code": "No session has that code. Check the code on the facilitator's screen (letters O and I are never used).",
  "join/rate_limited": "Too many attempts from this network. Wait a minute, then try again.",
  "session/closed": "This session has ended. Ask your facilitator for the code of a running session.",
  "learner/name_invalid": "Enter a name of 1 to 40 characters.",
  "payload/invalid": "Check the code and your name, then try again.",
  "client/timeout": "The server did not answer. Check your connection and try again.",
};

const form = byId("join-form");
const errorBox = byId("join-error");
const button = byId("join-button");
const live = new Live("/play");

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = false;
}

const previous = lastSeat();
if (previous) {
  const link = byId("resume-link");
  link.href = `/room/${encodeURIComponent(previous.sessionId)}`;
  byId("resume").hidden = false;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const code = byId("code").value.trim();
  const name = byId("name").value.trim();
  if (!code) {
    showError("Enter the join code.");
    byId("code").focus();
    return;
  }
  if (!name) {
    showError("Enter your name.");
    byId("name").focus();
    return;
  }
  button.disabled = true;
  button.textContent = "Joining…";
  const ack = await live.act("join_session", { code, name });
  if (ack.ok) {
    rememberSeat(ack.sessionId, ack.token, ack.learnerId);
    window.location.assign(`/room/${encodeURIComponent(ack.sessionId)}`);
    return;
  }
  button.disabled = false;
  button.textContent = "Join the session";
  showError(MESSAGES[ack.code] || ack.message || "Could not join.");
});
