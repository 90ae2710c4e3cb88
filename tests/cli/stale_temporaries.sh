#!/usr/bin/env bash
# Temporaries of killed runs (their pid no longer exists) are removed when their target is next
# written, in a batch of several figures too; those of a live process, those of targets not
# written, and other files stay. Usage: stale_temporaries.sh ATTNVIZ WORK DATA
set -euo pipefail
attnviz=$1 work=$2 data=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
sleep 0 & dead=$!; wait "$dead"  # a pid that no longer exists
touch ".L0_H0.png.tmp.$dead.aaaaaa" ".L1_H3.png.tmp.$dead.bbbbbb"      # stale: removed
touch ".L0_H1.png.tmp.$$.cccccc"                                       # a live process: kept
touch ".other.png.tmp.$dead.dddddd" ".notes.tmp.txt" "plain.tmp.$dead.x" # not written: kept
"$attnviz" heatmap "$data/induction.npy" --layer all --head all -j 2 -o "L{layer}_H{head}.png"
for gone in ".L0_H0.png.tmp.$dead.aaaaaa" ".L1_H3.png.tmp.$dead.bbbbbb"; do
  [ ! -e "$gone" ] || { echo "stale temporary $gone was not removed" >&2; exit 1; }
done
for kept in ".L0_H1.png.tmp.$$.cccccc" ".other.png.tmp.$dead.dddddd" ".notes.tmp.txt" \
            "plain.tmp.$dead.x" L0_H0.png L1_H3.png; do
  [ -e "$kept" ] || { echo "$kept is missing" >&2; exit 1; }
done
echo ok
