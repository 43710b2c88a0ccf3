// Shared text fields: every free-text field a team shares is a Yjs document (root Y.Text "t"),
// edited by everyone at once. Each keystroke burst goes to the server as a Yjs update
// (edit_text); the server merges it with pycrdt (Yrs, the same format), stores it and relays it
// to the team (in its team_patch, as textUpdates). Merging is order-free, so two people typing in one field both keep
// every word, and edits made offline merge on reconnect (text_sync exchanges state vectors).
// Carets are relayed as Yjs relative positions (text_cursor), which survive concurrent edits.

import * as Y from "../vendor/yjs.min.js";
import { h, fill } from "./dom.js";
import { t as tr } from "./i18n.js";
import { newActionId } from "./live.js";

const ROOT = "t";
const REMOTE = "remote"; // transaction origin of what the server sent: never sent back
const FLUSH_MS = 200; // a keystroke burst: short enough that teammates see words appear live
const CURSOR_MS = 250;
const CARET_COLOURS = ["#0b6e4f", "#8a3ffc", "#b5451b", "#005fb8", "#9c1e5b", "#6b5d00"];

/** Return base64 text of bytes. */
export function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Return the bytes of base64 text. */
export function fromBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function colourOf(learnerId) {
  let hash = 0;
  for (const ch of String(learnerId)) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return CARET_COLOURS[hash % CARET_COLOURS.length];
}

/** Give a node a person's colour (through the CSSOM: the page's CSP refuses style attributes). */
function tinted(node, learnerId) {
  node.style.setProperty("--caret", colourOf(learnerId));
  return node;
}

/**
 * The single splice that turns `old` into `now`: [start, deleteCount, insertText]. Where the
 * text repeats a character the change is ambiguous ("ba|a|lpha"); the caret, which sits right
 * after what was typed or where a deletion was, says where it really happened, so the edit keeps
 * its author's neighbours in the document and never lands inside a teammate's word.
 */
export function splice(old, now, caret = null) {
  const delta = now.length - old.length;
  if (caret !== null && delta > 0 && caret >= delta) {
    const start = caret - delta;
    if (old.slice(0, start) === now.slice(0, start) && old.slice(start) === now.slice(caret)) {
      return [start, 0, now.slice(start, caret)];
    }
  }
  if (caret !== null && delta < 0) {
    if (old.slice(0, caret) === now.slice(0, caret) && old.slice(caret - delta) === now.slice(caret)) {
      return [caret, -delta, ""];
    }
  }
  return smallestSplice(old, now);
}

function smallestSplice(old, now) {
  let start = 0;
  const limit = Math.min(old.length, now.length);
  while (start < limit && old[start] === now[start]) start += 1;
  let endOld = old.length;
  let endNew = now.length;
  while (endOld > start && endNew > start && old[endOld - 1] === now[endNew - 1]) {
    endOld -= 1;
    endNew -= 1;
  }
  return [start, endOld - start, now.slice(start, endNew)];
}

/** One field's document, the textarea showing it, and what has not reached the server yet. */
class Field {
  constructor(owner, key) {
    this.owner = owner;
    this.key = key;
    this.sending = false;
    this.timer = null;
    this.area = null;
    this.status = null;
    this.presence = null;
    this.layer = null;
    this.reset();
  }

  /** Start from an empty document (at first, and after the server refused an edit). */
  reset() {
    if (this.doc) this.doc.destroy();
    clearTimeout(this.timer);
    this.timer = null;
    this.doc = new Y.Doc();
    this.text = this.doc.getText(ROOT);
    this.synced = false; // the document holds the server's state (after a text_sync)
    this.dirty = false; // local edits not yet acknowledged by the server
    this.pending = [];
    if (this.area) this.area.readOnly = true;
    this.doc.on("update", (update, origin) => {
      if (origin === REMOTE) return;
      this.pending.push(update);
      this.dirty = true;
      this.schedule();
    });
  }

