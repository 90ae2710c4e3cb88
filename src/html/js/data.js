/* global META:writable */
// The page's data: the metadata object and each head's codes, inflated on first use.

const META = JSON.parse(document.getElementById("attnviz-meta").textContent);

function dataPart(name) {
  const block = document.querySelector(`script[data-part="${name}"]`);
  return block ? block.textContent : "";
}

function base64Bytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// A zlib stream (written by libdeflate) back to its bytes, by the browser's own inflater.
async function inflate(base64) {
  const stream = new Blob([base64Bytes(base64)])
    .stream()
    .pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// Values as codes: value = offset + code * scale; the top code is NaN or ±Inf.
class Codes {
  constructor(bytes, bits, rows, cols, offset, scale) {
    this.codes = bits === 16 ? new Uint16Array(bytes.buffer, bytes.byteOffset, rows * cols) : bytes;
    this.bits = bits;
    this.bad = bits === 16 ? 65535 : 255;
    this.rows = rows;
    this.cols = cols;
    this.offset = offset;
    this.scale = scale;
  }

  decode(code) {
    return code === this.bad ? NaN : this.offset + code * this.scale;
  }

  at(row, col) {
    return this.decode(this.codes[row * this.cols + col]);
  }

  row(r) {
    const out = new Float64Array(this.cols);
    for (let c = 0; c < this.cols; c++) out[c] = this.at(r, c);
    return out;
  }

  column(c) {
    const out = new Float64Array(this.rows);
    for (let r = 0; r < this.rows; r++) out[r] = this.at(r, c);
    return out;
  }

  // The largest finite value the codes can hold.
  max() {
    return this.offset + (this.bad - 1) * this.scale;
  }
}

// The decoded heads, the most recently used kept (a 4,096-token head is 16 MB of codes).
const headCache = new Map();
const HEAD_CACHE_SIZE = 12;

async function loadHead(index) {
  if (headCache.has(index)) {
    const cached = headCache.get(index);
    headCache.delete(index);
    headCache.set(index, cached);
    return cached;
  }
  const head = META.heads[index];
  const bytes = await inflate(dataPart(`head-${index}`));
  const codes = new Codes(bytes, META.bits, META.queries, META.keys, head.offset, head.scale);
  headCache.set(index, codes);
  while (headCache.size > HEAD_CACHE_SIZE) headCache.delete(headCache.keys().next().value);
  return codes;
}

// The rows of rollout or flow ("rollout", "flow"), decoded once, or null when the page lacks them.
const rowsCodes = new Map();
async function loadRows(name) {
  if (!META[name]) return null;
  if (!rowsCodes.has(name)) {
    const r = META[name];
    const bytes = await inflate(dataPart(name));
    rowsCodes.set(name, new Codes(bytes, META.bits, r.rows, r.cols, r.offset, r.scale));
  }
  return rowsCodes.get(name);
}

// One byte per cell, 1 where the cell is no weight (causal triangle, padding), or null.
async function loadMask(index) {
  return META.heads[index].masked ? inflate(dataPart(`mask-${index}`)) : null;
}

async function loadThumbnail(index) {
  const [rows, cols] = META.heads[index].thumb;
  return new Codes(await inflate(dataPart(`thumb-${index}`)), 8, rows, cols, 0, 1);
}

// The index into META.heads of (layer, head) in the dump's numbering, or -1.
function headIndex(layer, head) {
  return META.heads.findIndex((h) => h.layer === layer && h.head === head);
}

// The embedded layers, in order, and the embedded heads of one layer.
function embeddedLayers() {
  return [...new Set(META.heads.map((h) => h.layer))];
}

function embeddedHeads(layer) {
  return META.heads.filter((h) => h.layer === layer).map((h) => h.head);
}

// Cross-attention has its own key tokens (or another number of keys than queries).
const CROSS_ATTENTION =
  META.queries !== META.keys ||
  JSON.stringify(META.query_tokens) !== JSON.stringify(META.key_tokens);

function tokenText(side, i) {
  const tokens = side === "query" ? META.query_tokens : META.key_tokens;
  return tokens ? tokens[i] : String(i);
}

// Layer and head in the model's numbering (a dump may be a slice of a model).
function layerName(layer) {
  return String(layer + META.layer_offset);
}

function headName(head) {
  return String(head + META.head_offset);
}

// The k largest values of `values` above 0 (all of them when k is 0), largest first, ties by
// position: what the head view draws for one token.
function topK(values, k) {
  const order = [];
  for (let i = 0; i < values.length; i++) if (values[i] > 0) order.push(i);
  order.sort((a, b) => values[b] - values[a] || a - b);
  return k > 0 ? order.slice(0, k) : order;
}

function formatValue(v) {
  if (Number.isNaN(v)) return "NaN";
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 0.001 && a < 10000
    ? v.toFixed(6).replace(/0+$/, "").replace(/\.$/, "")
    : v.toExponential(4);
}

// A head's statistics by name ({} when the page has none).
function statsOf(head) {
  const stats = {};
  if (head.stats) {
    META.stat_names.forEach((name, i) => {
      stats[name] = head.stats[i];
    });
  }
  return stats;
}
