// The live connection: wraps the vendored Socket.IO client (window.io, loaded by a classic
// <script> before this module). Actions carry a client-generated actionId and are retried with
// the SAME id on timeout or reconnect, so the server applies each at most once.
import { t as tr } from "./i18n.js";

const ACK_TIMEOUT_MS = 6000;
const MAX_ATTEMPTS = 6;
// session/moved answers followed (about a second each) before an action gives up.
const MAX_MOVES = 30;

/** Return a fresh action id (URL-safe, 22 chars). */
export function newActionId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"[b & 63]).join("");
}

/** The server clock, estimated from /clock round trips: serverNow() = Date.now() + offset. */
export class ServerClock {
  constructor(url = "/clock") {
    this.url = url;
    this.offsetMs = 0;
  }

  /** Measure the offset a few times and keep the sample with the shortest round trip. */
  async sync(samples = 3) {
    let best = null;
    for (let i = 0; i < samples; i += 1) {
      try {
        const t0 = Date.now();
        const response = await fetch(this.url, { cache: "no-store", credentials: "same-origin" });
        const t1 = Date.now();
        const body = await response.json();
        const rtt = t1 - t0;
        if (best === null || rtt < best.rtt) {
          best = { rtt, offset: body.now * 1000 - (t0 + t1) / 2 };
        }
      } catch {
        // Offline: keep the last offset; the countdown stays close enough until we are back.
      }
    }
    if (best !== null) this.offsetMs = best.offset;
    return this.offsetMs;
  }

  /** Return the server's "now" in seconds since the epoch. */
  now() {
    return (Date.now() + this.offsetMs) / 1000;
  }
}

/**
 * One Socket.IO namespace connection with idempotent, retried actions.
 * Emits "status" with "connecting" | "online" | "reconnecting" | "offline" to listeners.
 */
export class Live {
  constructor(namespace, { auth = null, extra = {}, session = null } = {}) {
    if (typeof window.io !== "function") throw new Error("socket.io client is not loaded");
    this.namespace = namespace;
    this.extra = extra; // merged into every action payload (e.g. sessionId for facilitators)
    this.handlers = new Map();
    this.state = "connecting";
    this.everConnected = false;
    this.socket = window.io(namespace, {
      auth: (cb) => cb(typeof auth === "function" ? auth() : auth || {}),
      // A proxy in front of several servers routes by this parameter to the session's owner.
      query: session ? { session } : {},
      transports: ["websocket", "polling"],
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
    });
    this.socket.on("connect", () => {
      const again = this.everConnected;
      this.everConnected = true;
      this.setState("online");
      this.fire("connected", { again });
    });
    this.socket.on("disconnect", (reason) => {
      // "io server disconnect" means the server refused us: socket.io will not retry by itself.
      if (reason === "io server disconnect") this.setState("offline");
      else this.setState("reconnecting");
    });
    this.socket.on("connect_error", (err) => {
      this.setState(this.everConnected ? "reconnecting" : "connecting");
      this.fire("connect_error", err);
    });
    this.socket.onAny((event, payload) => this.fire(event, payload));
    // The browser knows before the heartbeat does: drop the transport so socket.io starts its
    // reconnect loop now, and retry at once when the network returns.
    window.addEventListener("offline", () => {
      this.setState("reconnecting");
      if (this.socket.io.engine) this.socket.io.engine.close();
    });
    window.addEventListener("online", () => {
      if (!this.socket.connected) this.socket.connect();
    });
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.fire("status", state);
  }

  /** Register a handler for a server event (or "status", "connected"). */
  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(handler);
    return this;
  }

  fire(event, payload) {
    for (const handler of this.handlers.get(event) || []) {
      try {
        handler(payload);
      } catch (err) {
        console.error(`handler for ${event} failed`, err);
      }
    }
  }

  /** Wait until the socket is connected. */
  connected() {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve) => this.socket.once("connect", resolve));
  }

  /** Emit an event and resolve with its ack, or reject on timeout. */
  request(event, payload, timeoutMs = ACK_TIMEOUT_MS) {
    return this.socket.timeout(timeoutMs).emitWithAck(event, payload);
  }

  /**
   * Send an action and resolve with the server's ack ({ok: true, ...} or {ok: false, code,
   * message}). A timeout or a dropped connection retries with the same actionId.
   */
  async act(event, data = {}) {
    const payload = { ...this.extra, ...data, actionId: newActionId() };
    let lastError = null;
    let moves = 0;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      await this.connected();
      try {
        const ack = await this.request(event, payload);
        if (ack && ack.code === "session/moved" && moves < MAX_MOVES) {
          // Another server takes the session over (a lease runs out within seconds): wait,
          // reconnect, and send the same actionId again. Not a failed attempt.
          moves += 1;
          attempt -= 1;
          await this.moveTo(ack);
          continue;
        }
        return ack;
      } catch (err) {
        lastError = err; // no ack in time: the same actionId is safe to send again
      }
    }
    return { ok: false, code: "client/timeout", message: `No answer from the server (${lastError})` };
  }

  /** Reconnect, routed by the session a `session/moved` answer names, after its delay. */
  async moveTo(ack) {
    if (ack.sessionId) this.socket.io.opts.query = { ...this.socket.io.opts.query, session: ack.sessionId };
    await new Promise((resolve) => setTimeout(resolve, 1000 * (ack.retryAfter || 1)));
    this.reconnect();
  }

  /** Drop and re-open the connection (after the token changed, say). */
  reconnect() {
    this.socket.disconnect();
    this.socket.connect();
  }
}

/** Show the connection state in an element with data-state and a visible label. */
export function bindConnectionBadge(live, badge, banner) {
  const labels = {
    connecting: tr("Connecting…"),
    online: tr("Connected"),
    reconnecting: tr("Reconnecting…"),
    offline: tr("Offline"),
  };
  const show = (state) => {
    badge.dataset.state = state;
    badge.querySelector(".label").textContent = labels[state] || state;
    if (banner) {
      const down = state === "reconnecting" || state === "offline";
      banner.hidden = !down;
      banner.textContent = down
        ? tr("Reconnecting to the server… your work is saved; changes will sync when you are back.")
        : "";
    }
  };
  show(live.state);
  live.on("status", show);
}