  /** Show this document in a textarea (a re-render may hand a new one). */
  attach(area, status, presence, layer) {
    this.area = area;
    this.status = status;
    this.presence = presence;
    this.layer = layer;
    if (this.synced) area.value = this.text.toString();
    area.readOnly = !this.synced; // until the server's text is here, typing would be lost
    area.addEventListener("input", () => this.typed());
    for (const type of ["keyup", "mouseup", "focus", "select"]) area.addEventListener(type, () => this.owner.caretMoved(this));
    area.addEventListener("blur", () => this.owner.caretLeft(this));
    area.addEventListener("scroll", () => this.drawCarets());
    this.drawCarets();
  }

  /** Turn what the textarea now holds into one Yjs edit. */
  typed() {
    if (!this.synced) return; // read-only until synced; nothing to merge into yet
    const area = this.area;
    const caret = area.selectionStart === area.selectionEnd ? area.selectionStart : null;
    const [start, removed, inserted] = splice(this.text.toString(), area.value, caret);
    this.doc.transact(() => {
      if (removed) this.text.delete(start, removed);
      if (inserted) this.text.insert(start, inserted);
    });
    this.drawCarets();
  }

  schedule() {
    this.say(this.owner.live.state === "online" ? tr("Saving…") : tr("Offline: kept on this device, it will sync when you are back"));
    if (this.timer === null) this.timer = setTimeout(() => { this.timer = null; this.flush(); }, FLUSH_MS);
  }

  say(text) {
    if (this.status) this.status.textContent = text;
  }

  /** Send the edits made since the last send (one at a time, in order). */
  async flush() {
    if (this.sending || !this.pending.length) return;
    if (this.owner.live.state !== "online") return; // text_sync after the reconnect sends them
    const update = this.pending.length === 1 ? this.pending[0] : Y.mergeUpdates(this.pending);
    this.pending = [];
    this.sending = true;
    const team = this.owner.teamId;
    let ack = null;
    try {
      ack = await this.owner.live.request("edit_text", { actionId: newActionId(), team, field: this.key, update: toBase64(update) });
    } catch {
      ack = null; // no answer: the reconnect's sync compares state vectors and resends
    }
    this.sending = false;
    if (team !== this.owner.teamId) return; // moved meanwhile: this document is gone
    if (ack && ack.code === "session/moved") {
      // Another server takes the session over: nothing was stored, so the edit goes again
      // (merged with what was typed meanwhile) once the socket has moved.
      this.pending.unshift(update);
      await this.owner.live.moveTo(ack);
      this.schedule();
      return;
    }
    if (ack && ack.ok) {
      if (!this.pending.length) {
        this.dirty = false;
        this.say(tr("Saved"));
      }
    } else if (ack && ack.code === "text/missing_history") {
      await this.owner.sync([this.key]);
    } else if (ack) {
      this.say(`Not saved: ${ack.message}`);
      this.owner.refused(this, ack);
      return;
    } else {
      this.say(tr("Not saved yet: it will sync when the connection is back"));
      return;
    }
    if (this.pending.length) this.flush();
  }

  /** Merge what the server sent, keeping the local caret where it belongs. */
  merge(update) {
    const area = this.area;
    const focused = area && document.activeElement === area;
    let anchor = null;
    let head = null;
    if (focused) {
      // Left-sticky: the caret stays after the character before it, so a teammate typing at
      // the same place inserts after our caret's position rather than dragging the caret along.
      anchor = Y.createRelativePositionFromTypeIndex(this.text, area.selectionStart, -1);
      head = Y.createRelativePositionFromTypeIndex(this.text, area.selectionEnd, -1);
    }
    Y.applyUpdate(this.doc, update, REMOTE);
    if (!area) return;
    const value = this.text.toString();
    if (area.value !== value) {
      area.value = value;
      if (focused) {
        const a = Y.createAbsolutePositionFromRelativePosition(anchor, this.doc);
        const b = Y.createAbsolutePositionFromRelativePosition(head, this.doc);
        if (a && b) area.setSelectionRange(a.index, b.index);
      }
    }
    this.drawCarets();
  }

