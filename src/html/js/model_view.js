// The model view: every embedded head as a max-pooled thumbnail, layers down, heads across;
// hover for the head's class and statistics, click to open it in the head view.

const modelView = {
  section: document.getElementById("view-model"),
  canvas: document.querySelector("#view-model canvas"),
  thumbnails: null, // ImageBitmap-like canvases, one per embedded head
  layout: null,

  async prepare() {
    if (this.thumbnails) return;
    this.thumbnails = await Promise.all(META.heads.map((_, i) => loadThumbnail(i)));
  },

  // Where each thumbnail goes: a square cell per head with room for a caption. When the heads
  // of a layer would be thumbnails under 48 px, a layer wraps onto several rows instead, and
  // each caption names its head.
  computeLayout(width) {
    const layers = embeddedLayers();
    const most = Math.max(...layers.map((l) => embeddedHeads(l).length));
    const margin = { left: 44, top: 24 };
    const gap = 6;
    const room = width - margin.left - 16;
    let columns = most;
    let cell = Math.min(110, Math.floor(room / columns) - gap);
    if (cell < 48) {
      cell = 64;
      columns = Math.max(1, Math.floor(room / (cell + gap)));
    }
    const wrapped = columns < most;
    const rowsPerLayer = Math.ceil(most / columns);
    const caption = cell >= 56 ? 16 : 0;
    return { layers, columns, rowsPerLayer, wrapped, margin, cell, caption, gap };
  },

  // The top-left corner of the thumbnail of the `h`-th head of the `l`-th layer.
  cellOrigin(layout, l, h) {
    const row = l * layout.rowsPerLayer + Math.floor(h / layout.columns);
    const column = h % layout.columns;
    return {
      x: layout.margin.left + column * (layout.cell + layout.gap),
      y: layout.margin.top + row * (layout.cell + layout.caption + layout.gap),
    };
  },

  draw() {
    const width = this.section.clientWidth;
    const layout = this.computeLayout(width);
    this.layout = layout;
    const rows = layout.layers.length * layout.rowsPerLayer;
    const height = layout.margin.top + rows * (layout.cell + layout.caption + layout.gap) + 8;
    this.section.style.overflow = "auto";
    const context = sizeCanvas(this.canvas, width, height);
    context.fillStyle = themeColor("--bg");
    context.fillRect(0, 0, width, height);
    context.font = FONT;
    context.textAlign = "right";
    context.textBaseline = "middle";
    layout.layers.forEach((layer, l) => {
      const { y } = this.cellOrigin(layout, l, 0);
      context.fillStyle = themeColor("--muted");
      context.fillText(`L${layerName(layer)}`, layout.margin.left - 8, y + layout.cell / 2);
      embeddedHeads(layer).forEach((head, h) => this.drawHead(context, layout, l, h, layer, head));
    });
    if (!layout.wrapped) this.drawHeadNames(context, layout);
  },

  drawHeadNames(context, layout) {
    context.textAlign = "center";
    context.textBaseline = "alphabetic";
    context.fillStyle = themeColor("--muted");
    embeddedHeads(layout.layers[0]).forEach((head, h) => {
      const { x } = this.cellOrigin(layout, 0, h);
      context.fillText(`H${headName(head)}`, x + layout.cell / 2, 16);
    });
  },

  drawHead(context, layout, l, h, layer, head) {
    const index = headIndex(layer, head);
    const { x, y } = this.cellOrigin(layout, l, h);
    const image = thumbnailCanvas(this.thumbnails[index], state.cmap);
    context.imageSmoothingEnabled = false;
    context.drawImage(image, x, y, layout.cell, layout.cell);
    if (layer === state.layer && head === state.head) {
      context.strokeStyle = themeColor("--accent");
      context.lineWidth = 3;
      context.strokeRect(x - 2, y - 2, layout.cell + 4, layout.cell + 4);
    }
    const headClass = META.heads[index].class;
    if (layout.caption && headClass) {
      context.fillStyle = themeColor("--fg");
      context.textAlign = "center";
      context.font = '11px system-ui, "DejaVu Sans", sans-serif';
      const caption = layout.wrapped ? `H${headName(head)} ${headClass.label}` : headClass.label;
      context.fillText(
        fitText(context, caption, layout.cell),
        x + layout.cell / 2,
        y + layout.cell + 12,
      );
      context.font = FONT;
      context.textAlign = "right";
    }
  },

  // The (layer, head) under a point of the canvas, or null.
  headAt(px, py) {
    const layout = this.layout;
    if (!layout) return null;
    for (const [l, layer] of layout.layers.entries()) {
      for (const [h, head] of embeddedHeads(layer).entries()) {
        const { x, y } = this.cellOrigin(layout, l, h);
        if (px >= x && px <= x + layout.cell && py >= y && py <= y + layout.cell) {
          return { layer, head };
        }
      }
    }
    return null;
  },

  // The client coordinates of the centre of a head's thumbnail (for tests).
  thumbnailPoint(layer, head) {
    const layout = this.layout;
    const l = layout.layers.indexOf(layer);
    const { x, y } = this.cellOrigin(layout, l, embeddedHeads(layer).indexOf(head));
    const rect = this.canvas.getBoundingClientRect();
    return { x: rect.left + x + layout.cell / 2, y: rect.top + y + layout.cell / 2 };
  },

  attach() {
    this.canvas.addEventListener("mousemove", (event) => {
      const hit = this.headAt(event.offsetX, event.offsetY);
      if (!hit) return hideTooltip();
      showTooltip(event, headSummary(hit.layer, hit.head));
    });
    this.canvas.addEventListener("mouseleave", hideTooltip);
    this.canvas.addEventListener("click", (event) => {
      const hit = this.headAt(event.offsetX, event.offsetY);
      if (!hit) return;
      hideTooltip();
      select(hit.layer, hit.head, "head");
    });
  },
};

