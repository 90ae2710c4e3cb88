#!/usr/bin/env bash
# The 40 dodrio-twitter dumps draw trimmed to their tokens: dodrio_trimmed.sh ATTNVIZ REAL OUT
# For each tw_NNNN.npy, `info --json` shows as many queries and keys as stats.csv counts real
# tokens, and a bare heatmap (2 px a cell) is that many cells wide. Exit 77 (skipped, reported as
# such by CTest) when ../shared/real is absent, as in a fresh clone.
set -u
attnviz=$1 dir=$2/dodrio-twitter out=$3
if [ ! -f "$dir/stats.csv" ]; then echo "skipped: no $dir"; exit 77; fi
mkdir -p "$out"
count=0 fail=0
while IFS=, read -r file real _; do
  [ "$file" = file ] && continue
  count=$((count + 1))
  got=$("$attnviz" info --json "$dir/$file" |
    /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["queries"], d["keys"], d["query_tokens"], d["padding"]["source"])')
  if [ "$got" != "$real $real $real pad tokens" ]; then
    echo "$file: info says '$got', expected $real real tokens from pad tokens"; fail=1
  fi
  png=$out/${file%.npy}.png
  "$attnviz" heatmap "$dir/$file" --layer 11 --head 0 --bare --cell 2 -o "$png" || fail=1
  size=$(od -An -tu1 -j16 -N8 "$png" | awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}')
  if [ "$size" != "$((2 * real)) $((2 * real))" ]; then
    echo "$file: heatmap is $size pixels, expected $((2 * real)) square"; fail=1
  fi
done <"$dir/stats.csv"
[ "$count" = 40 ] || { echo "expected 40 dumps in stats.csv, found $count"; fail=1; }
[ "$fail" = 0 ] && echo "ok: $count dodrio dumps trimmed to their tokens"
exit "$fail"
