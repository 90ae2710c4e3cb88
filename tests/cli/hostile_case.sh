#!/usr/bin/env bash
# One hostile input through `info` and `heatmap`: the exit code and message words listed in
# tests/hostile/expected.tsv, one line on stderr, no figure and no temporary file left behind.
# Usage: hostile_case.sh ATTNVIZ HOSTILE_DIR NAME OUT_DIR
set -u
attnviz=$1 dir=$2 name=$3 out=$4
line=$(awk -F'\t' -v n="$name" '$1 == n' "$dir/expected.tsv")
[ -n "$line" ] || { echo "$name is not in expected.tsv"; exit 1; }
want=$(cut -f2 <<<"$line") words=$(cut -f3 <<<"$line")
mkdir -p "$out"
figure="$out/$name.png"
rm -f "$figure"
fail=0
for command in info heatmap; do
  args=(info "$dir/$name")
  [ "$command" = heatmap ] && args=(heatmap "$dir/$name" -o "$figure")
  err=$(timeout 20 "$attnviz" "${args[@]}" 2>&1 >/dev/null)
  got=$?
  if [ "$got" != "$want" ]; then echo "$command: exit $got, expected $want: $err"; fail=1; fi
  if [ -n "$words" ] && ! grep -Eq -- "$words" <<<"$err"; then
    echo "$command: message does not match /$words/: $err"; fail=1
  fi
  if [ "$want" != 0 ]; then
    [ "$(wc -l <<<"$err")" = 1 ] || { echo "$command: more than one line: $err"; fail=1; }
    grep -q -- "$name" <<<"$err" || { echo "$command: message does not name the file: $err"; fail=1; }
  fi
done
if [ "$want" != 0 ] && [ -e "$figure" ]; then echo "heatmap left $figure"; fail=1; fi
if ls -a "$out" | grep -qF ".$name.png.tmp"; then echo "temporary file left in $out"; fail=1; fi
[ -e /tmp/attnviz-pwned ] && { echo "a header was evaluated"; fail=1; }
exit $fail
