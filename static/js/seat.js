// A learner's seat in a session: the signed token the server issued, kept in localStorage so a
// reload or a reconnect resumes as the same learner.

const PREFIX = "practicum:seat:";
const LAST = "practicum:last";

/** Store the token for a session and remember it as the latest seat. */
export function rememberSeat(sessionId, token, learnerId) {
  const seat = { sessionId, token, learnerId, at: Date.now() };
  localStorage.setItem(PREFIX + sessionId, JSON.stringify(seat));
  localStorage.setItem(LAST, sessionId);
  return seat;
}

/** Return the stored seat of a session, or null. */
export function seatFor(sessionId) {
  try {
    const seat = JSON.parse(localStorage.getItem(PREFIX + sessionId) || "null");
    return seat && typeof seat.token === "string" ? seat : null;
  } catch {
    return null;
  }
}

/** Return the latest seat on this device, or null. */
export function lastSeat() {
  const sessionId = localStorage.getItem(LAST);
  return sessionId ? seatFor(sessionId) : null;
}

/** Forget a session's seat (the server no longer knows the token). */
export function forgetSeat(sessionId) {
  localStorage.removeItem(PREFIX + sessionId);
  if (localStorage.getItem(LAST) === sessionId) localStorage.removeItem(LAST);
}
