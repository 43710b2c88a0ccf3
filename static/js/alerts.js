// Alerts that reach people in the team room: unread counts on the sticky bar's buttons and in
// the tab title, an assertive live region for screen readers, and an optional short beep
// (WebAudio, off until the learner switches it on; the choice is remembered in localStorage).
import { t as tr } from "./i18n.js";


const SOUND_KEY = "practicum:sound";

/** Return whether the learner switched the alert sound on. */
export function soundOn() {
  try {
    return localStorage.getItem(SOUND_KEY) === "on";
  } catch {
    return false;
  }
}

let audio = null;

/** Remember the sound choice; switching it on (a user gesture) also unlocks audio playback. */
export function setSound(on) {
  try {
    localStorage.setItem(SOUND_KEY, on ? "on" : "off");
  } catch {
    // private mode: the choice lasts for this page only
  }
  if (on) beep(true);
}

/** Play a short two-tone beep when the sound is on (or `force`d, e.g. to preview it). */
export function beep(force = false) {
  if (!force && !soundOn()) return;
  try {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    audio = audio || new Context();
    if (audio.state === "suspended") audio.resume();
    const start = audio.currentTime + 0.01;
    for (const [offset, freq] of [[0, 880], [0.18, 660]]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.15, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.16);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.17);
    }
  } catch {
    // no audio device: the visible alert and the live region still tell the learner
  }
}

/** Say `text` through an aria-live region (cleared first, so the same words are said again). */
export function announce(region, text) {
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 60);
}

/** Show an unread count on a bar button: a visible number and words for screen readers. */
export function showCount(button, countNode, count) {
  const n = Math.max(0, count | 0);
  button.dataset.unread = String(n);
  countNode.dataset.count = String(n);
  countNode.textContent = n ? String(n) : "";
  const words = button.querySelector("[data-unread-words]");
  if (words) words.textContent = n ? tr(" unread") : "";
}

/** Put the unread messages first in the tab title: "(1) New message – Practicum". */
export function showTitle(baseTitle, messages, others) {
  if (messages > 0) document.title = tr("({count}) New messages – {title}", { count: messages, title: baseTitle });
  else if (others > 0) document.title = `(${others}) ${baseTitle}`;
  else document.title = baseTitle;
}

/**
 * What this browser has seen of a team, kept per session in localStorage so a reload does not
 * alert again: the injects read, and the chat and activity indexes seen.
 */
export class ReadState {
  constructor(sessionId) {
    this.key = `practicum:read:${sessionId}`;
    this.data = { team: null, injects: [], chat: 0, activity: 0 };
    try {
      const stored = JSON.parse(localStorage.getItem(this.key) || "null");
      if (stored && typeof stored === "object") Object.assign(this.data, stored);
    } catch {
      // unreadable: start afresh
    }
    this.fresh = !this.data.team;
  }

  /** Start afresh when the learner's team changed (a move): the new team's history is unread. */
  forTeam(teamId, counts) {
    if (this.data.team === teamId) return false;
    // What was said and done before this browser saw the team is history, not news; the
    // team's messages (injects) stay unread until opened.
    this.data = { team: teamId, injects: [], chat: counts.chat, activity: counts.activity };
    this.save();
    return true;
  }

  isRead(injectId) {
    return this.data.injects.includes(injectId);
  }

  markRead(injectId) {
    if (!this.isRead(injectId)) {
      this.data.injects.push(injectId);
      this.save();
    }
  }

  seen(kind, count) {
    if (count > (this.data[kind] || 0)) {
      this.data[kind] = count;
      this.save();
    }
  }

  save() {
    try {
      localStorage.setItem(this.key, JSON.stringify(this.data));
    } catch {
      // private mode: the state lasts for this page only
    }
  }
}
