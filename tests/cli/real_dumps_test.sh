#!/usr/bin/env bash
# Every dump of ../shared/real (attention from real pretrained models) loads and draws, and the 40
# padded dodrio-twitter inputs are drawn trimmed to their own tokens: the unpadded length attnviz
# finds equals the one numpy counted (stats.csv), in `info` and in the heatmap's size.
# Exits 77 (a skip CTest shows) when ../shared/real is absent, as in a fresh clone.
# Usage: real_dumps_test.sh ATTNVIZ REAL_DIR
set -euo pipefail
attnviz=$1 real=$2
[ -d "$real" ] || { echo "SKIP: $real is absent"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "real_dumps_test: $*" >&2; exit 1; }

for dump in "$real"/*.json "$real"/*.npy; do
  name=$(basename "$dump")
  "$attnviz" info "$dump" --json >"$work/$name.info.json" 2>"$work/err" || fail "info $name: $(cat "$work/err")"
  "$attnviz" heatmap "$dump" -o "$work/$name.png" 2>"$work/err" || fail "heatmap $name: $(cat "$work/err")"
  pngcheck -q "$work/$name.png" >/dev/null || fail "heatmap $name: not a valid PNG"
done

# dodrio: n real tokens of 64 ([CLS] ... [SEP], then [PAD] lines); keys past n are exactly zero.
count=0
while IFS=, read -r file unpadded _; do
  [ "$file" = file ] && continue
  dump="$real/dodrio-twitter/$file"
  "$attnviz" info "$dump" --json >"$work/info.json" 2>"$work/err" || fail "info $file: $(cat "$work/err")"
  /usr/bin/python3 - "$work/info.json" "$unpadded" "$file" <<'EOF_PY' || fail "info $file: wrong padding"
import json, sys
info, n, name = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
assert info["queries"] == n and info["keys"] == n, (name, info["queries"], info["keys"], n)
assert info["query_tokens"] == n and info["key_tokens"] == n, (name, info["query_tokens"], n)
assert info["padding"]["real_keys"] == [0, n], (name, info["padding"])
EOF_PY
  "$attnviz" heatmap "$dump" --layer 0 --head 0 -o "$work/$file.svg" 2>"$work/err" ||
    fail "heatmap $file: $(cat "$work/err")"
  count=$((count + 1))
done <"$real/dodrio-twitter/stats.csv"
[ "$count" = 40 ] || fail "expected 40 dodrio inputs, found $count"
echo "real dumps ok: $(ls "$real"/*.json "$real"/*.npy | wc -l) single dumps and $count dodrio inputs"
