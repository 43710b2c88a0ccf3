// The join page: send the code and name, keep the token the server answers, open the room.

import { Live } from "./live.js";
import { byId } from "./dom.js";
import { rememberSeat, lastSeat } from "./seat.js";
import { errorText, t } from "./i18n.js";

// The join page's own words for the codes a join can be refused with (clearer than the
// server's generic ones); any other code goes through the catalogue's error texts.
const MESSAGES = {
  "join/bad_code": () => t("No session has that code. Check the code on the facilitator's screen (letters O and I are never used)."),
  "join/rate_limited": () => t("Too many attempts from this network. Wait a minute, then try again."),
  "session/closed": () => t("This session has ended. Ask your facilitator for the code of a running session."),
  "learner/name_invalid": () => t("Enter a name of 1 to 40 characters."),
  "payload/invalid": () => t("Check the code and your name, then try again."),
  "client/timeout": () => t("The server did not answer. Check your connection and try again."),
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
    showError(t("Enter the join code."));
    byId("code").focus();
    return;
  }
  if (!name) {
    showError(t("Enter your name."));
    byId("name").focus();
    return;
  }
  button.disabled = true;
  button.textContent = t("Joining…");
  const ack = await live.act("join_session", { code, name });
  if (ack.ok) {
    rememberSeat(ack.sessionId, ack.token, ack.learnerId);
    window.location.assign(`/room/${encodeURIComponent(ack.sessionId)}`);
    return;
  }
  button.disabled = false;
  button.textContent = t("Join the session");
  showError(MESSAGES[ack.code] ? MESSAGES[ack.code]() : errorText(ack, t("Could not join.")));
});