  /** Draw teammates' carets over the textarea (a mirror with the same box and font). */
  drawCarets() {
    const area = this.area;
    if (!area || !this.layer) return;
    const here = this.owner.caretsIn(this.key);
    const value = this.text.toString();
    const marks = [];
    for (const caret of here) {
      const index = this.owner.resolve(this, caret.head);
      if (index !== null) marks.push({ index: Math.min(index, value.length), caret });
    }
    marks.sort((x, y) => x.index - y.index);
    const parts = [];
    let at = 0;
    for (const { index, caret } of marks) {
      parts.push(value.slice(at, index));
      parts.push(tinted(h("span", { class: "remote-caret" },
        h("span", { class: "remote-caret-name" }, caret.name)), caret.learnerId));
      at = index;
    }
    parts.push(value.slice(at), "\u200b");
    const style = getComputedStyle(area);
    for (const prop of ["font", "letterSpacing", "lineHeight", "paddingTop", "paddingRight", "paddingBottom", "paddingLeft", "borderTopWidth", "borderRightWidth", "borderBottomWidth", "borderLeftWidth", "textIndent", "tabSize"]) {
      this.layer.style[prop] = style[prop];
    }
    this.layer.style.width = `${area.clientWidth + parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth)}px`;
    this.layer.style.height = `${area.offsetHeight}px`;
    fill(this.layer, ...parts);
    this.layer.scrollTop = area.scrollTop;
    if (this.presence) {
      fill(this.presence, here.length
        ? [h("span", { class: "sr-only" }, tr("Also in this field: ")),
          ...here.map((c) => tinted(h("span", { class: "presence-chip" }, `✎ ${c.name}`), c.learnerId))]
        : []);
    }
  }

  destroy() {
    clearTimeout(this.timer);
    this.doc.destroy();
  }
}

/** Every shared text field of the learner's team, kept in step with the server. */
export class SharedTexts {
  constructor(live, { onRefused = () => {} } = {}) {
    this.live = live;
    this.onRefused = onRefused;
    this.teamId = null;
    this.fields = new Map();
    this.carets = new Map(); // learnerId -> {learnerId, name, field, anchor, head}
    this.online = null;
    this.cursorTimer = null;
    live.on("text_cursor", (msg) => this.caretReceived(msg));
    live.on("status", (state) => {
      if (state !== "online") for (const field of this.fields.values()) if (field.dirty) field.say(tr("Offline: kept on this device, it will sync when you are back"));
    });
  }

  /** Follow the learner's team: a new team starts from fresh documents, nothing carried over. */
  setTeam(teamId) {
    if (teamId === this.teamId) return false;
    for (const field of this.fields.values()) field.destroy();
    this.fields.clear();
    this.carets.clear();
    this.teamId = teamId;
    return true;
  }

  field(key) {
    if (!this.fields.has(key)) this.fields.set(key, new Field(this, key));
    return this.fields.get(key);
  }

  /**
   * Make a textarea edit a shared field. Returns the element to put in the page: the textarea
   * inside a box that also draws teammates' carets; `presence` lists who else is in the field.
   */
  bind(area, key, { status = null, presence = null, fallback = "" } = {}) {
    const field = this.field(key);
    const layer = h("div", { class: "caret-layer", "aria-hidden": "true" });
    const box = h("div", { class: "shared-field" }, layer, area);
    if (!field.synced) area.value = fallback;
    field.attach(area, status, presence, layer);
    if (!field.synced) this.sync([key]);
    return box;
  }

