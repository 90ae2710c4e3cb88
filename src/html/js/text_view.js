// The text view: the tokens as wrapped text; click one and every key token is shaded by its
// row of the current head, or of attention rollout or flow when the page has them.

const textView = {
  section: document.getElementById("view-text"),
  scroller: document.querySelector("#view-text .scroller"),
  canvas: document.querySelector("#view-text canvas"),
  boxes: [], // [{side, index, x, y, w, h}] for clicks
  codes: null,

  async prepare() {
    this.codes = META[state.source]
      ? await loadRows(state.source)
      : await loadHead(headIndex(state.layer, state.head));
  },

  // Subword markers read as spacing: "Ġthe" and "▁the" start a word, "##ing" continues one.
  displayed(text) {
    if (text.startsWith("##")) return { text: text.slice(2), space: false };
    if (text.startsWith("Ġ") || text.startsWith("▁")) return { text: text.slice(1), space: true };
    return { text: visibleToken(text), space: true };
  },

  // Lays out `count` tokens of `side` from y and returns the y below them.
  layoutParagraph(context, side, count, y, width) {
    const lineHeight = 24;
    let x = 12;
    for (let i = 0; i < count; i++) {
      const { text, space } = this.displayed(tokenText(side, i));
      const w = context.measureText(text).width + 6;
      const gap = space && i > 0 ? 4 : 0;
      if (x + gap + w > width - 12 && x > 12) {
        x = 12;
        y += lineHeight;
      } else {
        x += gap;
      }
      this.boxes.push({ side, index: i, text, x, y, w, h: lineHeight - 4 });
      x += w;
    }
    return y + lineHeight;
  },

  weights() {
    const row = state.textRow;
    if (row === null || !this.codes || row >= this.codes.rows) return null;
    const values = this.codes.row(row);
    let max = 0;
    for (const v of values) if (v > max) max = v;
    return { values, max };
  },

  draw() {
    // Room for a vertical scrollbar either way, so the width never changes under the text.
    const width =
      this.scroller.clientWidth -
      (this.scroller.scrollHeight > this.scroller.clientHeight ? 0 : 16);
    const probe = sizeCanvas(this.canvas, width, 10);
    probe.font = FONT;
    this.boxes = [];
    let y = 40;
    if (CROSS_ATTENTION) y = this.layoutParagraph(probe, "query", META.queries, y, width) + 26;
    const keysTop = y;
    y = this.layoutParagraph(probe, CROSS_ATTENTION ? "key" : "query", META.keys, y, width);
    const context = sizeCanvas(
      this.canvas,
      width,
      Math.max(y + 20, this.scroller.clientHeight - 4),
    );
    context.fillStyle = themeColor("--bg");
    context.fillRect(0, 0, width, this.canvas.height);
    context.font = FONT;
    context.textBaseline = "middle";
    const weights = this.weights();
    for (const box of this.boxes) this.drawToken(context, box, weights);
    this.drawCaption(context, keysTop, weights);
  },

  drawToken(context, box, weights) {
    const isKey = CROSS_ATTENTION ? box.side === "key" : true;
    let fg = themeColor("--fg");
    if (weights && isKey) {
      const value = weights.values[box.index];
      const rgb = colorOf(colormapTable(state.cmap), value, 0, weights.max);
      context.fillStyle = cssColor(rgb);
      context.fillRect(box.x, box.y, box.w, box.h);
      fg = textOn(rgb);
    }
    const selected = state.textRow === box.index && (CROSS_ATTENTION ? box.side === "query" : true);
    if (selected) {
      context.strokeStyle = themeColor("--accent");
      context.lineWidth = 2;
      context.strokeRect(box.x - 1, box.y - 1, box.w + 2, box.h + 2);
    }
    context.fillStyle = fg;
    context.textAlign = "left";
    context.fillText(box.text, box.x + 3, box.y + box.h / 2);
  },

  drawCaption(context, keysTop, weights) {
    context.fillStyle = themeColor("--muted");
    context.textAlign = "left";
    const what = META[state.source]
      ? `attention ${state.source} (all layers)`
      : `layer ${layerName(state.layer)} · head ${headName(state.head)}`;
    const row =
      state.textRow === null
        ? "click a token to shade the text by its row"
        : `row of token ${state.textRow} “${visibleToken(tokenText("query", state.textRow))}”, 0 … ${formatValue(weights ? weights.max : 0)}`;
    context.fillText(`${what} — ${row}`, 12, 16);
    if (CROSS_ATTENTION) context.fillText("keys:", 12, keysTop - 14);
  },

  // The box of token i: the query's on a cross-attention page.
  queryBox(i) {
    return this.boxes.find((b) => b.index === i && (!CROSS_ATTENTION || b.side === "query"));
  },

  // Scrolls the chosen token into view.
  scrollToRow() {
    const box = this.queryBox(state.textRow);
    if (box) this.scrollToBox(box);
  },

  scrollToBox(box) {
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight;
    if (box.y < top + 30 || box.y + box.h > top + height - 10) {
      this.scroller.scrollTop = Math.max(0, box.y - height / 2);
    }
  },

  // Viewport coordinates of token i's box (the query's on a cross-attention page), for tests.
  tokenPoint(i) {
    const box = this.queryBox(i);
    if (!box) return null;
    this.scrollToBox(box);
    const rect = this.canvas.getBoundingClientRect();
    return { x: rect.left + box.x + box.w / 2, y: rect.top + box.y + box.h / 2 };
  },

  tokenAt(px, py) {
    return (
      this.boxes.find((b) => px >= b.x && px <= b.x + b.w && py >= b.y && py <= b.y + b.h) || null
    );
  },

  attach() {
    this.canvas.addEventListener("click", async (event) => {
      const box = this.tokenAt(event.offsetX, event.offsetY);
      if (!box || (CROSS_ATTENTION && box.side !== "query")) return;
      state.textRow = state.textRow === box.index ? null : box.index;
      this.draw();
      if (state.textRow !== null && this.weights()) {
        const w = this.weights();
        showReadout(
          `token ${box.index} “${box.text}”: its strongest keys ${topK(w.values, 5)
            .map((k) => `${tokenText("key", k)} ${formatValue(w.values[k])}`)
            .join(", ")}`,
        );
      }
    });
    this.canvas.addEventListener("mousemove", (event) => {
      const box = this.tokenAt(event.offsetX, event.offsetY);
      const w = this.weights();
      if (!box || !w || (CROSS_ATTENTION && box.side !== "key")) return hideTooltip();
      showTooltip(
        event,
        `${box.side} ${box.index} “${box.text}”: ${formatValue(w.values[box.index])}`,
      );
    });
    this.canvas.addEventListener("mouseleave", hideTooltip);
  },
};
