#!/usr/bin/env bash
# Real consumers accept our figures: pngcheck, qpdf --check, pdftoppm, rsvg-convert; and a second
# run writes the same bytes. Usage: consumers_test.sh ATTNVIZ OUT_DIR DUMP [attnviz options...]
# Exits 77 (a skip CTest shows) when DUMP is absent (../shared is not part of a clone).
set -eu
attnviz=$1 out=$2 dump=$3
shift 3
[ -f "$dump" ] || { echo "SKIP: $dump absent"; exit 77; }
mkdir -p "$out"
stem=$(basename "${dump%.*}")
for ext in png svg pdf; do
  figure="$out/$stem.$ext"
  "$attnviz" heatmap "$dump" "$@" -o "$figure"
  cp "$figure" "$figure.first"
  "$attnviz" heatmap "$dump" "$@" -o "$figure"
  cmp "$figure" "$figure.first" || { echo "$figure differs between two runs"; exit 1; }
  rm "$figure.first"
done
pngcheck -q "$out/$stem.png"
qpdf --check "$out/$stem.pdf" >/dev/null
pdftoppm -r 30 -png -singlefile "$out/$stem.pdf" "$out/$stem.pdf-page"
rsvg-convert "$out/$stem.svg" -o "$out/$stem.svg.png"
pngcheck -q "$out/$stem.pdf-page.png" "$out/$stem.svg.png"
echo "ok: $stem png, svg, pdf accepted and byte-identical on re-run"
