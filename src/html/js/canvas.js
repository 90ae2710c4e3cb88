// What every canvas view shares: sizing for the screen's pixel ratio, theme colours, a fingerprint.

// Sizes `canvas` to width x height CSS pixels at the device's pixel ratio and returns its context,
// scaled so that drawing is in CSS pixels.
function sizeCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}

function themeColor(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const FONT = '12px system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif';

// FNV-1a over a canvas's pixels (sampled on a grid for large canvases): tests compare it before
// and after a change to know that what is drawn changed.
function canvasFingerprint(canvas) {
  const context = canvas.getContext("2d");
  const step = Math.max(1, Math.floor(Math.sqrt((canvas.width * canvas.height) / 250000)));
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let hash = 2166136261;
  for (let y = 0; y < canvas.height; y += step) {
    for (let x = 0; x < canvas.width; x += step) {
      const i = (y * canvas.width + x) * 4;
      for (let k = 0; k < 3; k++) hash = Math.imul(hash ^ pixels[i + k], 16777619);
    }
  }
  return (hash >>> 0).toString(16);
}

// Text cut to `width` pixels with an ellipsis.
function fitText(context, text, width) {
  if (context.measureText(text).width <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (context.measureText(`${text.slice(0, mid)}…`).width <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

// Whitespace and control characters made visible, so a token of spaces or "\n" still shows.
function visibleToken(text) {
  return text
    .replace(/\n/g, "\\n")
    .replace(/\t/g, "\\t")
    .replace(/^ +| +$/g, (s) => "·".repeat(s.length));
}
