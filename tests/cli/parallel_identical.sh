#!/usr/bin/env bash
# Figures rendered on one thread and on several are the same files, byte for byte.
# Usage: parallel_identical.sh ATTNVIZ OUT_DIR DUMP [attnviz heatmap options...]
set -eu
attnviz=$1 out=$2 dump=$3
shift 3
rm -rf "$out/j1" "$out/j3"
mkdir -p "$out/j1" "$out/j3"
"$attnviz" heatmap "$dump" --layer all --head all "$@" -j 1 -o "$out/j1/L{layer}_H{head}.png"
"$attnviz" heatmap "$dump" --layer all --head all "$@" -j 3 -o "$out/j3/L{layer}_H{head}.png"
diff -r "$out/j1" "$out/j3"
echo "ok: $(ls "$out/j1" | wc -l) figures identical with -j 1 and -j 3"
