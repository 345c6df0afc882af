/* amrcast serve: the browser viewer.
 *
 * `new AmrcastClient(container, wsUrl)` builds a canvas and a side panel inside `container`,
 * speaks the frame protocol of docs/serve-protocol.md over a WebSocket and draws the frames it
 * gets. The bootstrap at the bottom starts one on the standalone page (index.html). The Jupyter
 * widget (python/amrcast/widget.js) passes a transport object instead of a URL, carrying the
 * same messages through the notebook's channel: `{ start(handlers), send(text), close() }`,
 * where `handlers` has `open()`, `text(string)`, `binary(ArrayBuffer)` and `close(reason)`. Plain JavaScript: no framework, no build step, nothing
 * loaded from elsewhere. */
"use strict";

(function (global) {
  // ---------------------------------------------------------------------------------------
  // The colormaps and the opacity curve, as src/transfer.rs computes them.

  /* 33 colours per map, evenly spaced over [0, 1] (colorous' gradients, as Colormap::eval). */
  const COLORMAPS = {
    viridis: "440154460c5f48186a482273472c7a453681423f853e48883a518b365a8c32628d2f6a8d2c718e29798d26818e23888d20908c1f978a1f9f8821a68427ad8031b57a3dbb734cc26b5cc8626ece5781d34c95d73faadb31c0df24d5e219e9e41afde725",
    inferno: "0000040302110a0723140a36200c492e0a5a3c0964490b6a560f6d63146e70196e7c1d6c892269962666a22b61af305bbb3654c63d4cd04544da4e3be35932ea6428f0711ef57e13f98c09fb9b06fbaa0ffaba1ff8c932f5d949f1e865f2f586fcffa4",
    magma: "000004030311090721120d331c104628115935106a430f7550127b5c167e691c807521808225818f2a819b2e7fa9327cb53679c23b75cf406fdb4769e55063ee5b5ef4695cf8785cfb8760fd9668fda571feb47bfec287fed193fde0a1fceeb0fcfdbf",
    plasma: "0d088721058f3005963f039c4b02a15800a46500a77100a77d03a88908a59410a19f199ca92295b22b8ebb3487c33d7fcb4678d24f71d9586adf6263e56b5cea7555ef7f4ef48947f79440fa9f39fcab33fdb72cfdc327fbd024f8dd24f4eb26f0f921",
    cividis: "00205100255c012b6408306911366c1b3c6d26416d31476d3c4d6d46526d50586d595e6d62646e6a696f716f717875737f7b748581768c8777928d78999478a19a77a9a176b1a774baae70c4b56ccebc67d8c361e2cb5bebd255f3da4ef9e149fde945",
    turbo: "22171b3d2971493eae4a53d64469ee3b7ff83294f72aa9ef25bce125cdcf29dcbb31e8a73ff29350f97f65fc6e7cfd5e94fa50adf445c4eb3bdadf33ecd02dfabf28ffac24ff9720ff821dfc6b19ef5615de4111ca2e0cb61e07a31202950c00900c00",
    cubehelix: "0000000c040d140a1d19132c1a1d3b19294616374c15454e15524b195f4622693e30713642773058792e707a31887a3aa07949b4785cc37974ce7d8dd383a7d48cbed197d2cca4e2c6b2ecc2c1f2c1cff3c3dcf2cae6efd4efeee1f5f0f0faf5ffffff",
    gray: "0000000909091212121c1c1c2626263030303b3b3b4545455050505959596262626a6a6a7373737b7b7b8484848d8d8d969696a0a0a0a9a9a9b2b2b2bbbbbbc3c3c3cacacad1d1d1d8d8d8dededee4e4e4e9e9e9eeeeeef3f3f3f7f7f7fbfbfbffffff",
  };
  const MODES = ["composite", "mip", "projection"];
  const LENSES = ["plane", "perspective"];
  const STEREO = ["off", "anaglyph", "side-by-side"];
  const RESETS = ["x", "y", "z", "-x", "-y", "-z"];
  const RAMP_START = 0.3, RAMP_ALPHA = 0.3;
  const DEFAULT_LAYERS = 7, DEFAULT_LAYERS_FROM = 0.3, DEFAULT_LAYER_WIDTH = 0.015;
  const LAYER_WIDTH = 0.02, LAYER_REACH = 4;
  const ERROR_SHOWN_MS = 5000, RESIZE_DEBOUNCE_MS = 150, LATENCY_FRAMES = 30;
  const TF_PLOT = 140, TF_STRIP = 10, TF_HANDLE = 5;

  const clamp = (x, lo, hi) => Math.min(Math.max(x, lo), hi);
  const round4 = (x) => Math.round(x * 1e4) / 1e4;
  const parsed = {};

  /** The colour of `name` at `t` in [0, 1], components 0..255. */
  function colormapRgb(name, t) {
    if (!parsed[name]) {
      const hex = COLORMAPS[name] || COLORMAPS.viridis;
      parsed[name] = [];
      for (let i = 0; i < hex.length; i += 2) parsed[name].push(parseInt(hex.substr(i, 2), 16));
    }
    const c = parsed[name], n = c.length / 3 - 1;
    const x = clamp(t, 0, 1) * n, i = Math.min(Math.floor(x), n - 1), f = x - i;
    return [0, 1, 2].map((k) => c[3 * i + k] * (1 - f) + c[3 * (i + 1) + k] * f);
  }

  function ramp(t) {
    const x = Math.max((t - RAMP_START) / (1 - RAMP_START), 0);
    return RAMP_ALPHA * x * x;
  }

  /** Control points that follow the default ramp: where editing starts without points. */
  function rampPoints() {
    const p = [[0, 0]];
    for (let i = 0; i <= 6; i++) {
      const t = RAMP_START + ((1 - RAMP_START) * i) / 6;
      p.push([t, ramp(t)]);
    }
    return p;
  }

  function piecewiseLinear(points, t) {
    if (!points.length) return 0;
    if (t <= points[0][0]) return points[0][1];
    for (let i = 1; i < points.length; i++) {
      const [t0, a0] = points[i - 1], [t1, a1] = points[i];
      if (t <= t1) return t1 > t0 ? a0 + ((a1 - a0) * (t - t0)) / (t1 - t0) : a1;
    }
    return points[points.length - 1][1];
  }

  /** The Gaussian layers `look.layers` stands for: "default", a number (yt's evenly spread
   * layers) or a list of [center, width, alpha]. */
  function layerList(spec, width) {
    if (Array.isArray(spec)) {
      return spec.map((l) => (Array.isArray(l) ? { center: l[0], width: l[1], alpha: l[2] } : l));
    }
    const list = [];
    if (spec === "default" || spec === undefined || spec === null) {
      for (let i = 0; i < DEFAULT_LAYERS; i++) {
        const center = DEFAULT_LAYERS_FROM + ((1 - DEFAULT_LAYERS_FROM) * (i + 0.5)) / DEFAULT_LAYERS;
        const alpha = 0.025 * Math.pow(10, i / (DEFAULT_LAYERS - 1));
        list.push({ center, width: DEFAULT_LAYER_WIDTH, alpha });
      }
      return list;
    }
    const n = Number(spec) || 0;
    for (let i = 0; i < n; i++) {
      const alpha = n === 1 ? 1 : Math.pow(10, -2 + (2 * i) / (n - 1));
      list.push({ center: (i + 0.5) / n, width: width || LAYER_WIDTH, alpha });
    }
    return list;
  }

  /** Opacity at `t` before the multiplier: the points' curve plus the layers, else the ramp. */
  function opacityAt(points, layers, t) {
    let a;
    if (points.length) a = Math.max(piecewiseLinear(points, t), 0);
    else if (!layers.length) return ramp(t);
    else a = 0;
    for (const l of layers) {
      const x = (t - l.center) / l.width;
      if (Math.abs(x) <= LAYER_REACH) a += l.alpha * Math.exp(-0.5 * x * x);
    }
    return a;
  }

  /** The points the editor shows: the look's own, else the ramp's, else a flat zero. */
  function shownPoints(points, layers) {
    if (points.length) return points.map((p) => p.slice());
    return layers.length ? [[0, 0], [1, 0]] : rampPoints();
  }

  /** An element with attributes (`on*` functions become listeners) and children. */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c) e.append(c);
    return e;
  }

  function fmt(v) {
    if (typeof v !== "number" || !isFinite(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(4) : String(Number(v.toPrecision(7)));
  }

  function median(values) {
    const s = values.slice().sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  // ---------------------------------------------------------------------------------------
  // The transport of the standalone page: a WebSocket.

  /** A transport over a WebSocket to `url`; messages sent before it opens are dropped (the
   * client sends its size again on `open`). */
  function webSocket(url) {
    let ws = null;
    return {
      start(h) {
        ws = new WebSocket(url);
        ws.binaryType = "arraybuffer";
        ws.onopen = () => h.open();
        ws.onmessage = (e) => (typeof e.data === "string" ? h.text(e.data) : h.binary(e.data));
        ws.onclose = (e) => {
          h.close(e.reason ? `: ${e.reason}` : e.code === 1006 ? " (refused or lost)" : "");
        };
      },
      send(text) {
        if (ws && ws.readyState === WebSocket.OPEN) ws.send(text);
      },
      close() {
        if (ws) ws.close();
      },
    };
  }

  // ---------------------------------------------------------------------------------------
  // The client.

  class AmrcastClient {
    /** Builds the viewer inside `container` and connects to `wsUrl` (ws://HOST/ws?token=T)
     * or through `transport` (see the top of this file). */
    constructor(container, transport) {
      this.container = container;
      this.transport = typeof transport === "string" ? webSocket(transport) : transport;
      this.seq = 0;
      this.sentAt = new Map(); // seq -> send time (performance.now()), until its frame comes
      this.latencies = [];
      this.frameTimes = [];
      this.arrivals = 0;
      this.drawnArrival = 0;
      this.drawnSeq = -1;
      this.bitmap = null;
      this.view = null; // the frame's `view` size
      this.pending = { orbit: null, pan: null, zoom: 0, look: null };
      this.rafQueued = false;
      this.drag = null;
      this.hello = null;
      this.dataset = null;
      this.look = null;
      this.histogram = null;
      this.tf = { points: [], layers: layerList("default"), drag: -1 };
      this.sentSize = null;
      this.commandAsked = null;
      this.screenshots = 0;
      this.loading = null;
      this.stats = {
        frames: 0, finals: 0, lastSeq: -1, lastFinalSeq: -1, sentSeq: 0, fps: 0,
        latencyMs: null, width: 0, height: 0, view: [0, 0], final: false, renderMs: null,
        drawnSeq: -1, sent: {}, connected: false, closed: false, errors: [],
      };
      this.build();
      this.bindCanvas();
      this.ticker = setInterval(() => this.showStats(), 500);
      this.connect();
    }

    /** Closes the connection and removes what the client built. */
    destroy() {
      clearInterval(this.ticker);
      clearTimeout(this.resizeTimer);
      clearTimeout(this.errorTimer);
      if (this.observer) this.observer.disconnect();
      this.transport.close();
      if (this.bitmap) this.bitmap.close();
      this.root.remove();
    }

    // ---- the connection ----

    connect() {
      this.transport.start({
        open: () => {
          this.stats.connected = true;
          this.sendResize(true);
        },
        text: (t) => this.onText(t),
        binary: (b) => this.onBinary(b),
        close: (why) => {
          this.stats.connected = false;
          this.stats.closed = true;
          this.setStatus(`connection closed${why}; reload the page to reconnect`, "closed");
        },
      });
    }

    send(msg) {
      this.transport.send(JSON.stringify(msg));
    }

    /** Sends a message that changes the image, under a new seq whose send time is kept. */
    sendSeq(msg) {
      const seq = ++this.seq;
      this.sentAt.set(seq, performance.now());
      this.stats.sentSeq = seq;
      this.stats.sent[msg.type] = (this.stats.sent[msg.type] || 0) + 1;
      this.send(Object.assign({ type: msg.type, seq }, msg));
    }

    onText(text) {
      let m;
      try {
        m = JSON.parse(text);
      } catch (e) {
        this.showError(`unreadable message from the server: ${e}`);
        return;
      }
      switch (m.type) {
        case "hello": return this.onHello(m);
        case "dataset": return this.onDataset(m);
        case "state": return this.onState(m);
        case "datasets": return this.fillDatasets(m.paths || []);
        case "command": this.ui.command.value = m.text; return undefined;
        case "loading":
          this.loading = m.what;
          return this.setStatus(`loading ${m.what}…`, "loading");
        case "error": return this.showError(m.message);
        default: return undefined;
      }
    }

    onHello(m) {
      this.hello = m;
      this.ui.datasets.hidden = !m.data_root;
      if (m.data_root) this.send({ type: "list" });
      if (m.shared) this.ui.shared.textContent = "shared view: everyone's input moves it";
    }

    onDataset(m) {
      this.dataset = m;
      this.loading = null;
      this.clearStatus("loading");
      this.ui.title.textContent = `${m.name} — ${m.field}`;
      this.ui.title.title = m.path || m.name;
      const f = this.ui.field;
      f.replaceChildren(...(m.fields || []).map((n) => el("option", { value: n, text: n })));
      f.value = m.field;
      this.ui.warnings.textContent = (m.warnings || []).join("\n");
      this.root.classList.toggle("amc-flat", m.dimensionality === 2);
      const [lo, hi] = m.range || [];
      this.ui.range.textContent = m.range ? `field range ${fmt(lo)} … ${fmt(hi)}` : "";
    }

    onState(m) {
      const look = m.look || {};
      this.stateChanged = true;
      this.look = look;
      this.histogram = m.histogram || null;
      const u = this.ui;
      const set = (input, value) => {
        if (document.activeElement !== input && value !== undefined) input.value = value;
      };
      for (const r of u.lens) r.checked = r.value === look.lens;
      for (const r of u.scale) r.checked = r.value === look.scale;
      set(u.mode, look.mode);
      set(u.colormap, look.colormap);
      set(u.stereo, look.stereo);
      if (look.bounds) {
        set(u.lo, fmt(look.bounds[0]));
        set(u.hi, fmt(look.bounds[1]));
      }
      if (look.opacity > 0) {
        set(u.opacity, Math.log10(look.opacity));
        u.opacityValue.textContent = fmt(Number(look.opacity.toPrecision(3)));
      }
      if (look.samples_per_cell > 0) {
        set(u.spc, Math.log2(look.samples_per_cell));
        u.spcValue.textContent = fmt(Number(look.samples_per_cell.toPrecision(3)));
      }
      const nLayers = Array.isArray(look.layers) ? look.layers.length : look.layers;
      set(u.layers, nLayers === "default" ? DEFAULT_LAYERS : nLayers);
      const what = { default: "the default layers", 0: "the ramp" }[nLayers];
      u.layersNote.textContent = what || "evenly spread";
      const fov = look.fov !== undefined ? look.fov : (m.camera || {}).fov;
      set(u.fov, fov === undefined ? undefined : Math.round(fov * 10) / 10);
      u.fovRow.hidden = look.lens !== "perspective";
      this.tf.layers = layerList(look.layers, look.layer_width);
      if (this.tf.drag < 0) this.tf.points = (look.points || []).map((p) => p.slice());
      this.drawTf();
    }

    // ---- frames ----

    onBinary(buf) {
      const now = performance.now();
      const arrival = ++this.arrivals;
      let head;
      try {
        const n = new DataView(buf).getUint32(0, true);
        head = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, n)));
        head.body = new Uint8Array(buf, 4 + n);
      } catch (e) {
        this.showError(`unreadable image from the server: ${e}`);
        return;
      }
      const type = head.format === "png" ? "image/png" : "image/jpeg";
      const blob = new Blob([head.body], { type });
      if (head.kind === "screenshot") {
        this.clearStatus("screenshot");
        this.saveScreenshot(blob);
        return;
      }
      this.countFrame(head, now);
      createImageBitmap(blob).then(
        (bitmap) => this.drawFrame(head, bitmap, arrival),
        (e) => this.showError(`could not decode a frame: ${e}`),
      );
    }

    countFrame(head, now) {
      const s = this.stats;
      s.frames++;
      s.lastSeq = head.seq;
      s.width = head.width;
      s.height = head.height;
      s.view = head.view || [head.width, head.height];
      s.final = !!head.final;
      s.renderMs = head.render_ms;
      if (head.final) {
        s.finals++;
        s.lastFinalSeq = head.seq;
      }
      // Latency: from sending this seq to its first frame; older seqs are answered too.
      const sent = this.sentAt.get(head.seq);
      if (sent !== undefined) {
        this.latencies.push(now - sent);
        if (this.latencies.length > LATENCY_FRAMES) this.latencies.shift();
        s.latencyMs = Math.round(median(this.latencies) * 10) / 10;
      }
      for (const k of this.sentAt.keys()) {
        if (k > head.seq) break;
        this.sentAt.delete(k);
      }
      this.frameTimes.push(now);
      this.showStats();
      if (head.final) this.askCommand(head.seq);
    }

    /** Draws a decoded frame unless a later one (or a newer seq) was drawn already. */
    drawFrame(head, bitmap, arrival) {
      const shared = this.hello && this.hello.shared;
      if (arrival < this.drawnArrival || (!shared && head.seq < this.drawnSeq)) {
        bitmap.close();
        return;
      }
      this.drawnArrival = arrival;
      this.drawnSeq = head.seq;
      this.stats.drawnSeq = head.seq;
      if (this.bitmap) this.bitmap.close();
      this.bitmap = bitmap;
      this.view = head.view || [head.width, head.height];
      this.paint();
    }

    /** The current frame scaled to the canvas (a reduced frame scaled up to its view). */
    paint() {
      const c = this.canvas, ctx = this.ctx;
      ctx.clearRect(0, 0, c.width, c.height);
      if (!this.bitmap) return;
      const [vw, vh] = this.view;
      const k = Math.min(c.width / vw, c.height / vh);
      const w = vw * k, h = vh * k;
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = "medium";
      ctx.drawImage(this.bitmap, (c.width - w) / 2, (c.height - h) / 2, w, h);
    }

    showStats() {
      const s = this.stats, now = performance.now();
      while (this.frameTimes.length && this.frameTimes[0] < now - 1000) this.frameTimes.shift();
      s.fps = this.frameTimes.length;
      const lat = s.latencyMs === null ? "–" : `${Math.round(s.latencyMs)} ms`;
      const n = this.latencies.length;
      this.ui.rate.textContent = `${s.fps} frames/s, latency ${lat} (median of ${n})`;
      if (!s.frames) return;
      const reduced = s.view[0] !== s.width ? ` of ${s.view[0]}×${s.view[1]}` : "";
      const ms = typeof s.renderMs === "number" ? `, ${fmt(Math.round(s.renderMs * 10) / 10)} ms` : "";
      this.ui.frame.textContent = `${s.width}×${s.height}${reduced}${ms} ${s.final ? "final" : "refining…"}`;
      this.ui.frame.classList.toggle("amc-final", s.final);
    }

    /** Asks for the view as a command once it rests on a new seq or a new state. */
    askCommand(seq) {
      if (this.commandAsked === seq && !this.stateChanged) return;
      this.commandAsked = seq;
      this.stateChanged = false;
      this.send({ type: "command" });
    }

    saveScreenshot(blob) {
      const url = URL.createObjectURL(blob);
      const a = el("a", { href: url, download: "amrcast-view.png" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    }

    // ---- status line ----

    setStatus(text, kind) {
      this.statusKind = kind;
      this.ui.status.textContent = text;
      this.ui.status.className = `amc-status amc-${kind}`;
      this.ui.status.hidden = false;
    }

    clearStatus(kind) {
      if (this.statusKind === "closed" || (kind && this.statusKind !== kind)) return;
      this.ui.status.hidden = true;
      this.statusKind = null;
    }

    showError(message) {
      const errors = this.stats.errors;
      errors.push(message);
      if (errors.length > 50) errors.shift();
      if (this.statusKind === "closed") return;
      this.setStatus(message, "error");
      clearTimeout(this.errorTimer);
      this.errorTimer = setTimeout(() => {
        this.clearStatus("error");
        if (this.loading) this.setStatus(`loading ${this.loading}…`, "loading");
      }, ERROR_SHOWN_MS);
    }

    // ---- input on the canvas ----

    bindCanvas() {
      const c = this.canvas;
      c.addEventListener("pointerdown", (e) => this.onPointerDown(e));
      c.addEventListener("pointermove", (e) => this.onPointerMove(e));
      for (const t of ["pointerup", "pointercancel", "lostpointercapture"]) {
        c.addEventListener(t, (e) => {
          if (this.drag && e.pointerId === this.drag.id) this.drag = null;
        });
      }
      c.addEventListener("wheel", (e) => this.onWheel(e), { passive: false });
      c.addEventListener("dblclick", () => this.sendSeq({ type: "reset" }));
      c.addEventListener("contextmenu", (e) => e.preventDefault());
      this.observer = new ResizeObserver(() => {
        this.drawTf();
        clearTimeout(this.resizeTimer);
        this.resizeTimer = setTimeout(() => this.sendResize(false), RESIZE_DEBOUNCE_MS);
      });
      this.observer.observe(this.viewBox);
      this.observer.observe(this.tfCanvas);
    }

    onPointerDown(e) {
      if (this.drag || e.button > 2) return;
      const pan = e.button !== 0 || e.shiftKey;
      this.drag = { id: e.pointerId, x: e.clientX, y: e.clientY, kind: pan ? "pan" : "orbit" };
      this.canvas.setPointerCapture(e.pointerId);
      this.canvas.focus();
      e.preventDefault();
    }

    onPointerMove(e) {
      const d = this.drag;
      if (!d || e.pointerId !== d.id) return;
      // Drags are in device pixels, as the image.
      const k = this.canvas.width / Math.max(this.canvas.clientWidth, 1);
      const p = this.pending[d.kind] || (this.pending[d.kind] = { dx: 0, dy: 0 });
      p.dx += (e.clientX - d.x) * k;
      p.dy += (e.clientY - d.y) * k;
      d.x = e.clientX;
      d.y = e.clientY;
      this.schedule();
    }

    onWheel(e) {
      e.preventDefault();
      // One step per notch: 100 pixels, or 3 lines, or a third of a page.
      const unit = e.deltaMode === 1 ? 1 / 3 : e.deltaMode === 2 ? 3 : 1 / 100;
      this.pending.zoom -= e.deltaY * unit;
      this.schedule();
    }

    /** Sends what was queued once per animation frame. */
    schedule() {
      if (this.rafQueued) return;
      this.rafQueued = true;
      requestAnimationFrame(() => this.flush());
    }

    flush() {
      this.rafQueued = false;
      const p = this.pending;
      for (const kind of ["orbit", "pan"]) {
        const d = p[kind];
        p[kind] = null;
        if (d && (d.dx || d.dy)) this.sendSeq({ type: kind, dx: round4(d.dx), dy: round4(d.dy) });
      }
      if (p.zoom) {
        this.sendSeq({ type: "zoom", steps: round4(clamp(p.zoom, -100, 100)) });
        p.zoom = 0;
      }
      if (p.look) {
        this.sendSeq(Object.assign({ type: "look" }, p.look));
        p.look = null;
      }
    }

    /** Queues look changes (merged until the next animation frame). */
    setLook(change) {
      this.pending.look = Object.assign(this.pending.look || {}, change);
      this.schedule();
    }

    /** Sends the canvas's size in device pixels (only when it changed, unless `always`). */
    sendResize(always) {
      const r = this.viewBox.getBoundingClientRect();
      const dpr = global.devicePixelRatio || 1;
      const w = clamp(Math.round(r.width * dpr), 16, 4096);
      const h = clamp(Math.round(r.height * dpr), 16, 4096);
      if (this.canvas.width !== w || this.canvas.height !== h) {
        this.canvas.width = w;
        this.canvas.height = h;
        this.paint();
      }
      const same = this.sentSize && this.sentSize[0] === w && this.sentSize[1] === h;
      if (!this.stats.connected || (same && !always)) return;
      this.sentSize = [w, h];
      this.sendSeq({ type: "resize", width: w, height: h });
    }

    // ---- the panel ----

    build() {
      const u = (this.ui = {});
      this.canvas = el("canvas", { class: "amc-canvas", tabindex: "0" });
      this.ctx = this.canvas.getContext("2d");
      u.status = el("div", { class: "amc-status" });
      u.status.hidden = true;
      const show = el("button", {
        class: "amc-show", title: "show the panel", text: "☰",
        onclick: () => this.root.classList.remove("amc-collapsed"),
      });
      this.viewBox = el("div", { class: "amc-view" }, this.canvas, u.status, show);
      this.panel = el("div", { class: "amc-panel" }, ...this.buildPanel());
      this.root = el("div", { class: "amc-client" }, this.viewBox, this.panel);
      this.container.append(this.root);
    }

    buildPanel() {
      const u = this.ui;
      u.title = el("div", { class: "amc-title", text: "connecting…" });
      const hide = el("button", {
        class: "amc-hide", title: "hide the panel", text: "⟩",
        onclick: () => this.root.classList.add("amc-collapsed"),
      });
      u.rate = el("div", { class: "amc-stat" });
      u.frame = el("div", { class: "amc-stat" });
      u.shared = el("div", { class: "amc-note" });
      u.warnings = el("div", { class: "amc-warn" });
      return [
        el("div", { class: "amc-head" }, u.title, hide),
        u.shared, u.warnings, u.rate, u.frame,
        this.dataSection(), this.viewSection(), this.lookSection(), this.tfSection(),
        this.commandSection(), this.helpSection(),
      ];
    }

    dataSection() {
      const u = this.ui;
      u.field = el("select", {
        onchange: () => this.sendSeq({ type: "field", name: u.field.value }),
      });
      u.range = el("div", { class: "amc-note" });
      u.paths = el("select", { class: "amc-wide" });
      u.datasets = el("div", { class: "amc-rows" },
        row("dataset", u.paths),
        row("", el("button", {
          text: "open",
          onclick: () => u.paths.value && this.sendSeq({ type: "open", path: u.paths.value }),
        }), el("button", { text: "refresh list", onclick: () => this.send({ type: "list" }) })));
      u.datasets.hidden = true;
      return section("data", row("field", u.field), u.range, u.datasets);
    }

    viewSection() {
      const u = this.ui;
      const resets = RESETS.map((v) => el("button", {
        text: v, title: `look along ${v}`,
        onclick: () => this.sendSeq({ type: "reset", view: v }),
      }));
      u.lens = LENSES.map((v) => el("input", { type: "radio", name: this.radioName("lens"), value: v }));
      u.lens.forEach((r) => r.addEventListener("change", () => this.setLook({ lens: r.value })));
      u.fov = el("input", { type: "number", min: "1", max: "170", step: "1" });
      u.fov.addEventListener("change", () => {
        const v = Number(u.fov.value);
        if (v >= 1 && v <= 170) this.setLook({ fov: v });
      });
      u.fovRow = row("field of view", u.fov, el("span", { text: "°" }));
      u.fovRow.hidden = true;
      u.stereo = select(STEREO, () => this.setLook({ stereo: u.stereo.value }));
      const shot = el("button", {
        text: "screenshot", title: "the full-resolution image as a PNG",
        onclick: () => {
          this.send({ type: "screenshot", id: ++this.screenshots });
          this.setStatus("rendering the screenshot…", "screenshot");
        },
      });
      return section("view",
        row("reset along", ...resets),
        row("lens", ...radios(u.lens)),
        u.fovRow,
        row("stereo", u.stereo).also("amc-3d"),
        row("", shot));
    }

    lookSection() {
      const u = this.ui;
      u.mode = select(MODES, () => this.setLook({ mode: u.mode.value }));
      u.colormap = select(Object.keys(COLORMAPS), () => {
        this.setLook({ colormap: u.colormap.value });
        this.drawTf();
      });
      const scale = this.radioName("scale");
      u.scale = ["log", "linear"].map((v) => el("input", { type: "radio", name: scale, value: v }));
      u.scale.forEach((r) => r.addEventListener("change", () => this.setLook({ scale: r.value })));
      u.lo = el("input", { type: "text", class: "amc-num", inputmode: "decimal", title: "lower bound" });
      u.hi = el("input", { type: "text", class: "amc-num", inputmode: "decimal", title: "upper bound" });
      const bounds = () => {
        const lo = Number(u.lo.value), hi = Number(u.hi.value);
        if (u.lo.value.trim() && u.hi.value.trim() && isFinite(lo) && isFinite(hi) && lo < hi) {
          this.setLook({ bounds: [lo, hi] });
        } else {
          this.showError("bounds: two numbers, the first below the second");
        }
      };
      for (const i of [u.lo, u.hi]) {
        i.addEventListener("change", bounds);
        i.addEventListener("keydown", (e) => e.key === "Enter" && i.blur());
      }
      const auto = el("button", { text: "field range", onclick: () => this.setLook({ bounds: null }) });
      u.opacityValue = el("span", { class: "amc-value" });
      u.opacity = slider(-2, 3, 0.01, (x) => {
        const v = Number(Math.pow(10, x).toPrecision(3));
        u.opacityValue.textContent = fmt(v);
        this.setLook({ opacity: v });
      });
      u.spcValue = el("span", { class: "amc-value" });
      u.spc = slider(-3, 4, 0.05, (x) => {
        const v = Number(Math.pow(2, x).toPrecision(3));
        u.spcValue.textContent = fmt(v);
        this.setLook({ samples_per_cell: v });
      });
      u.layers = el("input", { type: "number", min: "0", max: "32", step: "1", class: "amc-short" });
      u.layers.addEventListener("change", () => {
        const n = Math.round(Number(u.layers.value));
        if (n >= 0 && n <= 32) this.setLook({ layers: n });
      });
      u.layersNote = el("span", { class: "amc-note", title: "0: the opacity ramp" });
      const defLayers = el("button", { text: "default", onclick: () => this.setLook({ layers: "default" }) });
      return section("look",
        row("mode", u.mode).also("amc-3d"),
        row("colormap", u.colormap),
        row("scale", ...radios(u.scale)),
        row("bounds", u.lo, u.hi),
        row("", auto),
        row("opacity", u.opacity, u.opacityValue).also("amc-3d"),
        row("samples/cell", u.spc, u.spcValue).also("amc-3d"),
        row("layers", u.layers, defLayers, u.layersNote).also("amc-3d"));
    }

    commandSection() {
      const u = this.ui;
      u.command = el("textarea", { class: "amc-command", readonly: "", rows: "6", spellcheck: "false" });
      const copy = el("button", { text: "copy", onclick: () => this.copyCommand(copy) });
      return section("this view as a render command", u.command, row("", copy));
    }

    copyCommand(button) {
      const text = this.ui.command.value;
      const done = () => {
        button.textContent = "copied";
        setTimeout(() => (button.textContent = "copy"), 1500);
      };
      if (navigator.clipboard && global.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, () => this.showError("could not copy"));
      } else {
        this.ui.command.select();
        if (document.execCommand("copy")) done();
      }
    }

    helpSection() {
      const help = [
        ["left drag", "orbit (one finger on a touch screen)"],
        ["right or shift+left drag", "pan"],
        ["wheel", "zoom"],
        ["double-click", "reset the view"],
      ];
      const d = el("details", { class: "amc-section" }, el("summary", { text: "controls" }));
      for (const [k, v] of help) d.append(el("div", { class: "amc-note" }, el("b", { text: k }), ` ${v}`));
      return d;
    }

    radioName(what) {
      AmrcastClient.instances = (AmrcastClient.instances || 0) + 1;
      return `amc-${what}-${AmrcastClient.instances}`;
    }

    fillDatasets(paths) {
      const p = this.ui.paths;
      const current = this.dataset && this.dataset.path;
      p.replaceChildren(...paths.map((s) => el("option", { value: s, text: s })));
      if (current && paths.includes(current)) p.value = current;
      if (!paths.length) p.append(el("option", { value: "", text: "(no datasets found)" }));
    }

    // ---- the transfer-function editor ----

    tfSection() {
      const c = (this.tfCanvas = el("canvas", { class: "amc-tf" }));
      c.title = "opacity over the field's histogram: drag the points, double-click adds one, " +
        "right-click removes one";
      c.addEventListener("pointerdown", (e) => this.tfDown(e));
      c.addEventListener("pointermove", (e) => this.tfMove(e));
      c.addEventListener("pointerup", () => (this.tf.drag = -1));
      c.addEventListener("pointercancel", () => (this.tf.drag = -1));
      c.addEventListener("dblclick", (e) => this.tfAdd(e));
      c.addEventListener("contextmenu", (e) => e.preventDefault());
      const reset = el("button", {
        text: "clear points", title: "drop the control points: the layers (or the ramp) alone",
        onclick: () => this.setLook({ points: [] }),
      });
      const s = section("transfer function", c, row("", reset));
      s.classList.add("amc-3d");
      return s;
    }

    /** The editor's plot geometry in CSS pixels. */
    tfGeometry() {
      return { w: Math.max(this.tfCanvas.clientWidth, 100), h: TF_PLOT };
    }

    tfPoint(e) {
      const r = this.tfCanvas.getBoundingClientRect();
      const g = this.tfGeometry();
      const x = e.clientX - r.left, y = e.clientY - r.top;
      return [clamp(x / g.w, 0, 1), clamp(1 - y / g.h, 0, 1), x, y];
    }

    /** The index of the shown point within reach of the event, or -1. */
    tfHit(e) {
      const [, , x, y] = this.tfPoint(e);
      const g = this.tfGeometry();
      let best = -1, bestD = 3 * TF_HANDLE;
      shownPoints(this.tf.points, this.tf.layers).forEach(([t, a], i) => {
        const d = Math.hypot(t * g.w - x, (1 - a) * g.h - y);
        if (d < bestD) [best, bestD] = [i, d];
      });
      return best;
    }

    tfDown(e) {
      const i = this.tfHit(e);
      if (i < 0) return;
      e.preventDefault();
      const points = shownPoints(this.tf.points, this.tf.layers);
      if (e.button === 2) {
        if (points.length <= 2) return;
        points.splice(i, 1);
        this.tfSend(points);
      } else if (e.button === 0) {
        this.tf.points = points;
        this.tf.drag = i;
        this.tfCanvas.setPointerCapture(e.pointerId);
      }
    }

    tfMove(e) {
      const i = this.tf.drag;
      if (i < 0) {
        this.tfCanvas.style.cursor = this.tfHit(e) >= 0 ? "grab" : "crosshair";
        return;
      }
      const p = this.tf.points;
      const [t, a] = this.tfPoint(e);
      const lo = i === 0 ? 0 : p[i - 1][0], hi = i + 1 === p.length ? 1 : p[i + 1][0];
      p[i] = [clamp(t, lo, hi), a];
      this.tfSend(p);
    }

    tfAdd(e) {
      if (this.tfHit(e) >= 0) return;
      const [t, a] = this.tfPoint(e);
      const points = shownPoints(this.tf.points, this.tf.layers);
      if (points.length >= 64) return;
      let at = 0;
      while (at < points.length && points[at][0] < t) at++;
      points.splice(at, 0, [t, a]);
      this.tfSend(points);
    }

    tfSend(points) {
      this.tf.points = points;
      this.setLook({ points: points.map(([t, a]) => [round4(t), round4(a)]) });
      this.drawTf();
    }

    drawTf() {
      const c = this.tfCanvas, g = this.tfGeometry();
      const dpr = global.devicePixelRatio || 1;
      const W = Math.round(g.w * dpr), H = Math.round((TF_PLOT + TF_STRIP) * dpr);
      if (c.width !== W || c.height !== H) [c.width, c.height] = [W, H];
      const ctx = c.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = "#181a1d";
      ctx.fillRect(0, 0, g.w, g.h);
      this.drawHistogram(ctx, g);
      const cmap = this.ui.colormap.value || "viridis";
      for (let i = 0; i < 64; i++) {
        const [r, gg, b] = colormapRgb(cmap, (i + 0.5) / 64);
        ctx.fillStyle = `rgb(${r | 0},${gg | 0},${b | 0})`;
        ctx.fillRect((i * g.w) / 64, g.h, g.w / 64 + 1, TF_STRIP);
      }
      const { points, layers } = this.tf;
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (let i = 0; i <= 200; i++) {
        const t = i / 200, a = Math.min(opacityAt(points, layers, t), 1);
        ctx[i ? "lineTo" : "moveTo"](t * g.w, (1 - a) * g.h);
      }
      ctx.stroke();
      ctx.fillStyle = "#e6e6e6";
      for (const [t, a] of shownPoints(points, layers)) {
        ctx.beginPath();
        const x = clamp(t * g.w, TF_HANDLE, g.w - TF_HANDLE);
        ctx.arc(x, clamp((1 - a) * g.h, TF_HANDLE, g.h - TF_HANDLE), TF_HANDLE, 0, 2 * Math.PI);
        ctx.fill();
      }
    }

    /** The histogram's bars: log of the counts, so sparse values still show. */
    drawHistogram(ctx, g) {
      const counts = (this.histogram && this.histogram.counts) || [];
      const max = Math.log1p(Math.max(0, ...counts));
      if (!(max > 0)) return;
      const bw = g.w / counts.length;
      ctx.fillStyle = "#4a4e55";
      counts.forEach((n, i) => {
        if (n <= 0) return;
        const h = (Math.log1p(n) / max) * g.h;
        ctx.fillRect(i * bw, g.h - h, bw + 0.5, h);
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Small builders of the panel's parts.

  function section(title, ...children) {
    return el("section", { class: "amc-section" }, el("h3", { text: title }), ...children);
  }

  /** A labelled row; `.also(cls)` adds a class and returns the row. */
  function row(label, ...controls) {
    const r = el("div", { class: "amc-row" }, el("label", { text: label }),
      el("div", { class: "amc-controls" }, ...controls));
    r.also = (cls) => (r.classList.add(cls), r);
    return r;
  }

  function select(values, onchange) {
    return el("select", { onchange }, ...values.map((v) => el("option", { value: v, text: v })));
  }

  function radios(inputs) {
    return inputs.map((i) => el("label", { class: "amc-radio" }, i, ` ${i.value}`));
  }

  function slider(min, max, step, oninput) {
    const s = el("input", { type: "range", min: String(min), max: String(max), step: String(step) });
    s.addEventListener("input", () => oninput(Number(s.value)));
    return s;
  }

  global.AmrcastClient = AmrcastClient;
  global.AmrcastClient.colormapRgb = colormapRgb;
  global.AmrcastClient.opacityAt = opacityAt;

  // ---------------------------------------------------------------------------------------
  // The standalone page: one client filling the window, with the page's token.

  const root = global.document && document.getElementById("amrcast");
  if (root) {
    const token = new URLSearchParams(location.search).get("token") || "";
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
    const client = new AmrcastClient(root, url);
    global.amrcastClient = client;
    global.amrcastStats = client.stats;
  }
})(window);
