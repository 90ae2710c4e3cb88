// The heatmap view: one head's cells, zoomed with the wheel and panned by dragging, the exact
// (quantised) value under the pointer. Cells are painted from an image per pooling level: when
// a screen pixel covers several cells it shows their maximum, so a lone spike never vanishes.

const heatmapView = {
  section: document.getElementById("view-heatmap"),
  canvas: document.querySelector("#view-heatmap canvas"),
  margin: { left: 96, top: 90, right: 70, bottom: 16 },
  codes: null,
  index: -1,
  levels: [], // levels[k]: a canvas of the head max-pooled by 2^k, built when first needed
  view: null, // {cell: CSS pixels per cell, x, y: where cell (0, 0) is drawn}
  pointer: null,

  async prepare() {
    const index = headIndex(state.layer, state.head);
    const look = `${state.cmap}:${state.theme}`;
    if (index === this.index && this.look === look) return;
    this.codes = await loadHead(index);
    this.mask = await loadMask(index);
    if (index !== this.index) this.view = null;
    this.index = index;
    this.levels = [];
    this.pooled = [];
    this.look = look;
    this.warmLevels();
  },

  area() {
    const width = this.section.clientWidth;
    const height = this.section.clientHeight;
    const m = this.margin;
    return { width, height, w: width - m.left - m.right, h: height - m.top - m.bottom };
  },

  fit() {
    const a = this.area();
    const cell = Math.min(a.w / META.keys, a.h / META.queries);
    this.view = { cell, x: this.margin.left, y: this.margin.top };
  },

  // The codes max-pooled by 2^k in both directions, over the cells that are weights; a pooled
  // cell is masked only when all of its cells are (as the figures pool).
  pooledCodes(k) {
    const codes = this.codes;
    if (k === 0) {
      return { values: codes.codes, mask: this.mask, rows: codes.rows, cols: codes.cols };
    }
    if (this.pooled[k]) return this.pooled[k];
    const below = this.pooledCodes(k - 1);
    const rows = Math.ceil(below.rows / 2);
    const cols = Math.ceil(below.cols / 2);
    const values = new (codes.bits === 16 ? Uint16Array : Uint8Array)(rows * cols);
    const mask = below.mask ? new Uint8Array(rows * cols).fill(1) : null;
    for (let r = 0; r < below.rows; r++) {
      const out = (r >> 1) * cols;
      const from = r * below.cols;
      for (let c = 0; c < below.cols; c++) {
        const o = out + (c >> 1);
        if (mask) {
          if (below.mask[from + c]) continue;
          mask[o] = 0;
        }
        const v = below.values[from + c];
        if (v > values[o]) values[o] = v; // the bad code is the largest: NaN wins too
      }
    }
    this.pooled[k] = { values, mask, rows, cols };
    return this.pooled[k];
  },

  // Builds every level's image in idle moments after the first drawing, one per task, so that
  // zooming never waits for one (a 4,096² head's finest image takes a few hundred ms).
  warmLevels() {
    const index = this.index;
    const largest = Math.max(this.codes.rows, this.codes.cols);
    const warm = (k) => {
      if (index !== this.index || 2 ** k > largest) return;
      this.level(k);
      setTimeout(() => warm(k + 1), 0);
    };
    setTimeout(() => warm(0), 50);
  },

  level(k) {
    if (!this.levels[k]) {
      const pooled = this.pooledCodes(k);
      const canvas = document.createElement("canvas");
      canvas.width = pooled.cols;
      canvas.height = pooled.rows;
      const context = canvas.getContext("2d");
      const image = context.createImageData(pooled.cols, pooled.rows);
      const palette = codePalette(
        this.codes,
        colormapTable(state.cmap),
        this.codes.offset,
        this.codes.max(),
      );
      const pixels = new Uint32Array(image.data.buffer);
      for (let i = 0; i < pooled.values.length; i++) pixels[i] = palette[pooled.values[i]];
      if (pooled.mask) {
        const masked = maskedWord();
        for (let i = 0; i < pooled.mask.length; i++) if (pooled.mask[i]) pixels[i] = masked;
      }
      context.putImageData(image, 0, 0);
      this.levels[k] = canvas;
    }
    return this.levels[k];
  },

  draw() {
    const started = performance.now();
    const a = this.area();
    if (!this.view) this.fit();
    const context = sizeCanvas(this.canvas, a.width, a.height);
    context.fillStyle = themeColor("--bg");
    context.fillRect(0, 0, a.width, a.height);
    this.drawCells(context, a);
    this.drawLabels(context, a);
    this.drawColorbar(context, a);
    this.drawPointer(context);
    state.drawMs = performance.now() - started;
  },

  drawCells(context, a) {
    const v = this.view;
    const ratio = window.devicePixelRatio || 1;
    const k = Math.max(0, Math.floor(Math.log2(1 / (v.cell * ratio))));
    const image = this.level(k);
    const step = 2 ** k;
    const m = this.margin;
    // The visible cells, whole pooled blocks, clipped to the plot area.
    const c0 = Math.max(0, Math.floor((m.left - v.x) / v.cell / step));
    const r0 = Math.max(0, Math.floor((m.top - v.y) / v.cell / step));
    const c1 = Math.min(image.width, Math.ceil((m.left + a.w - v.x) / v.cell / step));
    const r1 = Math.min(image.height, Math.ceil((m.top + a.h - v.y) / v.cell / step));
    if (c1 <= c0 || r1 <= r0) return;
    context.save();
    context.beginPath();
    context.rect(m.left, m.top, a.w, a.h);
    context.clip();
    context.imageSmoothingEnabled = false;
    const size = v.cell * step;
    context.drawImage(
      image,
      c0,
      r0,
      c1 - c0,
      r1 - r0,
      v.x + c0 * size,
      v.y + r0 * size,
      (c1 - c0) * size,
      (r1 - r0) * size,
    );
    context.restore();
  },

  // Token labels when a cell is tall enough to hold one, else tick indices.
  drawLabels(context, a) {
    const v = this.view;
    const m = this.margin;
    context.font = FONT;
    context.fillStyle = themeColor("--fg");
    const stride = labelStride(Math.ceil(14 / v.cell));
    context.textBaseline = "middle";
    context.textAlign = "right";
    for (let r = Math.max(0, Math.floor((m.top - v.y) / v.cell)); r < META.queries; r++) {
      const y = v.y + (r + 0.5) * v.cell;
      if (y > m.top + a.h) break;
      if (r % stride) continue;
      const label = stride === 1 ? visibleToken(tokenText("query", r)) : String(r);
      context.fillText(fitText(context, label, m.left - 10), m.left - 6, y);
    }
    context.save();
    context.translate(0, m.top - 6);
    context.rotate(-Math.PI / 2);
    context.textAlign = "left";
    for (let c = Math.max(0, Math.floor((m.left - v.x) / v.cell)); c < META.keys; c++) {
      const x = v.x + (c + 0.5) * v.cell;
      if (x > m.left + a.w) break;
      if (c % stride) continue;
      const label = stride === 1 ? visibleToken(tokenText("key", c)) : String(c);
      context.fillText(fitText(context, label, m.top - 12), 0, x);
    }
    context.restore();
    context.fillStyle = themeColor("--muted");
    context.textAlign = "left";
    context.fillText(`layer ${layerName(state.layer)} · head ${headName(state.head)}`, 8, 14);
  },

  drawColorbar(context, a) {
    const right = this.view.x + META.keys * this.view.cell;
    const x = Math.min(a.width - this.margin.right + 16, Math.max(this.margin.left, right) + 24);
    const y = this.margin.top;
    const h = Math.min(a.h, 300);
    const table = colormapTable(state.cmap);
    for (let i = 0; i < h; i++) {
      const t = 255 - Math.floor((i / h) * 256);
      context.fillStyle = `rgb(${table[t * 3]},${table[t * 3 + 1]},${table[t * 3 + 2]})`;
      context.fillRect(x, y + i, 14, 1.5);
    }
    context.fillStyle = themeColor("--fg");
    context.textAlign = "left";
    context.textBaseline = "middle";
    context.font = '11px system-ui, "DejaVu Sans", sans-serif';
    context.fillText(formatValue(this.codes.max()), x - 2, y - 10);
    context.fillText(formatValue(this.codes.offset), x - 2, y + h + 10);
    context.font = FONT;
  },

  drawPointer(context) {
    if (!state.readout) return;
    const v = this.view;
    context.strokeStyle = themeColor("--accent");
    context.lineWidth = 1.5;
    context.strokeRect(
      v.x + state.readout.key * v.cell,
      v.y + state.readout.query * v.cell,
      Math.max(v.cell, 2),
      Math.max(v.cell, 2),
    );
  },

  cellAt(px, py) {
    const v = this.view;
    const a = this.area();
    const m = this.margin;
    if (!v || px < m.left || py < m.top || px > m.left + a.w || py > m.top + a.h) return null;
    const key = Math.floor((px - v.x) / v.cell);
    const query = Math.floor((py - v.y) / v.cell);
    if (query < 0 || key < 0 || query >= META.queries || key >= META.keys) return null;
    return { query, key };
  },

  // The client coordinates of cell (query, key)'s centre, zoomed in on it first if needed.
  cellPoint(query, key) {
    const v = this.view;
    const rect = this.canvas.getBoundingClientRect();
    return {
      x: rect.left + v.x + (key + 0.5) * v.cell,
      y: rect.top + v.y + (query + 0.5) * v.cell,
    };
  },

  zoom(factor, px, py) {
    const v = this.view;
    const a = this.area();
    const minCell = Math.min(a.w / META.keys, a.h / META.queries) * 0.5;
    const cell = Math.min(80, Math.max(minCell, v.cell * factor));
    v.x = px - ((px - v.x) * cell) / v.cell;
    v.y = py - ((py - v.y) * cell) / v.cell;
    v.cell = cell;
    requestDraw();
  },

  updateReadout(px, py) {
    const started = performance.now();
    const cell = this.cellAt(px, py);
    if (!cell) {
      state.readout = null;
      showReadout("");
      requestDraw();
      return;
    }
    const value = this.codes.at(cell.query, cell.key);
    const masked = this.mask && this.mask[cell.query * this.codes.cols + cell.key] === 1;
    state.readout = { ...cell, value, masked, step: this.codes.scale };
    const half = formatValue(this.codes.scale / 2);
    showReadout(
      `query ${cell.query} “${visibleToken(tokenText("query", cell.query))}” → key ${cell.key} “${visibleToken(tokenText("key", cell.key))}”: ${formatValue(value)}  (± ${half}, ${META.bits}-bit)${masked ? " — masked: no weight (causal triangle or padding)" : ""}`,
    );
    this.draw();
    state.hoverMs = performance.now() - started;
  },

  attach() {
    let drag = null;
    this.canvas.addEventListener(
      "wheel",
      (event) => {
        event.preventDefault();
        this.zoom(Math.exp(-event.deltaY * 0.002), event.offsetX, event.offsetY);
      },
      { passive: false },
    );
    this.canvas.addEventListener("pointerdown", (event) => {
      drag = { x: event.clientX, y: event.clientY, vx: this.view.x, vy: this.view.y };
      this.canvas.setPointerCapture(event.pointerId);
    });
    this.canvas.addEventListener("pointermove", (event) => {
      if (drag) {
        this.view.x = drag.vx + event.clientX - drag.x;
        this.view.y = drag.vy + event.clientY - drag.y;
        requestDraw();
        return;
      }
      this.updateReadout(event.offsetX, event.offsetY);
    });
    this.canvas.addEventListener("pointerup", () => {
      drag = null;
    });
    this.canvas.addEventListener("pointerleave", () => {
      if (!drag) this.updateReadout(-1, -1);
    });
    this.canvas.addEventListener("dblclick", () => {
      this.fit();
      requestDraw();
    });
  },
};

// 1 when every cell has room for its label, else the first of 2, 5, 10, 20, 50, ... that leaves
// `every` cells between labels.
function labelStride(every) {
  if (every <= 1) return 1;
  for (let step = 1; ; step *= 10) {
    for (const m of [2, 5, 10]) if (m * step >= every) return m * step;
  }
}

// Masked cells in a flat neutral colour (the figures hatch them), as an RGBA word.
function maskedWord() {
  const grey = state.theme === "dark" ? 58 : 214;
  return (255 << 24) | (grey << 16) | (grey << 8) | grey;
}
