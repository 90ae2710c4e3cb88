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

  // Where each thumbnail goes: a square cell per head with room for a caption.
  computeLayout(width) {
    const layers = embeddedLayers();
    const columns = Math.max(...layers.map((l) => embeddedHeads(l).length));
    const margin = { left: 44, top: 24 };
    const cell = Math.max(24, Math.min(110, Math.floor((width - margin.left - 16) / columns) - 6));
    const caption = cell >= 56 ? 16 : 0;
    return { layers, columns, margin, cell, caption, gap: 6 };
  },

  cellOrigin(layout, row, column) {
    return {
      x: layout.margin.left + column * (layout.cell + layout.gap),
      y: layout.margin.top + row * (layout.cell + layout.caption + layout.gap),
    };
  },

  draw() {
    const width = this.section.clientWidth;
    const layout = this.computeLayout(width);
    this.layout = layout;
    const height =
      layout.margin.top + layout.layers.length * (layout.cell + layout.caption + layout.gap) + 8;
    this.section.style.overflow = "auto";
    const context = sizeCanvas(this.canvas, width, height);
    context.fillStyle = themeColor("--bg");
    context.fillRect(0, 0, width, height);
    context.font = FONT;
    context.fillStyle = themeColor("--muted");
    context.textAlign = "right";
    context.textBaseline = "middle";
    layout.layers.forEach((layer, row) => {
      const { y } = this.cellOrigin(layout, row, 0);
      context.fillText(`L${layerName(layer)}`, layout.margin.left - 8, y + layout.cell / 2);
      embeddedHeads(layer).forEach((head, column) =>
        this.drawHead(context, layout, row, column, layer, head),
      );
    });
    context.textAlign = "center";
    context.textBaseline = "alphabetic";
    context.fillStyle = themeColor("--muted");
    for (let column = 0; column < layout.columns; column++) {
      const { x } = this.cellOrigin(layout, 0, column);
      const heads = embeddedHeads(layout.layers[0]);
      if (column < heads.length) {
        context.fillText(`H${headName(heads[column])}`, x + layout.cell / 2, 16);
      }
    }
  },

  drawHead(context, layout, row, column, layer, head) {
    const index = headIndex(layer, head);
    const { x, y } = this.cellOrigin(layout, row, column);
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
      context.fillText(
        fitText(context, headClass.label, layout.cell),
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
    const column = Math.floor((px - layout.margin.left) / (layout.cell + layout.gap));
    const row = Math.floor((py - layout.margin.top) / (layout.cell + layout.caption + layout.gap));
    if (row < 0 || row >= layout.layers.length || column < 0) return null;
    const layer = layout.layers[row];
    const heads = embeddedHeads(layer);
    if (column >= heads.length) return null;
    const { x, y } = this.cellOrigin(layout, row, column);
    if (px > x + layout.cell || py > y + layout.cell) return null;
    return { layer, head: heads[column] };
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
