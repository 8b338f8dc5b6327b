// The websocket client (protocol: docs/asyncapi.yaml). One Connection per page.
//
//   const conn = new Connection({ token })        // a seat
//   const conn = new Connection({ code })         // a screen watching a table
//   conn.onState((state, conn) => ...)            // {public, private} after welcome and each update
//   conn.onError((err) => ...)                    // error frames not tied to an intent
//   conn.onAnnouncement((text) => ...)
//   conn.onStatus((status) => ...)                // "connecting" | "open" | "reconnecting" | "closed"
//   conn.onFatal((err) => ...)                    // bad token / unknown table: stop, do not retry
//   await conn.send({ type: "vote", choice: "accept" })   // resolves once applied, rejects with {code, message}
//   conn.start()

const PROTOCOL = 3;
const PING_EVERY = 20000;
const SILENCE_LIMIT = 50000;
const BACKOFF_FIRST = 500;
const BACKOFF_CAP = 5000;
const BUSY_RETRIES = 3;
const FATAL = new Set(["bad_token", "not_found"]);

let counter = 0;
const session = Math.random().toString(36).slice(2, 10);

function newCmid() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  counter += 1;
  return `${session}-${Date.now().toString(36)}-${counter}`;
}

export class Connection {
  constructor({ token = null, code = null, lang = document.body.dataset.lang || "da", url = null } = {}) {
    this.token = token;
    this.code = code;
    this.lang = lang;
    this.url = url || `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
    this.ws = null;
    this.seq = null; // the last sequence number seen; null before the first welcome
    this.state = null;
    this.scenario = null;
    this.seat = null;
    this.role = null;
    this.language = lang;
    this.timeline = []; // event records seen since this page opened, in seq order
    this.known = new Set(); // their seqs
    this.pending = new Map(); // cmid -> {action, resolve, reject, busy}
    this.listeners = { state: [], error: [], announcement: [], status: [], fatal: [], events: [] };
    this.status = "closed";
    this.attempt = 0;
    this.stopped = false;
    this.welcomed = false;
    this.lastHeard = 0;
    this.pingTimer = null;
    this.retryTimer = null;
    this.syncAsked = 0;
  }

  // --- listeners ------------------------------------------------------------------
  onState(cb) {
    return this._on("state", cb);
  }
  onError(cb) {
    return this._on("error", cb);
  }
  onAnnouncement(cb) {
    return this._on("announcement", cb);
  }
  onStatus(cb) {
    return this._on("status", cb);
  }
  onFatal(cb) {
    return this._on("fatal", cb);
  }
  onEvents(cb) {
    return this._on("events", cb);
  }
  _on(kind, cb) {
    this.listeners[kind].push(cb);
    return () => {
      this.listeners[kind] = this.listeners[kind].filter((f) => f !== cb);
    };
  }
  _emit(kind, ...args) {
    for (const cb of this.listeners[kind]) {
      try {
        cb(...args);
      } catch (err) {
        console.error(err); // a broken listener must not break the connection
      }
    }
  }

  // --- lifecycle ------------------------------------------------------------------
  start() {
    this.stopped = false;
    this._connect();
    window.addEventListener("online", () => this._kick());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this._kick();
    });
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    if (this.ws) this.ws.close(1000, "bye");
    this._setStatus("closed");
  }

  /** Reconnect now if the socket is down (back online, tab visible again). */
  _kick() {
    if (this.stopped) return;
    if (!this.ws || this.ws.readyState === WebSocket.CLOSED) {
      clearTimeout(this.retryTimer);
      this._connect();
    } else if (this.ws.readyState === WebSocket.OPEN) {
      this._raw({ type: "ping" });
    }
  }

  _setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this._emit("status", status);
  }

  _connect() {
    if (this.stopped) return;
    this._setStatus(this.attempt === 0 && !this.welcomed ? "connecting" : "reconnecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this._retry();
      return;
    }
    this.ws = ws;
    this.welcomed = false;
    ws.addEventListener("open", () => {
      this.lastHeard = Date.now();
      this._hello();
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this._heartbeat(), PING_EVERY);
    });
    ws.addEventListener("message", (msg) => {
      this.lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(msg.data);
      } catch {
        return;
      }
      this._handle(frame);
    });
    ws.addEventListener("close", () => {
      if (this.ws !== ws) return;
      clearInterval(this.pingTimer);
      this.ws = null;
      if (!this.stopped) this._retry();
    });
    ws.addEventListener("error", () => {
      // A close event follows; reconnecting happens there.
    });
  }

  _hello() {
    const hello = { type: "hello", lang: this.lang };
    if (this.token) hello.token = this.token;
    else hello.code = this.code;
    if (this.seq !== null) hello.last_seq = this.seq;
    this._raw(hello);
  }

  _retry() {
    if (this.stopped) return;
    this._setStatus("reconnecting");
    const delay = Math.min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this._connect(), delay);
  }

  _heartbeat() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > SILENCE_LIMIT) {
      // The network dropped without a close: give up on this socket and dial again.
      const dead = this.ws;
      this.ws = null;
      clearInterval(this.pingTimer);
      dead.close(4000, "silent");
      this._retry();
      return;
    }
    this._raw({ type: "ping" });
  }

  _raw(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ v: PROTOCOL, ...frame }));
    return true;
  }

  // --- frames from the server -----------------------------------------------------
  _handle(frame) {
    switch (frame.type) {
      case "welcome":
        return this._welcome(frame);
      case "update":
        return this._update(frame);
      case "events":
        this._addEvents(frame.events || []);
        this.syncAsked = 0;
        if (typeof frame.seq === "number" && (this.seq === null || frame.seq > this.seq)) this.seq = frame.seq;
        return undefined;
      case "ack":
        return this._settle(frame.cmid, true, frame);
      case "error":
        return this._error(frame);
      case "announcement":
        return this._emit("announcement", String(frame.text || ""));
      default:
        return undefined; // pong and anything newer
    }
  }

  _welcome(frame) {
    this.welcomed = true;
    this.attempt = 0;
    this.scenario = frame.scenario;
    this.seat = frame.seat;
    this.role = frame.role;
    this.language = frame.language;
    this._addEvents(frame.events || []);
    this.seq = frame.seq;
    this.state = frame.state;
    this._setStatus("open");
    this._emit("state", this.state, this);
    // Intents sent while the line was down go again with the same cmid: the server
    // applies each at most once and acknowledges a repeat with duplicate: true.
    for (const [cmid, entry] of this.pending) this._raw({ type: "intent", cmid, action: entry.action });
  }

  _update(frame) {
    const events = frame.events || [];
    const gap =
      this.seq !== null &&
      frame.seq > this.seq &&
      (events.length === 0 || events[0].seq !== this.seq + 1);
    this._addEvents(events);
    if (gap) this._sync();
    else if (this.seq === null || frame.seq > this.seq) this.seq = frame.seq;
    const patch = frame.patch || {};
    if (patch.public || patch.private) this._patch(patch);
    // Protocol v3: the update our own intent produced carries its cmid instead of an ack.
    if (frame.cmid) this._settle(frame.cmid, true, { cmid: frame.cmid, seq: frame.seq });
  }

  _patch(patch) {
    // Only the top-level keys that changed come; the rest stay as the welcome and the
    // updates since left them. A new object each time, so listeners may compare.
    const state = this.state || { public: {}, private: null };
    this.state = {
      public: patch.public ? { ...state.public, ...patch.public } : state.public,
      private: patch.private ? { ...(state.private || {}), ...patch.private } : state.private,
    };
    this._emit("state", this.state, this);
  }

  /** Ask for the records after the last one we hold in order (answered by an events frame). */
  _sync() {
    if (this.syncAsked && Date.now() - this.syncAsked < 2000) return;
    this.syncAsked = Date.now();
    this._raw({ type: "sync", after_seq: this.seq || 0 });
  }

  _addEvents(records) {
    const fresh = records.filter((r) => r && typeof r.seq === "number" && !this.known.has(r.seq));
    if (!fresh.length) return;
    for (const r of fresh) this.known.add(r.seq);
    this.timeline.push(...fresh);
    this.timeline.sort((a, b) => a.seq - b.seq);
    if (this.timeline.length > 2000) {
      for (const r of this.timeline.splice(0, this.timeline.length - 2000)) this.known.delete(r.seq);
    }
    this._emit("events", fresh, this);
  }

  _error(frame) {
    const err = { code: frame.code, message: frame.message || frame.code };
    if (frame.code === "unavailable") {
      // The server's database is restarting: the same frame (an intent with the same
      // cmid, applied once whatever became of the first) after the pause it asks for.
      const wait = 1000 * Math.min(10, Math.max(0.1, Number(frame.retry_after) || 1));
      const entry = frame.cmid ? this.pending.get(frame.cmid) : null;
      if (entry) {
        setTimeout(() => this._raw({ type: "intent", cmid: frame.cmid, action: entry.action }), wait);
      } else if (!this.welcomed) {
        this._setStatus("reconnecting");
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this._hello(), wait);
      }
      return;
    }
    if (frame.cmid && this.pending.has(frame.cmid)) {
      const entry = this.pending.get(frame.cmid);
      if (frame.code === "busy" && entry.busy < BUSY_RETRIES) {
        entry.busy += 1;
        setTimeout(() => this._raw({ type: "intent", cmid: frame.cmid, action: entry.action }), 300 * entry.busy);
        return;
      }
      this._settle(frame.cmid, false, err);
      return;
    }
    if (!this.welcomed && frame.code === "bad_seq") {
      // We hold events the table does not have (its log was restored from an older
      // copy): forget them and ask for the table as it is.
      this.seq = null;
      this.timeline.length = 0;
      this.known.clear();
      this._raw({ type: "hello", lang: this.lang, ...(this.token ? { token: this.token } : { code: this.code }) });
      return;
    }
    if (!this.welcomed && FATAL.has(frame.code)) {
      this.stopped = true;
      clearInterval(this.pingTimer);
      if (this.ws) this.ws.close(1000, "fatal");
      this._setStatus("closed");
      for (const cmid of [...this.pending.keys()]) this._settle(cmid, false, err);
      this._emit("fatal", err);
      return;
    }
    this._emit("error", err);
  }

  _settle(cmid, ok, payload) {
    const entry = this.pending.get(cmid);
    if (!entry) return;
    this.pending.delete(cmid);
    if (ok) entry.resolve(payload);
    else entry.reject(payload);
  }

  // --- intents ----------------------------------------------------------------------
  /** Ask for a game action; resolves with {cmid, seq} once applied, rejects with {code, message}. */
  send(action) {
    const cmid = newCmid();
    return new Promise((resolve, reject) => {
      this.pending.set(cmid, { action, resolve, reject, busy: 0 });
      // Not connected now: the intent waits and goes out after the next welcome.
      if (this.welcomed) this._raw({ type: "intent", cmid, action });
    });
  }
}