const thumbnailImages = new Map();

// A thumbnail's pixels in a colormap, each drawn relative to the head's own maximum.
function thumbnailCanvas(codes, cmap) {
  const key = `${cmap}:${modelView.thumbnails.indexOf(codes)}`;
  if (thumbnailImages.has(key)) return thumbnailImages.get(key);
  const canvas = document.createElement("canvas");
  canvas.width = codes.cols;
  canvas.height = codes.rows;
  const context = canvas.getContext("2d");
  const image = context.createImageData(codes.cols, codes.rows);
  const palette = codePalette(codes, colormapTable(cmap), 0, codes.bad - 1);
  new Uint32Array(image.data.buffer).set(Array.from(codes.codes, (c) => palette[c]));
  context.putImageData(image, 0, 0);
  thumbnailImages.set(key, canvas);
  return canvas;
}

// "L1 H2 · induction (0.93)" and the head's key statistics, for tooltips.
function headSummary(layer, head) {
  const meta = META.heads[headIndex(layer, head)];
  const lines = [`Layer ${layerName(layer)} · head ${headName(head)}`];
  if (meta.class) {
    const confidence =
      meta.class.confidence === null ? "" : ` (${meta.class.confidence.toFixed(2)})`;
    lines.push(`${meta.class.label}${confidence}`);
  }
  const stats = statsOf(meta);
  const shown = [
    ["entropy", "entropy"],
    ["entropy_norm", "entropy (norm.)"],
    ["distance", "mean distance"],
    ["first_token", "to first token"],
    ["self", "to self"],
    ["prev", "to previous"],
  ];
  for (const [key, name] of shown) {
    if (stats[key] !== null && stats[key] !== undefined) {
      lines.push(`${name}: ${stats[key].toFixed(3)}`);
    }
  }
  lines.push("click to open");
  return lines.join("\n");
}
