// The page: state, controls, keyboard, theme, PNG export, and window.attnviz for tests.

// The last query that is no padding token: the one a decoder predicts from.
function lastRealQuery() {
  const tokens = META.query_tokens || [];
  let i = META.queries - 1;
  while (i > 0 && /^(\[PAD\]|<pad>|<\|pad\|>)$/i.test(tokens[i] || "")) i--;
  return i;
}

const VIEWS = {
  model: modelView,
  head: headView,
  heatmap: heatmapView,
  text: textView,
  table: tableView,
};
const VIEW_KEYS = { m: "model", h: "head", a: "heatmap", t: "text", s: "table" };

const state = {
  view: META.heads.length > 1 ? "model" : "heatmap", // one head: nothing to choose from
  layer: META.heads[0].layer,
  head: META.heads[0].head,
  heads: new Set(), // more heads of the layer drawn in the head view
  topk: META.keys <= 32 ? 0 : 5,
  source: "head",
  cmap: META.colormap,
  theme: META.theme,
  hover: null, // the head view's hovered token {side, index}
  lines: [], // the head view's lines as drawn: {layer, head, query, key, weight}
  lineMode: "overview",
  readout: null, // the heatmap's cell under the pointer {query, key, value, step}
  textRow: lastRealQuery(), // the text view's chosen token
  hoverMs: null, // how long the last hover took to answer, event to drawn
  drawMs: null,
  errors: [],
};

const controls = {
  layer: document.getElementById("layer"),
  head: document.getElementById("head"),
  headSet: document.getElementById("head-set"),
  topk: document.getElementById("topk"),
  source: document.getElementById("source"),
  cmap: document.getElementById("cmap"),
  theme: document.getElementById("theme"),
  png: document.getElementById("png"),
  help: document.getElementById("help"),
  readout: document.getElementById("readout"),
  tooltip: document.getElementById("tooltip"),
};

function option(value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  return o;
}

function fillControls() {
  controls.layer.replaceChildren(...embeddedLayers().map((l) => option(l, layerName(l))));
  controls.layer.value = state.layer;
  controls.head.replaceChildren(...embeddedHeads(state.layer).map((h) => option(h, headName(h))));
  controls.head.value = state.head;
  controls.headSet.replaceChildren(...embeddedHeads(state.layer).map((h, i) => headTick(h, i)));
  controls.headSet.hidden = state.view !== "head";
  document.getElementById("topk-label").hidden = state.view !== "head";
  document.getElementById("source-label").hidden =
    state.view !== "text" || (!META.rollout && !META.flow);
  for (const choice of controls.source.options) {
    choice.hidden = choice.value !== "head" && !META[choice.value];
  }
  controls.topk.value = String(state.topk);
  controls.cmap.value = state.cmap;
  controls.png.disabled = state.view === "table";
  for (const button of document.querySelectorAll("#views button")) {
    button.setAttribute("aria-pressed", String(button.dataset.view === state.view));
  }
  controls.theme.textContent = state.theme === "dark" ? "Light" : "Dark";
  document.documentElement.dataset.theme = state.theme;
}

function headTick(head, i) {
  const label = document.createElement("label");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.checked = head === state.head || state.heads.has(head);
  box.disabled = head === state.head;
  box.addEventListener("change", () => {
    if (box.checked) state.heads.add(head);
    else state.heads.delete(head);
    render();
  });
  const swatch = document.createElement("span");
  swatch.className = "swatch";
  swatch.style.background = cssColor(HEAD_COLORS[i % HEAD_COLORS.length]);
  label.append(box, swatch, `H${headName(head)}`);
  return label;
}

let rendering = Promise.resolve();
let drawRequested = false;

// Brings the current view up to date with the state; resolves once it is drawn.
function render() {
  rendering = rendering
    .then(async () => {
      fillControls();
      for (const [name, view] of Object.entries(VIEWS)) view.section.hidden = name !== state.view;
      const view = VIEWS[state.view];
      await view.prepare();
      view.draw();
      if (state.view === "text") textView.scrollToRow();
      writeHash();
    })
    .catch(reportError);
  return rendering;
}

