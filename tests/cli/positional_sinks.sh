#!/usr/bin/env bash
# positional and sinks over many inputs: positional_sinks.sh ATTNVIZ FIXTURES OUT
# The same bytes whatever -j and on a re-run; a glob reads what the files read; an input of
# another shape is reported and the others still counted (exit 3).
set -u
attnviz=$1 fix=$2/analysis/positional out=$3
mkdir -p "$out"
fail=0
check() { "$@" || { echo "failed: $*"; fail=1; }; }

for command in positional sinks; do
  "$attnviz" "$command" "$fix/planted_*.npy" --json -j 1 >"$out/$command.j1.json" || fail=1
  "$attnviz" "$command" "$fix/planted_*.npy" --json -j 3 >"$out/$command.j3.json" || fail=1
  check cmp -s "$out/$command.j1.json" "$out/$command.j3.json"
  "$attnviz" "$command" "$fix"/planted_{0,1,2,3,4,5}.npy --json >"$out/$command.files.json" || fail=1
  check cmp -s "$out/$command.j1.json" "$out/$command.files.json"
  "$attnviz" "$command" "$fix/planted_*.npy" -o "$out/$command.a.png" >/dev/null || fail=1
  "$attnviz" "$command" "$fix/planted_*.npy" -o "$out/$command.b.png" -j 2 >/dev/null || fail=1
  check cmp -s "$out/$command.a.png" "$out/$command.b.png"

  # The planted inputs have 2 layers x 4 heads, causal_0 1 x 2: after them in sorted order
  # (z_causal), it is reported and they are counted.
  mkdir -p "$out/mixed"
  cp "$fix"/planted_* "$out/mixed/"
  cp "$fix/causal_0.npy" "$out/mixed/z_causal.npy"
  "$attnviz" "$command" "$out/mixed/*.npy" --json >"$out/$command.mixed.json" \
    2>"$out/$command.mixed.err"
  status=$?
  [ "$status" = 3 ] || { echo "$command with a mismatched input: exit $status, expected 3"; fail=1; }
  grep -q "z_causal.npy: expected 2 layers x 4 heads as in the first input, found 1 x 2" \
    "$out/$command.mixed.err" || { echo "$command: no mismatch message"; cat "$out/$command.mixed.err"; fail=1; }
  grep -q "1 input failed" "$out/$command.mixed.err" || { echo "$command: no summary line"; fail=1; }
  check cmp -s "$out/$command.j1.json" "$out/$command.mixed.json"
done
[ "$fail" = 0 ] && echo "ok: positional and sinks identical across -j, file lists and re-runs"
exit "$fail"
