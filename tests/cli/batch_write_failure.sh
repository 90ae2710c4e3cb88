#!/usr/bin/env bash
# A batch whose figures 1 and 5 cannot be written (a folder stands at their paths): on one thread
# and on two (drawing and writing overlap), the error names figure 1, the lowest-numbered failure,
# exit 4, one line, and no temporary file is left behind.
# Usage: batch_write_failure.sh ATTNVIZ WORK DATA
set -euo pipefail
attnviz=$1 work=$2 data=$3
for jobs in 1 2; do
  out=$work/j$jobs
  rm -rf "$out" && mkdir -p "$out/L0_H1.png" "$out/L1_H1.png"
  status=0
  "$attnviz" heatmap "$data/induction.npy" --layer all --head all -j "$jobs" \
    -o "$out/L{layer}_H{head}.png" 2>"$out.err" || status=$?
  [ "$status" = 4 ] || { echo "-j $jobs: exit $status, expected 4" >&2; exit 1; }
  [ "$(wc -l <"$out.err")" = 1 ] || { echo "-j $jobs: expected one line on stderr:" >&2; cat "$out.err" >&2; exit 1; }
  grep -q "L0_H1.png: expected a file name, found a directory" "$out.err" ||
    { echo "-j $jobs: expected the error of L0_H1.png, found:" >&2; cat "$out.err" >&2; exit 1; }
  [ -f "$out/L0_H0.png" ] || { echo "-j $jobs: L0_H0.png, before the failure, is missing" >&2; exit 1; }
  if ls -a "$out" | grep -q '\.tmp\.'; then echo "-j $jobs: a temporary file was left" >&2; exit 1; fi
done
echo ok
