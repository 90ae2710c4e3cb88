#!/usr/bin/env bash
# A .pt file draws exactly the figure of the same attention saved by numpy:
# torch_same_figure.sh ATTNVIZ OUT_DIR PT NPY [heatmap options...]
set -eu
attnviz=$1 out=$2 pt=$3 npy=$4
shift 4
mkdir -p "$out"
"$attnviz" heatmap "$pt" --title same "$@" -o "$out/from_pt.png"
"$attnviz" heatmap "$npy" --title same "$@" -o "$out/from_npy.png"
cmp "$out/from_pt.png" "$out/from_npy.png"
echo "ok: $pt draws as $npy"
