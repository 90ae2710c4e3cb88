#!/usr/bin/env bash
# A batch over several files writes the same bytes with -j 1 and -j 2.
# Usage: batch_jobs_identical.sh ATTNVIZ OUT_DIR DATA_DIR COMMAND TEMPLATE [options...]
set -eu
attnviz=$1 out=$2 data=$3 command=$4 template=$5
shift 5
. "$(dirname "$0")/batch_dumps.sh"
make_dumps "$out/dumps" "$data"
rm -rf "$out/j1" "$out/j2"
mkdir -p "$out/j1" "$out/j2"
"$attnviz" "$command" "$out"/dumps/*.{npy,npz,json,safetensors} "$@" -j 1 -o "$out/j1/$template"
"$attnviz" "$command" "$out"/dumps/*.{npy,npz,json,safetensors} "$@" -j 2 -o "$out/j2/$template"
n=$(ls "$out/j1" | wc -l)
[ "$n" -ge 5 ] || { echo "expected at least 5 outputs, found $n"; exit 1; }
diff -r "$out/j1" "$out/j2"
echo "ok: $n $command outputs identical with -j 1 and -j 2"