  /** Exchange state vectors with the server: get what we lack, send what it lacks. */
  async sync(keys = null) {
    const team = this.teamId;
    if (!team || this.live.state !== "online") return;
    const wanted = {};
    for (const key of keys || this.fields.keys()) wanted[key] = this.fields.has(key) && this.fields.get(key).synced ? toBase64(Y.encodeStateVector(this.field(key).doc)) : "";
    if (!Object.keys(wanted).length) return;
    let answer = null;
    try {
      answer = await this.live.request("text_sync", { team, fields: wanted });
    } catch {
      return; // the next reconnect syncs again
    }
    if (!answer || !answer.ok || team !== this.teamId) return; // (session/moved: the hello after the move syncs)
    for (const [key, doc] of Object.entries(answer.docs)) {
      const field = this.field(key);
      const first = !field.synced;
      field.synced = true;
      field.merge(fromBase64(doc.update));
      if (first && field.area) {
        field.area.value = field.text.toString();
        field.area.readOnly = false;
      }
      if (field.dirty || !first) {
        // What the server lacks of ours (offline edits, an edit whose answer never came).
        const missing = Y.encodeStateAsUpdate(field.doc, fromBase64(doc.stateVector));
        if (field.dirty) {
          field.pending = [missing];
          field.flush();
        }
      }
    }
  }

  /** The merged edits a team patch carries (textUpdates): merge each into its field. */
  receivedAll(teamId, updates) {
    for (const update of updates || []) this.received({ ...update, teamId });
  }

  received(msg) {
    if (!msg || msg.teamId !== this.teamId) return;
    const field = this.fields.get(msg.field);
    if (field && field.synced) field.merge(fromBase64(msg.update));
    // A field nobody here has open yet is fetched whole when it is first shown.
  }

  /** Send and wait until every field's edits are acknowledged (before submitting). */
  async flushAll() {
    for (let i = 0; i < 20; i += 1) {
      const busy = [...this.fields.values()].filter((f) => f.pending.length || f.sending || f.timer !== null);
      if (!busy.length) return true;
      for (const field of busy) {
        clearTimeout(field.timer);
        field.timer = null;
        field.flush();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  /** The server refused an edit: start the field again from the server's text. */
  async refused(field, ack) {
    this.onRefused(field.key, ack);
    if (ack.code === "team/changed") return; // the new team's view is on its way
    field.reset();
    await this.sync([field.key]);
  }

  // --- carets ---------------------------------------------------------------------------------

  caretMoved(field) {
    clearTimeout(this.cursorTimer);
    this.cursorTimer = setTimeout(() => this.sendCaret(field), CURSOR_MS);
  }

  caretLeft(field) {
    clearTimeout(this.cursorTimer);
    this.cursorTimer = setTimeout(() => {
      if (!document.activeElement || !document.activeElement.closest || !document.activeElement.closest(".shared-field")) this.sendCaret(null);
    }, CURSOR_MS);
  }

  sendCaret(field) {
    if (!this.teamId || this.live.state !== "online") return;
    let anchor = null;
    let head = null;
    if (field && field.area) {
      const encode = (index) => toBase64(Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(field.text, index, -1)));
      anchor = encode(field.area.selectionStart);
      head = encode(field.area.selectionEnd);
    }
    this.live.request("text_cursor", { team: this.teamId, field: field ? field.key : null, anchor, head }).catch(() => {});
  }

  caretReceived(msg) {
    if (!msg || msg.teamId !== this.teamId) return;
    const before = this.carets.get(msg.learnerId);
    if (msg.field) this.carets.set(msg.learnerId, msg);
    else this.carets.delete(msg.learnerId);
    for (const key of new Set([before && before.field, msg.field])) {
      if (key && this.fields.has(key)) this.fields.get(key).drawCarets();
    }
  }

  /** Keep only the carets of people online (the server sends who is online). */
  setOnline(online) {
    this.online = online;
    for (const id of [...this.carets.keys()]) {
      if (!online.has(id)) {
        const gone = this.carets.get(id);
        this.carets.delete(id);
        if (this.fields.has(gone.field)) this.fields.get(gone.field).drawCarets();
      }
    }
  }

  caretsIn(key) {
    return [...this.carets.values()].filter((c) => c.field === key);
  }

  resolve(field, encoded) {
    if (!encoded) return null;
    try {
      const position = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(encoded)), field.doc);
      return position ? position.index : null;
    } catch {
      return null;
    }
  }

  /** What the page shows while nothing is shared yet: the number of fields not yet saved. */
  unsaved() {
    return [...this.fields.values()].filter((f) => f.dirty).length;
  }
}
