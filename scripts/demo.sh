#!/usr/bin/env bash
# Builds attnviz (Release) and its man page (build/release/attnviz.1), and renders a heatmap of
# each bundled sample in data/ into out/, as PNG, SVG and PDF. Installs missing Debian packages first (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc)" --target attnviz manpage  # man build/release/attnviz.1
attnviz=build/release/attnviz
mkdir -p out

# sample, layer, head: the head of each sample that shows its pattern best (data/README.md).
samples=(
  "data/induction.npy 1 2"
  "data/copy_offset.npz 1 1"
  "data/reverse.json 0 3"
  "data/induction_layers.safetensors 0 0"
  "data/seq2seq_cross.json 0 2"
)
for entry in "${samples[@]}"; do
  read -r file layer head <<<"$entry"
  [ -f "$file" ] || continue
  stem=$(basename "${file%.*}")
  for ext in png svg pdf; do
    out="out/${stem}_L${layer}_H${head}.$ext"
    "$attnviz" heatmap "$file" --layer "$layer" --head "$head" -o "$out"
    echo "wrote $out"
  done
done

# Every head of the induction model captioned with its pattern, and the whole report.
"$attnviz" grid data/induction.npy --labels -o out/induction_grid.png && echo "wrote out/induction_grid.png"
"$attnviz" report data/induction.npy -o out/induction_report.pdf && echo "wrote out/induction_report.pdf"
