#!/usr/bin/env bash
# Real consumers accept a figure command's outputs in all three formats (pngcheck, qpdf --check,
# pdftoppm on every page, rsvg-convert), and a second run writes the same bytes.
# Usage: figure_consumers.sh ATTNVIZ OUT_DIR NAME ARGS...; the word @FIGURE@ in ARGS becomes
# OUT_DIR/NAME.png, .svg and .pdf in turn. Exits 77 (a skip CTest shows) when an argument names
# an absent ../shared file.
set -eu
attnviz=$1 out=$2 name=$3
shift 3
for arg in "$@"; do
  case "$arg" in */shared/real/*) [ -e "$arg" ] || { echo "SKIP: $arg absent"; exit 77; } ;; esac
done
mkdir -p "$out"
for ext in png svg pdf; do
  figure="$out/$name.$ext"
  args=("${@//@FIGURE@/$figure}")
  "$attnviz" "${args[@]}"
  cp "$figure" "$figure.first"
  "$attnviz" "${args[@]}"
  cmp "$figure" "$figure.first" || { echo "$figure differs between two runs"; exit 1; }
  rm "$figure.first"
done
pngcheck -q "$out/$name.png"
qpdf --check "$out/$name.pdf" >/dev/null
pdftoppm -r 30 -png "$out/$name.pdf" "$out/$name.pdf-page"
rsvg-convert "$out/$name.svg" -o "$out/$name.svg.png"
pngcheck -q "$out/$name".pdf-page*.png "$out/$name.svg.png"
echo "ok: $name png, svg, pdf accepted and byte-identical on re-run"