// A redraw of the current view at the next frame (pan, zoom, scroll).
function requestDraw() {
  if (drawRequested) return;
  drawRequested = true;
  requestAnimationFrame(() => {
    drawRequested = false;
    VIEWS[state.view].draw();
  });
}

function select(layer, head, view) {
  if (layer !== state.layer) state.heads.clear();
  state.layer = layer;
  state.head = head;
  state.hover = null;
  state.readout = null;
  if (view) state.view = view;
  return render();
}

function step(list, value, delta) {
  const i = list.indexOf(value);
  return list[Math.min(list.length - 1, Math.max(0, i + delta))];
}

function stepHead(delta) {
  const heads = embeddedHeads(state.layer);
  select(state.layer, step(heads, state.head, delta));
}

function stepLayer(delta) {
  const layer = step(embeddedLayers(), state.layer, delta);
  const heads = embeddedHeads(layer);
  select(layer, heads.includes(state.head) ? state.head : heads[0]);
}

function showReadout(text) {
  controls.readout.textContent = text;
}

function showTooltip(event, text) {
  const tip = controls.tooltip;
  tip.textContent = text;
  tip.hidden = false;
  const x = Math.min(event.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
  const y = Math.min(event.clientY + 14, window.innerHeight - tip.offsetHeight - 8);
  tip.style.left = `${x}px`;
  tip.style.top = `${y}px`;
}

function hideTooltip() {
  controls.tooltip.hidden = true;
}

function reportError(error) {
  state.errors.push(String(error));
  showReadout(`attnviz: ${error}`);
  console.error(error);
}

// The current view as a PNG file, named after the page, the view, the layer and the head.
function savePng() {
  const canvas = VIEWS[state.view].section.querySelector("canvas");
  if (!canvas) return;
  const stem = META.source.replace(/^.*\//, "").replace(/\.[^.]*$/, "") || "attnviz";
  const name = `${stem}_${state.view}_L${layerName(state.layer)}_H${headName(state.head)}.png`;
  canvas.toBlob((blob) => {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  });
}

// The view is kept in the address (#view=head&layer=1&head=2) so a reload or a link keeps it.
function writeHash() {
  const hash = `#view=${state.view}&layer=${state.layer}&head=${state.head}`;
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const layer = Number(params.get("layer"));
  const head = Number(params.get("head"));
  if (params.has("layer") && headIndex(layer, head) >= 0) {
    state.layer = layer;
    state.head = head;
  }
  if (VIEWS[params.get("view")]) state.view = params.get("view");
}

function onKey(event) {
  if (event.target.tagName === "SELECT" || event.altKey || event.ctrlKey || event.metaKey) return;
  const actions = {
    ArrowLeft: () => stepHead(-1),
    ArrowRight: () => stepHead(1),
    ArrowUp: () => stepLayer(-1),
    ArrowDown: () => stepLayer(1),
    d: () => setTheme(state.theme === "dark" ? "light" : "dark"),
    p: savePng,
    "[": () => stepToken(-1),
    "]": () => stepToken(1),
    "?": () => {
      controls.help.hidden = !controls.help.hidden;
    },
    Escape: () => {
      controls.help.hidden = true;
      state.hover = null;
      state.textRow = null;
      render();
    },
    "+": () =>
      heatmapView.zoom(
        1.25,
        heatmapView.section.clientWidth / 2,
        heatmapView.section.clientHeight / 2,
      ),
    "-": () =>
      heatmapView.zoom(
        0.8,
        heatmapView.section.clientWidth / 2,
        heatmapView.section.clientHeight / 2,
      ),
    0: () => {
      heatmapView.fit();
      requestDraw();
    },
  };
  if (VIEW_KEYS[event.key]) {
    showView(VIEW_KEYS[event.key]);
  } else if (actions[event.key]) {
    if (["+", "-", "0"].includes(event.key) && state.view !== "heatmap") return;
    event.preventDefault();
    actions[event.key]();
  }
}

// [ and ]: the previous or next query token, as if hovered (head view) or clicked (text view).
function stepToken(delta) {
  if (state.view === "head") {
    const at = state.hover && state.hover.side === "query" ? state.hover.index : -delta;
    const index = Math.min(META.queries - 1, Math.max(0, at + delta));
    state.hover = { side: "query", index };
    headView.tokenPoint("query", index); // scrolls it into view
    headView.draw();
  } else if (state.view === "text") {
    const at = state.textRow === null ? -delta : state.textRow;
    state.textRow = Math.min(META.queries - 1, Math.max(0, at + delta));
    textView.draw();
    textView.scrollToRow();
  }
}

// Another view: what the bar under the views said belonged to the last one.
function showView(view) {
  if (view !== state.view) showReadout("");
  state.view = view;
  render();
}

function setTheme(theme) {
  state.theme = theme;
  thumbnailImages.clear();
  render();
}

function attachControls() {
  controls.layer.addEventListener("change", () => {
    const layer = Number(controls.layer.value);
    const heads = embeddedHeads(layer);
    select(layer, heads.includes(state.head) ? state.head : heads[0]);
  });
  controls.head.addEventListener("change", () => select(state.layer, Number(controls.head.value)));
  controls.topk.addEventListener("change", () => {
    state.topk = Number(controls.topk.value);
    render();
  });
  controls.source.addEventListener("change", () => {
    state.source = controls.source.value;
    render();
  });
  controls.cmap.replaceChildren(...Object.keys(META.colormaps).map((name) => option(name, name)));
  controls.cmap.addEventListener("change", () => {
    state.cmap = controls.cmap.value;
    render();
  });
  controls.theme.addEventListener("click", () =>
    setTheme(state.theme === "dark" ? "light" : "dark"),
  );
  controls.png.addEventListener("click", savePng);
  document.getElementById("help-button").addEventListener("click", () => {
    controls.help.hidden = !controls.help.hidden;
  });
  for (const button of document.querySelectorAll("#views button")) {
    button.addEventListener("click", () => showView(button.dataset.view));
  }
  document.addEventListener("keydown", onKey);
  window.addEventListener("resize", () => requestDraw());
  for (const view of Object.values(VIEWS)) view.attach();
}

function statusLine() {
  const step = META.heads.length
    ? formatValue(Math.max(...META.heads.map((h) => h.scale)) / 2)
    : "0";
  const tokens = CROSS_ATTENTION
    ? `${META.queries} queries × ${META.keys} keys`
    : `${META.queries} tokens`;
  return `${META.source} · ${META.heads.length} ${META.heads.length === 1 ? "head" : "heads"} embedded · ${tokens} · weights as ${META.bits}-bit codes, error ≤ ${step} · drawn by attnviz, offline`;
}

// For tests and scripts: read what is drawn, and where things are on screen. Changes go
// through the controls like a user's.
window.attnviz = {
  ready: false,
  state: () => JSON.parse(JSON.stringify({ ...state, heads: [...state.heads] })),
  idle: () =>
    rendering.then(() => new Promise((resolve) => requestAnimationFrame(() => resolve(true)))),
  tokenPoint: (side, i) => headView.tokenPoint(side, i),
  textPoint: (i) => textView.tokenPoint(i),
  // The values the text view shades its tokens by (its chosen row), or null.
  textShading: () => {
    const w = textView.weights();
    return w ? Array.from(w.values) : null;
  },
  cellPoint: (query, key) => heatmapView.cellPoint(query, key),
  thumbnailPoint: (layer, head) => modelView.thumbnailPoint(layer, head),
  fingerprint: () => {
    const canvas = VIEWS[state.view].section.querySelector("canvas");
    return canvas ? canvasFingerprint(canvas) : "";
  },
  meta: () => ({
    queries: META.queries,
    keys: META.keys,
    bits: META.bits,
    heads: META.heads.map(({ layer, head, offset, scale }) => ({ layer, head, offset, scale })),
    rollout: META.rollout,
    flow: META.flow,
  }),
};

async function start() {
  document.getElementById("title").textContent = META.title;
  document.getElementById("status").textContent = statusLine();
  if (typeof DecompressionStream === "undefined") {
    showReadout(
      "This browser lacks DecompressionStream (Chrome 80+, Firefox 113+, Safari 16.4+): the page cannot read its data.",
    );
    return;
  }
  readHash();
  attachControls();
  await modelView.prepare();
  await render();
  window.attnviz.ready = true;
}

window.addEventListener("error", (event) => reportError(event.message));
start().catch(reportError);
