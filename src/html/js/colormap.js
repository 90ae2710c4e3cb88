// The colormaps of attnviz, the same 256-entry tables the figures use, embedded by the C++ side.

const BAD_COLOR = [255, 0, 255]; // kBadColor: NaN and ±Inf
const lookupTables = new Map();

function colormapTable(name) {
  if (!lookupTables.has(name)) {
    const hex = META.colormaps[name];
    const table = new Uint8Array(768);
    for (let i = 0; i < 768; i++) table[i] = parseInt(hex.substr(2 * i, 2), 16);
    lookupTables.set(name, table);
  }
  return lookupTables.get(name);
}

// matplotlib's index of a normalised value: min(floor(x * 256), 255), 0 below 0.
function colormapIndex(x) {
  if (!(x > 0)) return 0;
  return Math.min(Math.floor(x * 256), 255);
}

function colorOf(table, value, vmin, vmax) {
  if (!Number.isFinite(value)) return BAD_COLOR;
  const x = vmax > vmin ? (value - vmin) / (vmax - vmin) : 0;
  const i = colormapIndex(x) * 3;
  return [table[i], table[i + 1], table[i + 2]];
}

function cssColor(rgb, alpha = 1) {
  return alpha === 1
    ? `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`
    : `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${alpha})`;
}

// Each code's colour as one little-endian RGBA word, for filling ImageData quickly.
function codePalette(codes, table, vmin, vmax) {
  const palette = new Uint32Array(codes.bad + 1);
  for (let code = 0; code <= codes.bad; code++) {
    const [r, g, b] = colorOf(table, codes.decode(code), vmin, vmax);
    palette[code] = (255 << 24) | (b << 16) | (g << 8) | r;
  }
  return palette;
}

// Distinct colours for heads drawn together (matplotlib's tab10, as the arrows figure uses).
const HEAD_COLORS = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

// Black or white text, whichever reads better on `rgb`.
function textOn(rgb) {
  const luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  return luminance > 140 ? "#000" : "#fff";
}
