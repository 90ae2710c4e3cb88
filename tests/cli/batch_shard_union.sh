#!/usr/bin/env bash
# --shard I/N: N runs together write exactly the files of one unsharded run, each file once and
# byte for byte the same. Usage: batch_shard_union.sh ATTNVIZ OUT_DIR DATA_DIR COMMAND [options...]
# (-o is added: one template with {stem}, {layer} and {head} for heatmap, {stem} for the others).
set -eu
attnviz=$1 out=$2 data=$3 command=$4
shift 4
. "$(dirname "$0")/batch_dumps.sh"
make_dumps "$out/dumps" "$data"
template='{stem}.png'
[ "$command" = heatmap ] && template='{stem}_L{layer}_H{head}.png'
mkdir -p "$out/all" "$out/s0" "$out/s1" "$out/s2" "$out/union"
rm -f "$out"/all/* "$out"/s?/* "$out"/union/*
"$attnviz" "$command" "$out/dumps/*.[jnps]*" "$@" -o "$out/all/$template"
for i in 0 1 2; do
  "$attnviz" "$command" "$out/dumps/*.[jnps]*" "$@" --shard "$i/3" -o "$out/s$i/$template"
  "$attnviz" "$command" "$out/dumps/*.[jnps]*" "$@" --shard "$i/3" -o "$out/union/$template"
done
total=$(ls "$out/all" | wc -l)
[ "$total" -gt 3 ] || { echo "expected several outputs, found $total"; exit 1; }
# Each output exactly once: the shards' file lists are disjoint and together the whole list.
dups=$(ls "$out/s0" "$out/s1" "$out/s2" | grep -v '^$' | grep -v ':$' | sort | uniq -d)
[ -z "$dups" ] || { echo "written by two shards: $dups"; exit 1; }
for i in 0 1 2; do
  n=$(ls "$out/s$i" | wc -l)
  [ "$n" -gt 0 ] || { echo "shard $i/3 wrote nothing"; exit 1; }
done
diff <(ls "$out/all") <(ls "$out/s0" "$out/s1" "$out/s2" | grep -v '^$' | grep -v ':$' | sort)
diff -r "$out/all" "$out/union"
echo "ok: $total outputs; shards wrote $(ls "$out/s0" | wc -l) + $(ls "$out/s1" | wc -l) + $(ls "$out/s2" | wc -l), identical to one run"
