// The head view: query tokens on the left, key tokens on the right, joined by lines whose
// opacity is the attention weight. Hovering a token keeps only its lines (its row's top-k keys,
// or for a key the queries that attend to it most); ticked heads are overlaid in their colours.
// Only the rows on screen are drawn, so 4,096 tokens scroll as fast as 40.

const headView = {
  section: document.getElementById("view-head"),
  scroller: document.querySelector("#view-head .scroller"),
  spacer: document.querySelector("#view-head .spacer"),
  canvas: document.querySelector("#view-head canvas"),
  rowHeight: 18,
  top: 30,
  heads: [], // [{index, head, color, codes}] for the heads drawn

  activeHeads() {
    const heads = embeddedHeads(state.layer);
    const ticked = heads.filter((h) => h === state.head || state.heads.has(h));
    return ticked.map((h) => ({
      index: headIndex(state.layer, h),
      head: h,
      color: HEAD_COLORS[heads.indexOf(h) % HEAD_COLORS.length],
    }));
  },

  async prepare() {
    const heads = this.activeHeads();
    for (const h of heads) h.codes = await loadHead(h.index);
    this.heads = heads;
  },

  geometry() {
    const width = this.scroller.clientWidth;
    const gap = Math.max(120, Math.min(420, width * 0.36));
    const center = width / 2;
    return {
      width,
      height: this.scroller.clientHeight,
      left: center - gap / 2,
      right: center + gap / 2,
    };
  },

  tokenY(i) {
    return this.top + i * this.rowHeight + this.rowHeight / 2 - this.scroller.scrollTop;
  },

  visibleRange(count) {
    const first = Math.max(
      0,
      Math.floor((this.scroller.scrollTop - this.top) / this.rowHeight) - 1,
    );
    const last = Math.min(
      count - 1,
      first + Math.ceil(this.scroller.clientHeight / this.rowHeight) + 2,
    );
    return [first, last];
  },

  // The lines to draw: for a hovered token its top-k, else each visible query's strongest few.
  chooseLines() {
    const k = state.topk;
    const lines = [];
    const hover = state.hover;
    for (const h of this.heads) {
      if (hover && hover.side === "query") {
        for (const key of topK(h.codes.row(hover.index), k)) {
          lines.push({
            head: h.head,
            query: hover.index,
            key,
            weight: h.codes.at(hover.index, key),
          });
        }
      } else if (hover && hover.side === "key") {
        for (const query of topK(h.codes.column(hover.index), k)) {
          lines.push({
            head: h.head,
            query,
            key: hover.index,
            weight: h.codes.at(query, hover.index),
          });
        }
      } else {
        const [first, last] = this.visibleRange(META.queries);
        const overview = k > 0 ? k : META.keys <= 256 ? 0 : 64;
        for (let query = first; query <= last; query++) {
          for (const key of topK(h.codes.row(query), overview)) {
            lines.push({ head: h.head, query, key, weight: h.codes.at(query, key) });
          }
        }
      }
    }
    return lines;
  },

  draw() {
    const started = performance.now();
    this.spacer.style.height = `${this.top + Math.max(META.queries, META.keys) * this.rowHeight + 12}px`;
    const g = this.geometry();
    const context = sizeCanvas(this.canvas, g.width, g.height);
    context.fillStyle = themeColor("--bg");
    context.fillRect(0, 0, g.width, g.height);
    const lines = this.chooseLines();
    const vmax = Math.max(1e-12, ...this.heads.map((h) => h.codes.max()));
    this.drawLines(context, g, lines, vmax);
    this.drawTokens(context, g, "query", META.queries, lines, vmax);
    this.drawTokens(context, g, "key", META.keys, lines, vmax);
    this.drawHeadings(context, g);
    state.lines = lines.map(({ head, query, key, weight }) => ({
      layer: state.layer,
      head,
      query,
      key,
      weight,
    }));
    state.lineMode = state.hover ? "hover" : "overview";
    state.drawMs = performance.now() - started;
  },

  drawLines(context, g, lines, vmax) {
    const colors = new Map(this.heads.map((h) => [h.head, h.color]));
    const offset = this.heads.length > 1 ? 2 : 0;
    for (const line of lines) {
      const alpha = Number.isFinite(line.weight) ? Math.min(1, line.weight / vmax) : 1;
      if (alpha < 1 / 256 && !state.hover) continue;
      const shift =
        offset * (this.heads.findIndex((h) => h.head === line.head) - (this.heads.length - 1) / 2);
      context.strokeStyle = cssColor(
        colors.get(line.head),
        Math.max(alpha, state.hover ? 0.08 : 0),
      );
      context.lineWidth = state.hover ? 1 + 2.5 * alpha : 1 + 1.5 * alpha;
      context.beginPath();
      context.moveTo(g.left + 6, this.tokenY(line.query) + shift);
      context.lineTo(g.right - 6, this.tokenY(line.key) + shift);
      context.stroke();
    }
  },

  // One column of tokens; the hovered token framed, the other side's tokens shaded by weight.
  drawTokens(context, g, side, count, lines, vmax) {
    const [first, last] = this.visibleRange(count);
    const isQuery = side === "query";
    const x = isQuery ? g.left - 8 : g.right + 8;
    const width = Math.max(60, (isQuery ? g.left : g.width - g.right) - 24);
    const weight = new Map();
    if (state.hover && state.hover.side !== side) {
      for (const line of lines) {
        const at = isQuery ? line.query : line.key;
        weight.set(at, Math.max(weight.get(at) || 0, line.weight));
      }
    }
    context.font = FONT;
    context.textBaseline = "middle";
    context.textAlign = isQuery ? "right" : "left";
    for (let i = first; i <= last; i++) {
      const y = this.tokenY(i);
      const text = fitText(context, `${visibleToken(tokenText(side, i))}`, width);
      const textWidth = context.measureText(text).width;
      const boxX = isQuery ? x - textWidth - 3 : x - 3;
      if (weight.has(i)) {
        context.fillStyle = cssColor(this.heads[0].color, Math.min(1, weight.get(i) / vmax) * 0.6);
        context.fillRect(boxX, y - this.rowHeight / 2 + 1, textWidth + 6, this.rowHeight - 2);
      }
      if (state.hover && state.hover.side === side && state.hover.index === i) {
        context.strokeStyle = themeColor("--accent");
        context.lineWidth = 2;
        context.strokeRect(boxX, y - this.rowHeight / 2 + 1, textWidth + 6, this.rowHeight - 2);
      }
      context.fillStyle = themeColor("--fg");
      context.fillText(text, x, y);
      context.fillStyle = themeColor("--muted");
      context.font = '10px system-ui, "DejaVu Sans", sans-serif';
      context.fillText(String(i), isQuery ? g.left - width - 28 : g.right + width + 28, y);
      context.font = FONT;
    }
  },

  drawHeadings(context, g) {
    context.fillStyle = themeColor("--bg");
    context.fillRect(0, 0, g.width, this.top - 6);
    context.fillStyle = themeColor("--muted");
    context.font = FONT;
    context.textBaseline = "middle";
    context.textAlign = "right";
    context.fillText(CROSS_ATTENTION ? "queries" : "tokens (queries)", g.left - 8, 12);
    context.textAlign = "left";
    context.fillText(CROSS_ATTENTION ? "keys" : "tokens (keys)", g.right + 8, 12);
    context.textAlign = "center";
    const names = this.heads.map((h) => `H${headName(h.head)}`).join(" ");
    context.fillText(`layer ${layerName(state.layer)} · ${names}`, g.width / 2, 12);
  },

  // The token under a point of the scroller, as {side, index}, or null.
  tokenAt(px, py) {
    const g = this.geometry();
    const index = Math.floor((py + this.scroller.scrollTop - this.top) / this.rowHeight);
    if (px < g.left && px > 4 && index >= 0 && index < META.queries) {
      return { side: "query", index };
    }
    if (px > g.right && index >= 0 && index < META.keys) return { side: "key", index };
    return null;
  },

  // Scrolls token i of `side` into view and returns its client coordinates (for tests).
  tokenPoint(side, i) {
    const y = this.top + i * this.rowHeight;
    if (
      y < this.scroller.scrollTop + this.top ||
      y > this.scroller.scrollTop + this.scroller.clientHeight - 2 * this.rowHeight
    ) {
      this.scroller.scrollTop = Math.max(0, y - this.scroller.clientHeight / 2);
      this.draw();
    }
    const g = this.geometry();
    const rect = this.scroller.getBoundingClientRect();
    const x = side === "query" ? g.left - 20 : g.right + 20;
    return { x: rect.left + x, y: rect.top + this.tokenY(i) };
  },

  attach() {
    this.scroller.addEventListener("scroll", () => requestDraw());
    this.scroller.addEventListener("mousemove", (event) => {
      const started = performance.now();
      const rect = this.scroller.getBoundingClientRect();
      const hit = this.tokenAt(event.clientX - rect.left, event.clientY - rect.top);
      const same =
        hit && state.hover && hit.side === state.hover.side && hit.index === state.hover.index;
      if (same || (!hit && !state.hover)) return;
      state.hover = hit;
      this.draw();
      state.hoverMs = performance.now() - started;
      showReadout(
        hit
          ? `${hit.side} ${hit.index} “${tokenText(hit.side, hit.index)}”: ${this.describeLines()}`
          : "",
      );
    });
    this.scroller.addEventListener("mouseleave", () => {
      state.hover = null;
      this.draw();
    });
  },

  describeLines() {
    const shown = state.lines.slice(0, 6).map((l) => {
      const other =
        state.hover.side === "query" ? tokenText("key", l.key) : tokenText("query", l.query);
      return `${visibleToken(other)} ${formatValue(l.weight)}`;
    });
    return shown.join(", ") + (state.lines.length > 6 ? " …" : "");
  },
};
